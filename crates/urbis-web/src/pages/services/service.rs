//! A city's service: the form that adds it and the form that changes it (both made from one table
//! of its fields), and the city's service link.

use super::form::{
    FieldDef, FormPage, Values, field, fields, ids, many, one, pick, plain, saved, values_of, writable_service,
};
use crate::pages::{Ctx, PageForm, Refusal};
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value, json};
use urbis_app::AppError;
use urbis_app::network as net;
use urbis_app::services as ops;
use urbis_domain::policy::Action;
use urbis_domain::services::service::Channel;
use urbis_domain::services::{FocusArea, PhaseKind, RawService, split_list};
use urbis_store::network::Organisation;
use urbis_store::services::Service;

/// The service's fields in the form's order, one line each; their names are [`RawService`]'s. A
/// field that [`RawService`] holds as a list is a checkbox group, or a text of comma-separated items
/// (`languages`).
const SERVICE_FIELDS: &[FieldDef] = &[
    plain("title", "text"),
    plain("description", "textarea"),
    pick("focus_area", "select", |_| ids(FocusArea::ALL, FocusArea::as_str, "focus")),
    pick("phase", "select", |_| ids(PhaseKind::ALL, PhaseKind::as_str, "phase")),
    plain("problem", "textarea"),
    plain("audience", "textarea"),
    plain("team", "textarea"),
    pick("channels", "checkboxes", |_| ids(Channel::ALL, Channel::as_str, "channel")),
    plain("languages", "text"),
    plain("output", "text"),
    plain("cost", "number"),
    plain("currency", "text"),
    pick("builds_on", "checkboxes", |caps| caps.iter().map(|c| (c.clone(), format!("capability-{c}"))).collect()),
];

/// A raw service's fields by name, as JSON (text, or a list of texts).
fn fields_of(raw: &RawService) -> Result<Map<String, Value>, AppError> {
    match serde_json::to_value(raw) {
        Ok(Value::Object(m)) => Ok(m),
        other => Err(AppError::Internal(format!("a raw service is not an object: {other:?}"))),
    }
}

/// The form's values of a raw service: a list as checked boxes, or as one comma-separated text.
fn values_of_raw(raw: &RawService) -> Result<Values, AppError> {
    let fields = fields_of(raw)?;
    let values = SERVICE_FIELDS.iter().map(|f| {
        let value = match fields.get(f.name) {
            Some(Value::Array(items)) => {
                let items: Vec<String> = items.iter().filter_map(|x| x.as_str().map(str::to_string)).collect();
                if f.kind == "checkboxes" { items } else { vec![items.join(", ")] }
            }
            Some(Value::String(x)) => vec![x.clone()],
            _ => vec![],
        };
        (f.name.to_string(), value)
    });
    Ok(values.collect())
}

/// The service as typed into the form (the inverse of [`values_of_raw`]).
fn raw_service(v: &Values) -> Result<RawService, AppError> {
    let shape = fields_of(&RawService::default())?;
    let typed: Map<String, Value> = SERVICE_FIELDS
        .iter()
        .map(|f| {
            let value = match shape.get(f.name) {
                Some(Value::Array(_)) if f.kind == "checkboxes" => json!(many(v, f.name)),
                Some(Value::Array(_)) => json!(split_list(&one(v, f.name))),
                _ => json!(one(v, f.name)),
            };
            (f.name.to_string(), value)
        })
        .collect();
    serde_json::from_value(Value::Object(typed)).map_err(|e| AppError::Internal(format!("service form: {e}")))
}

/// The form's values of a stored service, with whether it is published.
fn service_values(s: &Service) -> Result<Values, AppError> {
    let mut v = values_of_raw(&ops::raw_of(s))?;
    if s.published {
        v.insert("published".into(), vec!["on".into()]);
    }
    Ok(v)
}

/// The service form's fields filled with `v`; the edit form also offers to publish.
async fn service_fields(ctx: &Ctx, v: &Values, edit: bool) -> Result<Vec<super::form::Field>, AppError> {
    let capabilities = ops::capabilities(&ctx.state).await?;
    let mut fields = fields(ctx, SERVICE_FIELDS, v, &capabilities);
    if edit {
        fields.push(field(ctx, "published", "checkbox", v));
    }
    Ok(fields)
}

async fn new_service_page<'a>(ctx: &'a Ctx, city: &Organisation, v: &Values) -> Result<FormPage<'a>, AppError> {
    Ok(FormPage {
        ctx,
        title: ctx.t.with("services-new-title", &[("city", &city.name)]),
        caption: city.name.clone(),
        lead: ctx.t.get("services-new-lead"),
        back_href: format!("/cities/{}", city.slug),
        back_label: city.name.clone(),
        action: format!("/cities/{}/services/new", city.slug),
        fields: service_fields(ctx, v, false).await?,
        version: None,
        submit: ctx.t.get("services-create"),
        errors: vec![],
        conflict: false,
    })
}

pub async fn new_service(ctx: Ctx, Path(slug): Path<String>) -> Response {
    ctx.respond(async {
        let city = net::city_for(&ctx.state, &ctx.caller, &slug, Action::ManageService).await?.item;
        let v = Values::from([("currency".into(), vec!["EUR".into()])]);
        Ok::<_, AppError>(ctx.render(new_service_page(&ctx, &city, &v).await?))
    })
    .await
}

pub async fn new_service_post(ctx: Ctx, Path(slug): Path<String>, form: PageForm) -> Response {
    let v = values_of(&form);
    let r = async {
        let city = net::city(&ctx.state, &slug).await?;
        let page = new_service_page(&ctx, &city, &v).await?;
        Ok::<_, AppError>((page, raw_service(&v)?, city))
    }
    .await;
    let (page, raw, city) = match r {
        Ok(x) => x,
        Err(p) => return ctx.fail(p),
    };
    match ops::create(&ctx.state, &ctx.caller, &city, None, &raw).await {
        Ok(s) => saved(s.id, "service"),
        Err(p) => page.again(ctx.refusal(p)),
    }
}

async fn edit_service_page<'a>(
    ctx: &'a Ctx,
    loaded: &ops::Loaded,
    v: &Values,
    version: i64,
) -> Result<FormPage<'a>, AppError> {
    let s = &loaded.service;
    let fields = service_fields(ctx, v, true).await?;
    Ok(FormPage {
        caption: s.organisation_name.clone(),
        version: Some(version),
        ..FormPage::about(
            ctx,
            s,
            ctx.t.with("services-edit-title", &[("service", &s.title)]),
            format!("/services/{}/edit", s.id),
            fields,
        )
    })
}

pub async fn edit_service(ctx: Ctx, Path(id): Path<String>) -> Response {
    ctx.respond(async {
        let loaded = writable_service(&ctx, &id).await?;
        let v = service_values(&loaded.service)?;
        Ok::<_, AppError>(ctx.render(edit_service_page(&ctx, &loaded, &v, loaded.service.version).await?))
    })
    .await
}

pub async fn edit_service_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    let v = values_of(&form);
    let r = async {
        let loaded = writable_service(&ctx, &id).await?;
        // After a conflict the form carries the current version, so that a second save is deliberate.
        let page = edit_service_page(&ctx, &loaded, &v, loaded.service.version).await?;
        Ok::<_, AppError>((loaded, page, raw_service(&v)?))
    }
    .await;
    let (loaded, page, raw) = match r {
        Ok(x) => x,
        Err(p) => return ctx.fail(p),
    };
    let Some(version) = form.version() else { return page.again(Refusal::Conflict) };
    let page = FormPage { version: Some(version), ..page };
    match ops::update(&ctx.state, &ctx.caller, &loaded, version, &raw, form.checked("published")).await {
        Ok(s) => saved(s.id, "service"),
        Err(e) => page.again_versioned(&ctx, e, Some(loaded.service.version)),
    }
}

#[derive(Template)]
#[template(path = "service_none.html")]
struct NoServicePage<'a> {
    ctx: &'a Ctx,
    city: Organisation,
}

/// A city's service: its page when there is one the caller may see, the form to add it for its
/// team, else a page saying that none is published.
pub async fn city_service(ctx: Ctx, Path(slug): Path<String>) -> Response {
    ctx.respond(async {
        let ops::CityService { city, service, can_add } = ops::city_service(&ctx.state, &ctx.caller, &slug).await?;
        if let Some(s) = service {
            return Ok(Redirect::to(&format!("/services/{}", s.id)).into_response());
        }
        if can_add {
            return Ok(Redirect::to(&format!("/cities/{}/services/new", city.slug)).into_response());
        }
        Ok::<_, AppError>(ctx.render(NoServicePage { ctx: &ctx, city }))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RawService {
        let list = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        RawService {
            title: "Repairs".into(),
            description: "Report a repair".into(),
            focus_area: "housing".into(),
            phase: "alpha".into(),
            problem: "Slow repairs".into(),
            audience: "Tenants".into(),
            team: "Housing office".into(),
            channels: list(&["online", "phone"]),
            languages: list(&["en", "lv"]),
            output: "A form".into(),
            cost: "12.50".into(),
            currency: "EUR".into(),
            builds_on: list(&["data", "design"]),
        }
    }

    #[test]
    fn the_table_has_every_field_of_a_service_once() {
        let mut names: Vec<&str> = SERVICE_FIELDS.iter().map(|f| f.name).collect();
        let mut raw: Vec<String> = fields_of(&RawService::default()).unwrap().keys().cloned().collect();
        names.sort_unstable();
        raw.sort_unstable();
        assert_eq!(names, raw);
    }

    #[test]
    fn a_service_goes_to_the_form_and_back_unchanged() {
        let v = values_of_raw(&sample()).unwrap();
        assert_eq!(one(&v, "languages"), "en, lv");
        assert_eq!(many(&v, "channels"), ["online", "phone"]);
        assert_eq!(raw_service(&v).unwrap(), sample());
    }
}
