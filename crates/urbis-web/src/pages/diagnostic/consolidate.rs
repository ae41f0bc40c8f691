//! The city lead's consolidation page: for every scored question that several people answered, the
//! respondents' values, their spread and the city's consolidated value (the lower median, unless
//! the lead set it with a reason). Each question saves on its own; drafts only.

use super::super::{Ctx, FormRow, PageForm, Saved, ShownError, redirect, refused_row};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use urbis_app::AppError;
use urbis_app::diagnostic as ops;
use urbis_domain::diagnostic::{lower_median, question_spread};
use urbis_domain::policy::Action;
use urbis_store::diagnostic::{Assessment, AssessmentStatus, by_respondent};
use urbis_store::network::Organisation;

pub struct QuestionRow {
    pub id: String,
    pub capability: String,
    pub text: String,
    /// Each respondent's value, formatted ("n/a" for not applicable).
    pub values: Vec<String>,
    pub spread: String,
    pub median: String,
    /// The lead's value and reason, when set.
    pub set: Option<(String, String)>,
    pub value: String,
    pub not_applicable: bool,
    pub reason: String,
    pub errors: Vec<ShownError>,
}

impl FormRow for QuestionRow {
    fn key(&self) -> &str {
        &self.id
    }
    fn errors(&self) -> &[ShownError] {
        &self.errors
    }
    fn refused(&mut self, form: &PageForm, errors: Vec<ShownError>) {
        self.value = form.get("value").into();
        self.not_applicable = form.checked("not_applicable");
        self.reason = form.get("reason").into();
        self.errors = errors;
    }
}

#[derive(Template)]
#[template(path = "consolidate.html")]
struct ConsolidatePage<'a> {
    ctx: &'a Ctx,
    city: Organisation,
    assessment: Assessment,
    rows: Vec<QuestionRow>,
    draft: bool,
    errors: Vec<ShownError>,
    saved: bool,
}

async fn page<'a>(ctx: &'a Ctx, id: &str) -> Result<ConsolidatePage<'a>, AppError> {
    let loaded = ops::load_for(&ctx.state, &ctx.caller, id, Action::SubmitAssessment).await?;
    let a = &loaded.assessment;
    let inst = ops::instrument_in(&ctx.state, &a.instrument_slug, Some(a.instrument_version), ctx.t.code).await?;
    let inst = &inst.instrument;
    let (answers, overrides) = ops::consolidation(&ctx.state, &ctx.caller, &loaded).await?;
    let respondents = by_respondent(inst, &answers);
    let fmt = |v: Option<f64>| v.map(|x| format!("{x:.0}")).unwrap_or_else(|| ctx.t.get("consolidate-na"));
    let rows = inst
        .questions
        .iter()
        .filter_map(|q| {
            let given: Vec<Option<f64>> = respondents.iter().filter_map(|r| r.get(&q.id).copied()).collect();
            if given.is_empty() {
                return None;
            }
            let applicable: Vec<f64> = given.iter().flatten().copied().collect();
            let set = overrides.iter().find(|o| o.question_id == q.id);
            Some(QuestionRow {
                id: q.id.clone(),
                capability: super::capability_name(ctx, inst, &q.capability),
                text: q.text.clone(),
                values: given.iter().map(|v| fmt(*v)).collect(),
                spread: question_spread(&respondents, &q.id)
                    .filter(|s| s.n > 1)
                    .map(|s| format!("{:.0}–{:.0} (σ {:.1})", s.min, s.max, s.sd))
                    .unwrap_or_else(|| "–".into()),
                median: if applicable.is_empty() { fmt(None) } else { fmt(lower_median(&applicable)) },
                set: set.map(|o| (fmt(o.normalised), o.reason.clone())),
                value: set.and_then(|o| o.normalised).map(|v| format!("{v:.0}")).unwrap_or_default(),
                not_applicable: set.is_some_and(|o| o.normalised.is_none()),
                reason: set.map(|o| o.reason.clone()).unwrap_or_default(),
                errors: vec![],
            })
        })
        .collect();
    Ok(ConsolidatePage {
        ctx,
        draft: a.status == AssessmentStatus::Draft,
        city: loaded.city,
        assessment: loaded.assessment,
        rows,
        errors: vec![],
        saved: false,
    })
}

pub async fn consolidate(ctx: Ctx, Path(id): Path<String>, Saved(saved): Saved) -> Response {
    ctx.respond(async { Ok(ctx.render(ConsolidatePage { saved, ..page(&ctx, &id).await? })) }).await
}

pub async fn consolidate_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let loaded = ops::load_for(&ctx.state, &ctx.caller, &id, Action::SubmitAssessment).await?;
        let question = form.get("question_id");
        let change = if form.get("op") == "remove" {
            None
        } else if form.checked("not_applicable") {
            Some((None, form.get("reason")))
        } else {
            Some((Some(form.number("value")), form.get("reason")))
        };
        let done = ops::set_override(&ctx.state, &ctx.caller, &loaded, question, change).await;
        let done = done.map(|_| redirect(&format!("/assessments/{id}/consolidate?saved=1#q-{question}")));
        ctx.after_form(done, async |errors| {
            let mut page = page(&ctx, &id).await?;
            let errors = refused_row(&mut page.rows, question, &form, errors);
            Ok(ConsolidatePage { errors, ..page })
        })
        .await
    })
    .await
}
