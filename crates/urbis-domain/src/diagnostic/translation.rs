//! Translations of an instrument. An instrument is written in English; a translation holds, keyed
//! by the version's stable ids, every user-facing text of it in one other language, and nothing
//! else: ids, types, weights, levels and scoring always come from the version itself. A translation
//! is part of the published version (see `docs/diagnostic.md`, "Instrument translations").

use super::instrument::{Instrument, RecommendedAction};
use crate::error::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The language instruments are written in, and the fallback for every other.
pub const SOURCE_LANGUAGE: &str = "en";

/// Every text of an instrument version (and its recommended actions) in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Translation {
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub capabilities: BTreeMap<String, CapabilityText>,
    #[serde(default)]
    pub questions: BTreeMap<String, QuestionText>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, ContextText>,
    /// By action id, see [`action_ids`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub actions: BTreeMap<String, ActionText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilityText {
    pub title: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionText {
    pub text: String,
    #[serde(default)]
    pub help: String,
    #[serde(default)]
    pub evidence: String,
    /// The five level descriptors, in order (level questions only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<String>,
    /// Checklist item labels by item id (checklists only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub items: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextText {
    pub text: String,
    #[serde(default)]
    pub help: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionText {
    pub title: String,
    pub description: String,
}

/// The stable ids of recommended actions, in their order: `<capability>-<from level>-<n>`, where n
/// counts from 1 within the capability and level (`digital-vision-2-1` is the first action that
/// moves a city from level 2 on digital vision). A published version never changes, so neither do
/// these ids.
pub fn action_ids(actions: &[RecommendedAction]) -> Vec<String> {
    let mut seen: BTreeMap<(&str, u8), usize> = BTreeMap::new();
    actions
        .iter()
        .map(|a| {
            let n = seen.entry((a.capability.as_str(), a.from_level)).or_default();
            *n += 1;
            format!("{}-{}-{}", a.capability, a.from_level, n)
        })
        .collect()
}

/// Check that `t` translates exactly the texts of the version: every id of the version is there,
/// no other id is, every text the English has is translated (and none it lacks), with five level
/// descriptors on level questions and the same checklist items. Each error names the id.
pub fn check_translation(
    inst: &Instrument,
    actions: &[RecommendedAction],
    lang: &str,
    t: &Translation,
) -> Result<(), Invalid> {
    let mut e = Invalid::default();
    let ids = action_ids(actions);
    check_texts(&mut e, inst, actions, &ids, lang, t);
    check_ids(&mut e, inst, &ids, lang, t);
    check_levels(&mut e, inst, lang, t);
    e.into_result()
}

/// Every text the English has is translated, and none it lacks.
fn check_texts(
    e: &mut Invalid,
    inst: &Instrument,
    actions: &[RecommendedAction],
    ids: &[String],
    lang: &str,
    t: &Translation,
) {
    // Present in the English exactly when present in the translation.
    let mut text = |field: String, english: &str, translated: &str| {
        if english.trim().is_empty() != translated.trim().is_empty() {
            let why = if translated.trim().is_empty() { "is not translated" } else { "is empty in English" };
            e.0.push(FieldError::new(format!("{lang}.{field}"), "translation-mismatch", format!("{field} {why}")));
        }
    };
    text("title".into(), &inst.title, &t.title);
    text("description".into(), &inst.description, &t.description);
    for c in &inst.capabilities {
        if let Some(ct) = t.capabilities.get(&c.slug) {
            text(format!("capabilities.{}.title", c.slug), &c.title, &ct.title);
            text(format!("capabilities.{}.description", c.slug), &c.description, &ct.description);
        }
    }
    for q in &inst.questions {
        let Some(qt) = t.questions.get(&q.id) else { continue };
        text(format!("questions.{}.text", q.id), &q.text, &qt.text);
        text(format!("questions.{}.help", q.id), &q.help, &qt.help);
        text(format!("questions.{}.evidence", q.id), &q.evidence, &qt.evidence);
        for (i, (en, tr)) in q.levels.iter().zip(&qt.levels).enumerate() {
            text(format!("questions.{}.levels[{}]", q.id, i + 1), en, tr);
        }
        for it in &q.items {
            if let Some(tr) = qt.items.get(&it.id) {
                text(format!("questions.{}.items.{}", q.id, it.id), &it.text, tr);
            }
        }
    }
    for c in &inst.context {
        if let Some(ct) = t.context.get(&c.id) {
            text(format!("context.{}.text", c.id), &c.text, &ct.text);
            text(format!("context.{}.help", c.id), &c.help, &ct.help);
            text(format!("context.{}.unit", c.id), c.unit.as_deref().unwrap_or(""), ct.unit.as_deref().unwrap_or(""));
        }
    }
    for (id, a) in ids.iter().zip(actions) {
        if let Some(at) = t.actions.get(id) {
            text(format!("actions.{id}.title"), &a.title, &at.title);
            text(format!("actions.{id}.description"), &a.description, &at.description);
        }
    }
}

/// The ids of the translation are exactly those of the version.
fn check_ids(e: &mut Invalid, inst: &Instrument, ids: &[String], lang: &str, t: &Translation) {
    let of = format!("{} v{}", inst.slug, inst.version);
    // Ids: exactly those of the version.
    let mut keys = |what: &str, field: &str, english: BTreeSet<&str>, translated: BTreeSet<&str>| {
        for id in english.difference(&translated) {
            e.0.push(FieldError::new(
                format!("{lang}.{field}.{id}"),
                "missing-translation",
                format!("{what} {id:?} has no translation"),
            ));
        }
        for id in translated.difference(&english) {
            e.0.push(FieldError::new(
                format!("{lang}.{field}.{id}"),
                "unknown-id",
                format!("{id:?} is not {} {what} of {of}", if what.starts_with('a') { "an" } else { "a" }),
            ));
        }
    };
    keys(
        "capability",
        "capabilities",
        inst.capabilities.iter().map(|c| c.slug.as_str()).collect(),
        t.capabilities.keys().map(String::as_str).collect(),
    );
    keys(
        "question",
        "questions",
        inst.questions.iter().map(|q| q.id.as_str()).collect(),
        t.questions.keys().map(String::as_str).collect(),
    );
    keys(
        "context question",
        "context",
        inst.context.iter().map(|q| q.id.as_str()).collect(),
        t.context.keys().map(String::as_str).collect(),
    );
    keys("action", "actions", ids.iter().map(String::as_str).collect(), t.actions.keys().map(String::as_str).collect());
    for q in &inst.questions {
        let Some(qt) = t.questions.get(&q.id) else { continue };
        keys(
            &format!("checklist item of question {:?} in", q.id),
            &format!("questions.{}.items", q.id),
            q.items.iter().map(|i| i.id.as_str()).collect(),
            qt.items.keys().map(String::as_str).collect(),
        );
    }
}

/// Level questions keep their number of level descriptors.
fn check_levels(e: &mut Invalid, inst: &Instrument, lang: &str, t: &Translation) {
    for q in &inst.questions {
        let Some(qt) = t.questions.get(&q.id) else { continue };
        if qt.levels.len() != q.levels.len() {
            e.0.push(FieldError::new(
                format!("{lang}.questions.{}.levels", q.id),
                "translation-mismatch",
                format!(
                    "question {:?} has {} level descriptors, its translation {}",
                    q.id,
                    q.levels.len(),
                    qt.levels.len()
                ),
            ));
        }
    }
}

/// The instrument and its actions with the texts of `t` in place of the English ones. Ids, types,
/// weights, levels and scoring are the version's own; the copy carries no translations. A text the
/// translation lacks stays English (a checked translation lacks none).
pub fn apply_translation(
    inst: &Instrument,
    actions: &[RecommendedAction],
    t: &Translation,
) -> (Instrument, Vec<RecommendedAction>) {
    fn put(to: &mut String, from: &str) {
        if !from.trim().is_empty() {
            *to = from.to_string();
        }
    }
    let mut out = Instrument { translations: BTreeMap::new(), ..inst.clone() };
    put(&mut out.title, &t.title);
    put(&mut out.description, &t.description);
    for c in &mut out.capabilities {
        if let Some(ct) = t.capabilities.get(&c.slug) {
            put(&mut c.title, &ct.title);
            put(&mut c.description, &ct.description);
        }
    }
    for q in &mut out.questions {
        let Some(qt) = t.questions.get(&q.id) else { continue };
        put(&mut q.text, &qt.text);
        put(&mut q.help, &qt.help);
        put(&mut q.evidence, &qt.evidence);
        for (l, tl) in q.levels.iter_mut().zip(&qt.levels) {
            put(l, tl);
        }
        for it in &mut q.items {
            if let Some(tr) = qt.items.get(&it.id) {
                put(&mut it.text, tr);
            }
        }
    }
    for c in &mut out.context {
        let Some(ct) = t.context.get(&c.id) else { continue };
        put(&mut c.text, &ct.text);
        put(&mut c.help, &ct.help);
        if let (Some(u), Some(tu)) = (c.unit.as_mut(), ct.unit.as_deref()) {
            put(u, tu);
        }
    }
    let acts = action_ids(actions)
        .iter()
        .zip(actions)
        .map(|(id, a)| {
            let mut a = a.clone();
            if let Some(at) = t.actions.get(id) {
                put(&mut a.title, &at.title);
                put(&mut a.description, &at.description);
            }
            a
        })
        .collect();
    (out, acts)
}

impl Instrument {
    /// The language the instrument can be shown in for a viewer who wants `wanted`: that language
    /// when the version has it, else English.
    pub fn language<'a>(&self, wanted: &'a str) -> &'a str {
        if self.translations.contains_key(wanted) { wanted } else { SOURCE_LANGUAGE }
    }

    /// The languages this version can be shown in, English first.
    pub fn languages(&self) -> Vec<&str> {
        std::iter::once(SOURCE_LANGUAGE).chain(self.translations.keys().map(String::as_str)).collect()
    }

    /// The instrument in `lang`, falling back to English; the copy carries no translations.
    pub fn localised(&self, lang: &str) -> Instrument {
        localise(self, &[], lang).0
    }

    /// A capability's title in `lang`, falling back to English (and to the slug for an unknown one).
    pub fn capability_title(&self, lang: &str, slug: &str) -> String {
        self.translations
            .get(lang)
            .and_then(|t| t.capabilities.get(slug))
            .map(|c| c.title.clone())
            .or_else(|| self.capabilities.iter().find(|c| c.slug == slug).map(|c| c.title.clone()))
            .unwrap_or_else(|| slug.to_string())
    }
}

/// The instrument and its actions in `lang`, falling back to English.
pub fn localise(inst: &Instrument, actions: &[RecommendedAction], lang: &str) -> (Instrument, Vec<RecommendedAction>) {
    match inst.translations.get(lang) {
        Some(t) => apply_translation(inst, actions, t),
        None => (Instrument { translations: BTreeMap::new(), ..inst.clone() }, actions.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::instrument::*;

    #[derive(Deserialize)]
    struct ActionsFile {
        #[allow(dead_code)]
        instrument: String,
        actions: Vec<RecommendedAction>,
    }

    /// The shipped instruments with their actions and translation files (the store loads the same).
    /// An instrument, its actions and its translations by language.
    type Shipped = (Instrument, Vec<RecommendedAction>, Vec<(&'static str, Translation)>);

    fn shipped() -> Vec<Shipped> {
        macro_rules! dir {
            ($slug:literal) => {{
                let inst: Instrument =
                    toml::from_str(include_str!(concat!("../../../../data/instruments/", $slug, "/v1.toml"))).unwrap();
                let acts: ActionsFile =
                    toml::from_str(include_str!(concat!("../../../../data/instruments/", $slug, "/actions.toml")))
                        .unwrap();
                let de = include_str!(concat!("../../../../data/instruments/", $slug, "/v1.de.toml"));
                let fr = include_str!(concat!("../../../../data/instruments/", $slug, "/v1.fr.toml"));
                let tr = vec![("de", toml::from_str(de).unwrap()), ("fr", toml::from_str(fr).unwrap())];
                (inst, acts.actions, tr)
            }};
        }
        vec![dir!("city-digital-maturity"), dir!("innovation-capacity-pulse")]
    }

    /// Every text of an instrument and its actions, in a fixed order.
    fn texts(inst: &Instrument, actions: &[RecommendedAction]) -> Vec<String> {
        let mut v = vec![inst.title.clone(), inst.description.clone()];
        for c in &inst.capabilities {
            v.extend([c.title.clone(), c.description.clone()]);
        }
        for q in &inst.questions {
            v.extend([q.text.clone(), q.help.clone(), q.evidence.clone()]);
            v.extend(q.levels.iter().cloned());
            v.extend(q.items.iter().map(|i| i.text.clone()));
        }
        for c in &inst.context {
            v.extend([c.text.clone(), c.help.clone(), c.unit.clone().unwrap_or_default()]);
        }
        for a in actions {
            v.extend([a.title.clone(), a.description.clone()]);
        }
        v
    }

    /// The instrument and actions with every text blanked: what a translation must not change.
    fn skeleton(inst: &Instrument, actions: &[RecommendedAction]) -> (Instrument, Vec<RecommendedAction>) {
        let mut i = inst.clone();
        i.title.clear();
        i.description.clear();
        i.translations.clear();
        i.capabilities.iter_mut().for_each(|c| {
            c.title.clear();
            c.description.clear();
        });
        for q in &mut i.questions {
            q.text.clear();
            q.help.clear();
            q.evidence.clear();
            q.levels.iter_mut().for_each(String::clear);
            q.items.iter_mut().for_each(|it| it.text.clear());
        }
        for c in &mut i.context {
            c.text.clear();
            c.help.clear();
            c.unit.iter_mut().for_each(String::clear);
        }
        let a = actions
            .iter()
            .map(|a| RecommendedAction { title: String::new(), description: String::new(), ..a.clone() })
            .collect();
        (i, a)
    }

    /// A translation that marks every English text with `mark`.
    fn marked(inst: &Instrument, actions: &[RecommendedAction], mark: &str) -> Translation {
        let m = |s: &str| if s.is_empty() { String::new() } else { format!("{mark}{s}") };
        Translation {
            title: m(&inst.title),
            description: m(&inst.description),
            capabilities: inst
                .capabilities
                .iter()
                .map(|c| (c.slug.clone(), CapabilityText { title: m(&c.title), description: m(&c.description) }))
                .collect(),
            questions: inst
                .questions
                .iter()
                .map(|q| {
                    let t = QuestionText {
                        text: m(&q.text),
                        help: m(&q.help),
                        evidence: m(&q.evidence),
                        levels: q.levels.iter().map(|l| m(l)).collect(),
                        items: q.items.iter().map(|i| (i.id.clone(), m(&i.text))).collect(),
                    };
                    (q.id.clone(), t)
                })
                .collect(),
            context: inst
                .context
                .iter()
                .map(|c| {
                    (c.id.clone(), ContextText { text: m(&c.text), help: m(&c.help), unit: c.unit.as_deref().map(m) })
                })
                .collect(),
            actions: action_ids(actions)
                .into_iter()
                .zip(actions)
                .map(|(id, a)| (id, ActionText { title: m(&a.title), description: m(&a.description) }))
                .collect(),
        }
    }

    #[test]
    fn applying_a_translation_replaces_every_text_and_nothing_else() {
        for (inst, actions, _) in shipped() {
            let t = marked(&inst, &actions, "‹de› ");
            check_translation(&inst, &actions, "de", &t).unwrap();
            let (out, acts) = apply_translation(&inst, &actions, &t);
            assert_eq!(skeleton(&out, &acts), skeleton(&inst, &actions), "{}: only texts change", inst.slug);
            let (before, after) = (texts(&inst, &actions), texts(&out, &acts));
            assert_eq!(before.len(), after.len());
            for (en, de) in before.iter().zip(&after) {
                let want = if en.is_empty() { String::new() } else { format!("‹de› {en}") };
                assert_eq!(de, &want, "{}: every text is the translation's", inst.slug);
            }
            assert!(out.translations.is_empty());
        }
    }

    #[test]
    fn shipped_translations_cover_their_version_and_change_only_text() {
        for (inst, actions, translations) in shipped() {
            let english = texts(&inst, &actions);
            for (lang, t) in translations {
                check_translation(&inst, &actions, lang, &t).unwrap_or_else(|e| panic!("{} {lang}: {e}", inst.slug));
                let (out, acts) = apply_translation(&inst, &actions, &t);
                assert_eq!(skeleton(&out, &acts), skeleton(&inst, &actions), "{} {lang}", inst.slug);
                let translated = texts(&out, &acts);
                // Written out, not copied: all but a few shared words ("Governance", "EUR") differ.
                let same: Vec<&String> =
                    english.iter().zip(&translated).filter(|(e, t)| !e.is_empty() && e == t).map(|(e, _)| e).collect();
                assert!(
                    same.len() <= 3,
                    "{} {lang}: {} texts left in English: {:?}",
                    inst.slug,
                    same.len(),
                    &same[..5]
                );
            }
        }
    }

    #[test]
    fn a_translation_must_cover_exactly_the_ids_and_texts() {
        let (inst, actions, _) = shipped().remove(0);
        let good = marked(&inst, &actions, "x ");
        let codes = |t: &Translation| -> Vec<(String, &'static str)> {
            check_translation(&inst, &actions, "de", t).unwrap_err().0.into_iter().map(|e| (e.field, e.code)).collect()
        };
        let mut t = good.clone();
        t.questions.remove("dv-strategy");
        assert_eq!(codes(&t), [("de.questions.dv-strategy".into(), "missing-translation")]);
        let mut t = good.clone();
        t.questions.insert("dv-nonsense".into(), t.questions["dv-strategy"].clone());
        let err = check_translation(&inst, &actions, "de", &t).unwrap_err();
        assert_eq!(err.0[0].field, "de.questions.dv-nonsense");
        assert_eq!(err.0[0].code, "unknown-id");
        assert!(err.to_string().contains("\"dv-nonsense\" is not a question of city-digital-maturity v1"), "{err}");
        let mut t = good.clone();
        t.capabilities.remove("governance");
        t.actions.remove("governance-1-1");
        t.context.insert("ctx-shoe-size".into(), ContextText { text: "x".into(), help: String::new(), unit: None });
        assert_eq!(
            codes(&t),
            [
                ("de.capabilities.governance".into(), "missing-translation"),
                ("de.context.ctx-shoe-size".into(), "unknown-id"),
                ("de.actions.governance-1-1".into(), "missing-translation"),
            ]
        );
        let checklist = inst.questions.iter().find(|q| q.kind == QuestionKind::Checklist).unwrap();
        let mut t = good.clone();
        let q = t.questions.get_mut(&checklist.id).unwrap();
        let first = checklist.items[0].id.clone();
        q.items.remove(&first);
        q.help.clear();
        assert_eq!(
            codes(&t),
            [
                (format!("de.questions.{}.help", checklist.id), "translation-mismatch"),
                (format!("de.questions.{}.items.{first}", checklist.id), "missing-translation"),
            ]
        );
        let mut t = good.clone();
        t.questions.get_mut("dv-strategy").unwrap().levels.pop();
        t.questions.get_mut("dv-leadership").unwrap().levels[2] = " ".into();
        assert_eq!(
            codes(&t),
            [
                ("de.questions.dv-leadership.levels[3]".into(), "translation-mismatch"),
                ("de.questions.dv-strategy.levels".into(), "translation-mismatch"),
            ]
        );
    }

    #[test]
    fn viewers_get_their_language_or_english() {
        let (inst, actions, translations) = shipped().remove(0);
        let mut inst = inst;
        inst.translations = translations.into_iter().map(|(l, t)| (l.to_string(), t)).collect();
        assert_eq!(inst.languages(), ["en", "de", "fr"]);
        assert_eq!(inst.language("de"), "de");
        assert_eq!(inst.language("es"), "en");
        let de = inst.localised("de");
        assert_eq!(de.title, inst.translations["de"].title);
        assert_eq!(inst.capability_title("fr", "governance"), inst.translations["fr"].capabilities["governance"].title);
        assert_eq!(inst.capability_title("es", "governance"), "Governance");
        assert_eq!(inst.capability_title("de", "nope"), "nope");
        let (en, acts) = localise(&inst, &actions, "es");
        assert_eq!((en.title.as_str(), acts), (inst.title.as_str(), actions));
        assert!(en.translations.is_empty());
    }

    #[test]
    fn action_ids_count_within_capability_and_level() {
        let a = |c: &str, l: u8| RecommendedAction {
            capability: c.into(),
            from_level: l,
            title: String::new(),
            description: String::new(),
        };
        let ids = action_ids(&[a("vision", 1), a("vision", 1), a("data", 1), a("vision", 2), a("vision", 1)]);
        assert_eq!(ids, ["vision-1-1", "vision-1-2", "data-1-1", "vision-2-1", "vision-1-3"]);
    }
}
