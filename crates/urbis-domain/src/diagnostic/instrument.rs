//! Instruments: a questionnaire with its scoring model, as reviewed data. A published version never
//! changes; an edit makes a new version and old assessments keep the version they were made with.

use super::translation::Translation;
use crate::error::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstrumentKind {
    /// A maturity diagnostic of one organisation, repeated in waves.
    Diagnostic,
    /// A pulse survey sent to many organisations.
    Pulse,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    pub slug: String,
    pub version: u32,
    pub kind: InstrumentKind,
    pub title: String,
    pub description: String,
    pub published_on: chrono::NaiveDate,
    /// Share (0–1) of a capability's applicable scored questions that must reach a level's bound.
    pub level_threshold: f64,
    #[serde(default)]
    pub sources: Vec<String>,
    pub capabilities: Vec<Capability>,
    pub questions: Vec<Question>,
    #[serde(default)]
    pub context: Vec<ContextQuestion>,
    /// The texts in other languages, by language code (the instrument itself is in English).
    /// Part of the published version: see [`crate::diagnostic::translation`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<String, Translation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capability {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    pub id: String,
    pub text: String,
}

/// A scored question. Its kind decides which answers it takes and how they normalise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub capability: String,
    #[serde(rename = "type")]
    pub kind: QuestionKind,
    pub text: String,
    #[serde(default)]
    pub help: String,
    #[serde(default)]
    pub evidence: String,
    pub weight: f64,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub allow_not_applicable: bool,
    /// Five written level descriptors (level questions only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<String>,
    /// The items to tick (checklist questions only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ChecklistItem>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionKind {
    /// Levels 1–5, each with a written descriptor.
    Level,
    /// Items ticked out of a list.
    Checklist,
    /// Yes, partial or no.
    Choice,
}

impl QuestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Level => "level",
            QuestionKind::Checklist => "checklist",
            QuestionKind::Choice => "choice",
        }
    }
}

/// A context question: asked, kept and shown, never scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextQuestion {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: ContextKind,
    pub text: String,
    #[serde(default)]
    pub help: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContextKind {
    Number,
    Text,
}

fn valid_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Instrument {
    /// Check the instrument's own consistency: ids unique and well formed, every question in a
    /// known capability, five levels on level questions, items on checklists, positive weights.
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut e = Invalid::default();
        let mut err = |field: String, code: &'static str, msg: String| e.0.push(FieldError::new(field, code, msg));
        if !valid_id(&self.slug) {
            err("slug".into(), "invalid-slug", "must be lowercase letters, digits and hyphens".into());
        }
        if self.version == 0 {
            err("version".into(), "out-of-range", "must be 1 or more".into());
        }
        if !(self.level_threshold > 0.0 && self.level_threshold <= 1.0) {
            err("level_threshold".into(), "out-of-range", "must be above 0 and at most 1".into());
        }
        if self.capabilities.is_empty() {
            err("capabilities".into(), "required", "an instrument needs at least one capability".into());
        }
        let mut caps = HashSet::new();
        for (i, c) in self.capabilities.iter().enumerate() {
            if !valid_id(&c.slug) || !caps.insert(c.slug.as_str()) {
                err(
                    format!("capabilities[{i}].slug"),
                    "invalid-slug",
                    format!("{:?} is malformed or repeated", c.slug),
                );
            }
            if !(c.weight > 0.0 && c.weight.is_finite()) {
                err(format!("capabilities[{i}].weight"), "out-of-range", "must be a positive number".into());
            }
        }
        let mut ids = HashSet::new();
        for (i, q) in self.questions.iter().enumerate() {
            let at = |f: &str| format!("questions[{i}].{f}");
            if !valid_id(&q.id) || !ids.insert(q.id.as_str()) {
                err(at("id"), "invalid-id", format!("{:?} is malformed or repeated", q.id));
            }
            if !caps.contains(q.capability.as_str()) {
                err(
                    at("capability"),
                    "unknown-capability",
                    format!("{:?} is not a capability of the instrument", q.capability),
                );
            }
            if !(q.weight > 0.0 && q.weight.is_finite()) {
                err(at("weight"), "out-of-range", "must be a positive number".into());
            }
            match q.kind {
                QuestionKind::Level if q.levels.len() != 5 => err(
                    at("levels"),
                    "five-levels",
                    format!("a level question needs 5 descriptors, has {}", q.levels.len()),
                ),
                QuestionKind::Checklist => {
                    let mut items = HashSet::new();
                    if q.items.is_empty() {
                        err(at("items"), "required", "a checklist needs items".into());
                    }
                    for it in &q.items {
                        if !valid_id(&it.id) || !items.insert(it.id.as_str()) {
                            err(at("items"), "invalid-id", format!("item {:?} is malformed or repeated", it.id));
                        }
                    }
                }
                _ => {}
            }
            if q.kind != QuestionKind::Level && !q.levels.is_empty() {
                err(at("levels"), "not-allowed", "only level questions have levels".into());
            }
            if q.kind != QuestionKind::Checklist && !q.items.is_empty() {
                err(at("items"), "not-allowed", "only checklists have items".into());
            }
        }
        for c in &self.capabilities {
            if !self.questions.iter().any(|q| q.capability == c.slug) {
                err(format!("capabilities.{}", c.slug), "required", "a capability needs at least one question".into());
            }
        }
        for (i, c) in self.context.iter().enumerate() {
            if !valid_id(&c.id) || !ids.insert(c.id.as_str()) {
                err(format!("context[{i}].id"), "invalid-id", format!("{:?} is malformed or repeated", c.id));
            }
        }
        e.into_result()
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    pub fn context_question(&self, id: &str) -> Option<&ContextQuestion> {
        self.context.iter().find(|q| q.id == id)
    }
}

/// A recommended action: what moves a city from `from_level` to the next on a capability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendedAction {
    pub capability: String,
    pub from_level: u8,
    pub title: String,
    pub description: String,
}
