//! The questionnaire assessments and pulse surveys are both answered with: one topic (section) per
//! page, then "check your answers". One page type for a section and one for the check page serve
//! both; a [`Frame`] says where the questionnaire lives and what differs (an assessment has several
//! signed-in respondents, evidence and comment fields; a survey has one respondent by link).

use super::capability_name;
use crate::pages::{Ctx, PageForm, ShownError};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;
use urbis_app::AppError;
use urbis_app::diagnostic as ops;
use urbis_domain::FieldError;
use urbis_domain::diagnostic::instrument::ContextKind;
use urbis_domain::diagnostic::{Answer, Choice, Instrument, QuestionKind};
use urbis_store::diagnostic::{NewAnswer, StoredAnswer};

/// The section of context questions, after the capabilities.
pub const CONTEXT: &str = "context";

/// Where a questionnaire lives and how it differs between assessments and surveys.
pub struct Frame {
    /// The overview (`/assessments/{id}` or `/surveys/{token}`); sections and the check page are
    /// below it.
    pub base: String,
    /// The city or the survey's title, above the heading and in the page title.
    pub caption: String,
    /// The text of the link back to the overview.
    pub back: String,
    /// An assessment: several respondents, each with evidence and a comment per answer. A survey
    /// has one respondent and neither.
    pub shared: bool,
}

pub struct SectionLink {
    pub name: String,
    pub href: String,
    pub answered: usize,
    pub total: usize,
}

pub struct OptionView {
    pub value: String,
    pub label: String,
    pub hint: String,
    pub checked: bool,
}

pub struct QuestionView {
    pub id: String,
    /// `level`, `checklist`, `choice`, `number` or `text`.
    pub kind: &'static str,
    pub text: String,
    pub help: String,
    pub evidence_prompt: String,
    pub options: Vec<OptionView>,
    pub value: String,
    pub unit: String,
    pub evidence: String,
    pub comment: String,
    pub required: bool,
    pub error: Option<String>,
}

/// One section's questions as a form.
#[derive(Template)]
#[template(path = "questionnaire_section.html")]
pub struct SectionPage<'a> {
    ctx: &'a Ctx,
    frame: Frame,
    title: String,
    description: String,
    questions: Vec<QuestionView>,
    errors: Vec<ShownError>,
    /// The answers cannot be changed (shown, disabled, without the button).
    locked: bool,
    section: String,
}

pub struct CheckItem {
    pub text: String,
    pub anchor: String,
    pub mine: String,
    pub respondents: usize,
    pub missing: bool,
}

pub struct CheckSection {
    pub name: String,
    pub href: String,
    pub items: Vec<CheckItem>,
}

/// Check your answers, and submit.
#[derive(Template)]
#[template(path = "questionnaire_check.html")]
pub struct CheckPage<'a> {
    pub ctx: &'a Ctx,
    pub frame: Frame,
    pub sections: Vec<CheckSection>,
    pub errors: Vec<ShownError>,
    /// The current overall score (assessments).
    pub overall: Option<String>,
    pub can_submit: bool,
}

/// What a form shows for a question: the selected values, the evidence and the comment.
pub struct Shown {
    selected: Vec<String>,
    evidence: String,
    comment: String,
}

pub fn shown_from_answer(a: Option<&StoredAnswer>) -> Shown {
    let Some(a) = a else { return Shown { selected: vec![], evidence: String::new(), comment: String::new() } };
    let selected = match &a.answer {
        Answer::Level(l) => vec![l.to_string()],
        Answer::Ticked(items) if items.is_empty() => vec!["none".into()],
        Answer::Ticked(items) => items.clone(),
        Answer::Choice(c) => vec![choice_slug(c)],
        Answer::NotApplicable => vec!["na".into()],
        Answer::Number(n) => vec![format!("{n}")],
        Answer::Text(t) => vec![t.clone()],
    };
    Shown { selected, evidence: a.evidence.clone(), comment: a.comment.clone() }
}

fn shown_from_form(form: &PageForm, id: &str) -> Shown {
    Shown {
        selected: form.get_all(&format!("q-{id}")).into_iter().filter(|v| !v.is_empty()).map(str::to_string).collect(),
        evidence: form.get(&format!("e-{id}")).to_string(),
        comment: form.get(&format!("c-{id}")).to_string(),
    }
}

fn choice_slug(c: &Choice) -> String {
    serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The sections of a questionnaire in order: one per capability, then the context questions.
pub fn section_order(inst: &Instrument) -> Vec<String> {
    let mut order: Vec<String> = inst.capabilities.iter().map(|c| c.slug.clone()).collect();
    if !inst.context.is_empty() {
        order.push(CONTEXT.into());
    }
    order
}

/// A section's title and description, or `None` for no such section.
pub fn section_title(ctx: &Ctx, inst: &Instrument, section: &str) -> Option<(String, String)> {
    if section == CONTEXT {
        return Some((ctx.t.get("questionnaire-context"), ctx.t.get("questionnaire-context-hint")));
    }
    inst.capabilities
        .iter()
        .find(|c| c.slug == section)
        .map(|c| (capability_name(ctx, inst, &c.slug), c.description.clone()))
}

/// A section's questions: (id, text, required).
fn section_questions<'i>(inst: &'i Instrument, section: &str) -> Vec<(&'i str, &'i str, bool)> {
    if section == CONTEXT {
        inst.context.iter().map(|q| (q.id.as_str(), q.text.as_str(), q.required)).collect()
    } else {
        inst.questions
            .iter()
            .filter(|q| q.capability == section)
            .map(|q| (q.id.as_str(), q.text.as_str(), q.required))
            .collect()
    }
}

/// The overview's list of sections, with how many of each section's questions are `answered`.
pub fn section_links(ctx: &Ctx, inst: &Instrument, base: &str, answered: &dyn Fn(&str) -> bool) -> Vec<SectionLink> {
    section_order(inst)
        .into_iter()
        .map(|s| {
            let ids = section_questions(inst, &s);
            SectionLink {
                name: section_title(ctx, inst, &s).map(|t| t.0).unwrap_or_default(),
                href: format!("{base}/sections/{s}"),
                answered: ids.iter().filter(|(id, _, _)| answered(id)).count(),
                total: ids.len(),
            }
        })
        .collect()
}

/// Where to go after saving a section: the next section, or the check page after the last one.
fn next_href(inst: &Instrument, base: &str, section: &str) -> String {
    match section_order(inst).iter().skip_while(|s| *s != section).nth(1) {
        Some(n) => format!("{base}/sections/{n}"),
        None => format!("{base}/check"),
    }
}

impl<'a> SectionPage<'a> {
    /// A section's page with each question's answer as `shown`, or "no such section".
    pub fn new(
        ctx: &'a Ctx,
        frame: Frame,
        inst: &Instrument,
        section: String,
        shown: &dyn Fn(&str) -> Shown,
        errors: Vec<ShownError>,
        locked: bool,
    ) -> Result<SectionPage<'a>, AppError> {
        let (title, description) = section_title(ctx, inst, &section).ok_or(AppError::NotFound("section"))?;
        let questions = section_views(ctx, inst, &section, shown, &errors);
        Ok(SectionPage { ctx, frame, title, description, questions, errors, locked, section })
    }
}

fn section_views(
    ctx: &Ctx,
    inst: &Instrument,
    section: &str,
    shown: &dyn Fn(&str) -> Shown,
    errors: &[ShownError],
) -> Vec<QuestionView> {
    let error = |id: &str| errors.iter().find(|e| e.field == format!("q-{id}")).map(|e| e.message.clone());
    if section == CONTEXT {
        return inst
            .context
            .iter()
            .map(|q| {
                let s = shown(&q.id);
                QuestionView {
                    id: q.id.clone(),
                    kind: if q.kind == ContextKind::Number { "number" } else { "text" },
                    text: q.text.clone(),
                    help: q.help.clone(),
                    evidence_prompt: String::new(),
                    options: vec![],
                    value: s.selected.first().cloned().unwrap_or_default(),
                    unit: q.unit.clone().unwrap_or_default(),
                    evidence: s.evidence,
                    comment: s.comment,
                    required: q.required,
                    error: error(&q.id),
                }
            })
            .collect();
    }
    inst.questions
        .iter()
        .filter(|q| q.capability == section)
        .map(|q| {
            let s = shown(&q.id);
            QuestionView {
                id: q.id.clone(),
                kind: q.kind.as_str(),
                text: q.text.clone(),
                help: q.help.clone(),
                evidence_prompt: q.evidence.clone(),
                options: options(ctx, q, &s.selected),
                value: String::new(),
                unit: String::new(),
                evidence: s.evidence,
                comment: s.comment,
                required: q.required,
                error: error(&q.id),
            }
        })
        .collect()
}

/// A scored question's choices, ticked as `selected`.
fn options(ctx: &Ctx, q: &urbis_domain::diagnostic::Question, selected: &[String]) -> Vec<OptionView> {
    let opt = |value: String, label: String, hint: String| OptionView {
        checked: selected.contains(&value),
        value,
        label,
        hint,
    };
    let mut options: Vec<OptionView> = match q.kind {
        QuestionKind::Level => q
            .levels
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let level = (i + 1).to_string();
                opt(level.clone(), ctx.t.with("questionnaire-level", &[("level", &level)]), d.clone())
            })
            .collect(),
        QuestionKind::Choice => ["yes", "partial", "no"]
            .iter()
            .map(|c| opt(c.to_string(), ctx.t.get(&format!("questionnaire-choice-{c}")), String::new()))
            .collect(),
        QuestionKind::Checklist => {
            let mut v: Vec<OptionView> =
                q.items.iter().map(|i| opt(i.id.clone(), i.text.clone(), String::new())).collect();
            v.push(opt("none".into(), ctx.t.get("questionnaire-none-of-these"), String::new()));
            v
        }
    };
    if q.allow_not_applicable {
        options.push(opt("na".into(), ctx.t.get("questionnaire-not-applicable"), String::new()));
    }
    options
}

/// The answer a form sent for a question, if any.
fn answer_from_form(inst: &Instrument, id: &str, values: &[&str]) -> Result<Option<Answer>, &'static str> {
    let Some(first) = values.first() else { return Ok(None) };
    if *first == "na" {
        return Ok(Some(Answer::NotApplicable));
    }
    if let Some(q) = inst.question(id) {
        return Ok(Some(match q.kind {
            QuestionKind::Level => Answer::Level(first.parse().map_err(|_| "out-of-range")?),
            QuestionKind::Choice => Answer::Choice(match *first {
                "yes" => Choice::Yes,
                "partial" => Choice::Partial,
                "no" => Choice::No,
                _ => return Err("invalid-choice"),
            }),
            QuestionKind::Checklist if values.contains(&"none") => {
                if values.len() > 1 {
                    return Err("none-and-items");
                }
                Answer::Ticked(vec![])
            }
            QuestionKind::Checklist => Answer::Ticked(values.iter().map(|v| v.to_string()).collect()),
        }));
    }
    match inst.context_question(id).map(|q| q.kind) {
        Some(ContextKind::Number) => {
            let n: f64 = first.trim().replace(' ', "").replace(',', ".").parse().map_err(|_| "not-a-number")?;
            Ok(Some(Answer::Number(n)))
        }
        Some(ContextKind::Text) => Ok(Some(Answer::Text(first.to_string()))),
        None => Err("unknown-question"),
    }
}

/// Check the answers a section's form sent: the checked answers, or the errors to show beside the
/// questions (named by the question's text). A survey's form has no evidence or comment fields, so
/// they come empty.
fn checked_section(ctx: &Ctx, inst: &Instrument, section: &str, form: &PageForm) -> (Vec<NewAnswer>, Vec<ShownError>) {
    let mut errors = vec![];
    let mut checked = vec![];
    for (qid, text, _) in section_questions(inst, section) {
        let values = form.get_all(&format!("q-{qid}"));
        let values: Vec<&str> = values.into_iter().filter(|v| !v.is_empty()).collect();
        let evidence = form.get(&format!("e-{qid}"));
        let comment = form.get(&format!("c-{qid}"));
        let reason = match answer_from_form(inst, qid, &values) {
            Ok(None) => continue,
            Ok(Some(a)) => match ops::check_answer(inst, qid, a, evidence, comment) {
                Ok(n) => {
                    checked.push(n);
                    continue;
                }
                Err(e) => {
                    e.field_errors().first().map(|e| e.code.to_string()).unwrap_or_else(|| "invalid-field".into())
                }
            },
            Err(code) => code.to_string(),
        };
        errors.push(ShownError {
            field: format!("q-{qid}"),
            message: ctx.t.with(&format!("error-{reason}"), &[("field", text)]),
        });
    }
    (checked, errors)
}

/// What a section's posted form comes to.
pub enum Posted {
    /// The checked answers to save (perhaps none), and where to go next.
    Save(Vec<NewAnswer>, String),
    /// The section again, with the errors beside the questions and what was typed (422).
    Errors(Response),
}

/// Check a section's posted form: the answers to save, or the page again with its errors.
pub fn post_section(
    ctx: &Ctx,
    frame: Frame,
    inst: &Instrument,
    section: String,
    form: &PageForm,
) -> Result<Posted, AppError> {
    section_title(ctx, inst, &section).ok_or(AppError::NotFound("section"))?;
    let (checked, errors) = checked_section(ctx, inst, &section, form);
    if errors.is_empty() {
        return Ok(Posted::Save(checked, next_href(inst, &frame.base, &section)));
    }
    let shown = |id: &str| shown_from_form(form, id);
    let page = SectionPage::new(ctx, frame, inst, section, &shown, errors, false)?;
    Ok(Posted::Errors(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, page)))
}

/// An answer in words, as the check page shows it.
pub fn describe(ctx: &Ctx, inst: &Instrument, a: &StoredAnswer) -> String {
    match &a.answer {
        Answer::Level(l) => ctx.t.with("questionnaire-level", &[("level", &l.to_string())]),
        Answer::Choice(c) => ctx.t.get(&format!("questionnaire-choice-{}", choice_slug(c))),
        Answer::Ticked(items) if items.is_empty() => ctx.t.get("questionnaire-none-of-these"),
        Answer::Ticked(items) => {
            let q = inst.question(&a.question_id);
            items
                .iter()
                .map(|i| {
                    q.and_then(|q| q.items.iter().find(|x| &x.id == i))
                        .map(|x| x.text.clone())
                        .unwrap_or_else(|| i.clone())
                })
                .collect::<Vec<_>>()
                .join("; ")
        }
        Answer::NotApplicable => ctx.t.get("questionnaire-not-applicable"),
        Answer::Number(n) => format!("{n}"),
        Answer::Text(t) => t.clone(),
    }
}

/// The check page's sections: every question with the caller's answer (`mine`) and how many
/// respondents answered it (`respondents`).
pub fn check_sections(
    ctx: &Ctx,
    inst: &Instrument,
    base: &str,
    mine: &HashMap<String, StoredAnswer>,
    respondents: &dyn Fn(&str) -> usize,
) -> Vec<CheckSection> {
    let item = |(qid, text, required): (&str, &str, bool)| CheckItem {
        text: text.to_string(),
        anchor: format!("q-{qid}"),
        mine: mine.get(qid).map(|a| describe(ctx, inst, a)).unwrap_or_default(),
        respondents: respondents(qid),
        missing: required && respondents(qid) == 0,
    };
    section_order(inst)
        .into_iter()
        .map(|s| CheckSection {
            name: section_title(ctx, inst, &s).map(|t| t.0).unwrap_or_default(),
            href: format!("{base}/sections/{s}"),
            items: section_questions(inst, &s).into_iter().map(item).collect(),
        })
        .collect()
}

/// The check page's errors for a submission refused as incomplete: each required question nobody
/// answered, linked to its row.
pub fn missing_errors(ctx: &Ctx, inst: &Instrument, missing: &[FieldError]) -> Vec<ShownError> {
    let text = |qid: &str| {
        inst.question(qid)
            .map(|q| q.text.clone())
            .or_else(|| inst.context_question(qid).map(|q| q.text.clone()))
            .unwrap_or_default()
    };
    missing
        .iter()
        .map(|e| ShownError {
            field: format!("q-{}", e.field),
            message: ctx.t.with("questionnaire-missing", &[("question", &text(&e.field))]),
        })
        .collect()
}
