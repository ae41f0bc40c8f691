//! Interface language: Fluent messages under `locales/<lang>/`, negotiation and the translator
//! handed to templates. English is the source; every locale has every key (a test checks).

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;
use unic_langid::LanguageIdentifier;

static_loader! {
    pub static LOCALES = {
        locales: "../../locales",
        fallback_language: "en",
        // No Unicode isolation marks: they would end up inside HTML attributes and URLs.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages of the interface: code and the language's own name.
pub const LANGUAGES: &[(&str, &str)] = &[("en", "English"), ("de", "Deutsch"), ("fr", "Français")];

/// Translator for one language.
#[derive(Clone, Debug)]
pub struct Tr {
    pub code: &'static str,
    lang: LanguageIdentifier,
}

impl Tr {
    pub fn new(code: &str) -> Tr {
        let code = LANGUAGES.iter().find(|(c, _)| *c == code).map(|(c, _)| *c).unwrap_or("en");
        Tr { code, lang: code.parse().expect("language code") }
    }

    /// The message `id`.
    pub fn get(&self, id: &str) -> String {
        LOCALES.lookup(&self.lang, id)
    }

    /// Is there a message `id` (in this language or the English fallback)?
    pub fn has(&self, id: &str) -> bool {
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        args.insert(Cow::Borrowed("field"), FluentValue::from("x"));
        LOCALES.try_lookup_with_args(&self.lang, id, &args).is_some()
    }

    /// The message `id` with named arguments.
    pub fn with(&self, id: &str, args: &[(&'static str, &str)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> =
            args.iter().map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.to_string()))).collect();
        LOCALES.lookup_with_args(&self.lang, id, &map)
    }

    /// The message `id` with a numeric argument `count` (for plural forms) and other arguments.
    pub fn count(&self, id: &str, count: impl std::borrow::Borrow<u64>, args: &[(&'static str, &str)]) -> String {
        let count = *count.borrow();
        let mut map: HashMap<Cow<'static, str>, FluentValue> =
            args.iter().map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.to_string()))).collect();
        map.insert(Cow::Borrowed("count"), FluentValue::from(count));
        LOCALES.lookup_with_args(&self.lang, id, &map)
    }
}

/// Is `code` one of the interface languages?
pub fn supported(code: &str) -> bool {
    LANGUAGES.iter().any(|(c, _)| *c == code)
}

/// Choose the language: an explicit choice (cookie), then the account's preference, then the
/// browser's `Accept-Language` by quality, then English.
pub fn negotiate(choice: Option<&str>, account: Option<&str>, accept_language: Option<&str>) -> &'static str {
    for c in [choice, account].into_iter().flatten() {
        if let Some((code, _)) = LANGUAGES.iter().find(|(l, _)| *l == c) {
            return code;
        }
    }
    if let Some(header) = accept_language {
        let mut prefs: Vec<(f32, usize, &str)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut it = part.trim().split(';');
                let tag = it.next()?.trim();
                let q = it.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
                Some((q, i, tag))
            })
            .filter(|(q, _, _)| *q > 0.0)
            .collect();
        prefs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, _, tag) in prefs {
            let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
            if let Some((code, _)) = LANGUAGES.iter().find(|(l, _)| *l == primary) {
                return code;
            }
        }
    }
    "en"
}
