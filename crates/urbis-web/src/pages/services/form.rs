//! The one form page every service form is made of: fields described as data (name, kind,
//! choices), filled from what was typed, shown again with its errors when an operation refuses it.

use super::super::{Ctx, PageForm, Refusal, ShownError};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use urbis_app::AppError;
use urbis_app::services as ops;
use urbis_domain::policy::Action;
use urbis_store::services::Service;

/// One choice of a select or a checkbox group.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One field of a form: `kind` is text, number, date, textarea, select, checkboxes or checkbox.
pub struct Field {
    pub name: &'static str,
    pub kind: &'static str,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub options: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "service_form.html")]
pub(super) struct FormPage<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) title: String,
    pub(super) caption: String,
    pub(super) lead: String,
    pub(super) back_href: String,
    pub(super) back_label: String,
    pub(super) action: String,
    pub(super) fields: Vec<Field>,
    pub(super) version: Option<i64>,
    pub(super) submit: String,
    pub(super) errors: Vec<ShownError>,
    pub(super) conflict: bool,
}

form_errors!(FormPage);

impl<'a> FormPage<'a> {
    /// A form about service `s`: captioned with it, leading back to it, saved with "Save changes".
    pub(super) fn about(ctx: &'a Ctx, s: &Service, title: String, action: String, fields: Vec<Field>) -> Self {
        FormPage {
            ctx,
            title,
            caption: s.title.clone(),
            lead: String::new(),
            back_href: format!("/services/{}", s.id),
            back_label: s.title.clone(),
            action,
            fields,
            version: None,
            submit: ctx.t.get("save"),
            errors: vec![],
            conflict: false,
        }
    }

    /// The form that adds a part to service `s` (posted to `/services/<id>/<part>/new`), with its
    /// title and lead.
    pub(super) fn adding(
        ctx: &'a Ctx,
        s: &Service,
        part: &str,
        (title, lead): (String, String),
        fields: Vec<Field>,
    ) -> Self {
        FormPage { lead, ..FormPage::about(ctx, s, title, format!("/services/{}/{part}/new", s.id), fields) }
    }

    /// Show the form again after a refused operation (keeping what was typed), or the error page.
    pub(super) fn again(mut self, r: Refusal) -> Response {
        let ctx = self.ctx;
        match r {
            Refusal::Errors(status, errors) => {
                self.errors = errors;
                ctx.render_status(status, self)
            }
            Refusal::Conflict => {
                self.conflict = true;
                ctx.render_status(StatusCode::CONFLICT, self)
            }
            Refusal::Fail(e) => ctx.fail(e),
        }
    }

    /// Show the form again after a refused save of a versioned record: a conflict shows the
    /// record's `current` version (so that a second save is deliberate), anything else keeps the
    /// version the form was sent with.
    pub(super) fn again_versioned(self, ctx: &Ctx, e: AppError, current: Option<i64>) -> Response {
        match ctx.refusal(e) {
            Refusal::Conflict => FormPage { version: current, ..self }.again(Refusal::Conflict),
            r => self.again(r),
        }
    }
}

/// Field values by name (several for checkbox groups).
pub(super) type Values = HashMap<String, Vec<String>>;

/// The values of a posted form.
pub(super) fn values_of(form: &PageForm) -> Values {
    let mut v: Values = HashMap::new();
    for (k, x) in &form.1 {
        v.entry(k.clone()).or_default().push(x.clone());
    }
    v
}

/// Values from `(name, value)` pairs, one value each.
pub(super) fn values<const N: usize>(pairs: [(&str, String); N]) -> Values {
    pairs.into_iter().map(|(k, x)| (k.to_string(), vec![x])).collect()
}

/// The (first) value of a field, or empty.
pub(super) fn one(v: &Values, name: &str) -> String {
    v.get(name).and_then(|x| x.first()).cloned().unwrap_or_default()
}

/// Every value of a field (a checkbox group).
pub(super) fn many(v: &Values, name: &str) -> Vec<String> {
    v.get(name).cloned().unwrap_or_default()
}

/// The field's label (`field-<name>`) and hint (`hint-<name>`, when there is one).
pub(super) fn field(ctx: &Ctx, name: &'static str, kind: &'static str, v: &Values) -> Field {
    let hint_id = format!("hint-{name}");
    Field {
        name,
        kind,
        label: ctx.t.get(&format!("field-{name}")),
        hint: if ctx.t.has(&hint_id) { ctx.t.get(&hint_id) } else { String::new() },
        value: one(v, name),
        options: vec![],
    }
}

/// A select or checkbox group over `choices` (value, message id of the label).
pub(super) fn choices(
    ctx: &Ctx,
    name: &'static str,
    kind: &'static str,
    v: &Values,
    choices: &[(String, String)],
) -> Field {
    let chosen = many(v, name);
    let mut f = field(ctx, name, kind, v);
    f.options = choices
        .iter()
        .map(|(value, label_id)| Opt {
            value: value.clone(),
            label: ctx.t.get(label_id),
            checked: chosen.contains(value),
        })
        .collect();
    f
}

/// A choice field's options, given the lists read from the store (the diagnostic's capabilities):
/// each value with the message id of its label.
pub(super) type Options = fn(&[String]) -> Vec<(String, String)>;

/// One field of a form as data: its name (the same in the form, in the input it is parsed into and
/// in the API), its kind (see [`Field`]) and, for a choice, its options.
pub(super) struct FieldDef {
    pub(super) name: &'static str,
    pub(super) kind: &'static str,
    pub(super) options: Option<Options>,
}

/// A field typed or picked from the browser's own control (text, number, date, textarea, checkbox).
pub(super) const fn plain(name: &'static str, kind: &'static str) -> FieldDef {
    FieldDef { name, kind, options: None }
}

/// A choice among `options` (select, checkboxes).
pub(super) const fn pick(name: &'static str, kind: &'static str, options: Options) -> FieldDef {
    FieldDef { name, kind, options: Some(options) }
}

/// A form's fields from its table, filled with `v`; `lists` feeds the options built from stored data.
pub(super) fn fields(ctx: &Ctx, table: &[FieldDef], v: &Values, lists: &[String]) -> Vec<Field> {
    let field_of = |f: &FieldDef| match f.options {
        Some(options) => choices(ctx, f.name, f.kind, v, &options(lists)),
        None => field(ctx, f.name, f.kind, v),
    };
    table.iter().map(field_of).collect()
}

/// The choices of a closed list: each value with its label's message id `<prefix>-<value>`.
pub(super) fn ids<T: Copy>(all: &[T], slug: impl Fn(T) -> &'static str, prefix: &str) -> Vec<(String, String)> {
    all.iter().map(|x| (slug(*x).to_string(), format!("{prefix}-{}", slug(*x)))).collect()
}

/// The service's page after a save, at the part that changed.
pub(super) fn saved_at(service: uuid::Uuid, anchor: &str) -> String {
    format!("/services/{service}?saved=1#{anchor}")
}

/// Back to the service's page after a save, at the part that changed.
pub(super) fn saved(service: uuid::Uuid, anchor: &str) -> Response {
    Redirect::to(&saved_at(service, anchor)).into_response()
}

/// A service the caller may work on (its city's team or programme staff).
pub(super) async fn writable_service(ctx: &Ctx, id: &str) -> Result<ops::Loaded, AppError> {
    ops::load_for(&ctx.state, &ctx.caller, id, Action::ManageService).await
}

/// An indicator the caller may record measurements of (its service's city team or programme
/// staff).
pub(super) async fn writable_indicator(ctx: &Ctx, id: &str) -> Result<ops::LoadedIndicator, AppError> {
    ops::indicator_for(&ctx.state, &ctx.caller, id, Action::ManageService).await
}

/// Show a form about a record the caller may work on (`load` finds it and authorises), or the
/// error page.
pub(super) async fn show<'a, R>(
    ctx: &'a Ctx,
    load: impl Future<Output = Result<R, AppError>>,
    page: impl FnOnce(&R) -> FormPage<'a>,
) -> Response {
    match load.await {
        Ok(record) => ctx.render(page(&record)),
        Err(e) => ctx.fail(e),
    }
}

/// Save a posted form that adds to a record the caller may work on: `load` finds the record (or
/// the error page), `page` builds the form as typed, `save` parses it and runs the operation,
/// answering where to go next; a refusal shows the form again.
pub(super) async fn submit<'a, R>(
    ctx: &'a Ctx,
    load: impl Future<Output = Result<R, AppError>>,
    page: impl FnOnce(&R) -> FormPage<'a>,
    save: impl AsyncFnOnce(&R) -> Result<String, AppError>,
) -> Response {
    let record = match load.await {
        Ok(r) => r,
        Err(e) => return ctx.fail(e),
    };
    let page = page(&record);
    match save(&record).await {
        Ok(next) => Redirect::to(&next).into_response(),
        Err(e) => page.again(ctx.refusal(e)),
    }
}
