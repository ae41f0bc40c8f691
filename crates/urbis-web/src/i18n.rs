//! Interface language (re-exported from the application layer, which also writes e-mails): the
//! translator, negotiation, and the tests that every locale has every key templates and code use.

pub use urbis_app::i18n::*;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn negotiation_order() {
        assert_eq!(negotiate(Some("fr"), Some("de"), Some("de")), "fr");
        assert_eq!(negotiate(None, Some("de"), Some("fr")), "de");
        assert_eq!(negotiate(None, None, Some("da, de-AT;q=0.8, fr;q=0.9")), "fr");
        assert_eq!(negotiate(None, None, Some("de-CH")), "de");
        assert_eq!(negotiate(Some("xx"), None, Some("fr;q=0")), "en");
        assert_eq!(negotiate(None, None, None), "en");
    }

    fn keys(lang: &str) -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../locales").join(lang);
        let mut out = BTreeSet::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines() {
                if let Some((id, _)) = line.split_once(" =")
                    && !id.starts_with([' ', '#', '.', '-', '*', '['])
                    && !id.is_empty()
                {
                    out.insert(id.trim().to_string());
                }
            }
        }
        out
    }

    #[test]
    fn every_locale_has_every_key() {
        let en = keys("en");
        assert!(en.len() > 50);
        for (code, _) in LANGUAGES {
            let other = keys(code);
            let missing: Vec<_> = en.difference(&other).collect();
            let extra: Vec<_> = other.difference(&en).collect();
            assert!(missing.is_empty(), "{code} lacks {missing:?}");
            assert!(extra.is_empty(), "{code} has keys English lacks: {extra:?}");
        }
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let en = keys("en");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![];
        let mut stack = vec![root.join("../../templates"), root.join("src"), root.join("../urbis-app/src")];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() { stack.push(p) } else { files.push(p) }
            }
        }
        let mut missing = BTreeSet::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for pat in ["t.get(\"", "t.with(\"", "t.count(\""] {
                for chunk in text.split(pat).skip(1) {
                    let id = chunk.split('"').next().unwrap();
                    if !id.contains('{') && !en.contains(id) {
                        missing.insert(format!("{}: {id}", f.file_name().unwrap().to_string_lossy()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "message ids without an English message: {missing:?}");
    }

    /// Message ids built at run time from data (roles, states, reference data, error codes) exist.
    #[test]
    fn dynamic_message_ids_exist() {
        use urbis_domain::network::{InvitationState, ParticipationStatus};
        use urbis_domain::policy::Role;
        let mut ids: Vec<String> = vec![];
        ids.extend(Role::ALL.iter().map(|r| format!("role-{}", r.as_str())));
        ids.extend(ParticipationStatus::ALL.iter().map(|s| format!("status-{}", s.as_str())));
        for s in
            [InvitationState::Pending, InvitationState::Accepted, InvitationState::Expired, InvitationState::Revoked]
        {
            ids.push(format!("invitation-state-{}", s.as_str()));
        }
        ids.extend(urbis_domain::diagnostic::Confidence::ALL.iter().map(|c| format!("confidence-{c}")));
        for st in ["draft", "submitted"] {
            ids.push(format!("assessment-status-{st}"));
        }
        for c in ["yes", "partial", "no"] {
            ids.push(format!("questionnaire-choice-{c}"));
        }
        {
            use urbis_domain::services::service::Channel;
            use urbis_domain::services::*;
            ids.extend(PhaseKind::ALL.iter().map(|x| format!("phase-{x}")));
            ids.extend(ExitResult::ALL.iter().map(|x| format!("exit-{x}")));
            ids.extend(MilestoneState::ALL.iter().map(|x| format!("milestone-{x}")));
            ids.extend(Channel::ALL.iter().map(|x| format!("channel-{x}")));
            ids.extend(Quality::ALL.iter().map(|x| format!("quality-{x}")));
            ids.extend(Status::ALL.iter().map(|x| format!("indicator-status-{x}")));
            ids.extend(Direction::ALL.iter().map(|x| format!("direction-{x}")));
            ids.extend(FocusArea::ALL.iter().map(|x| format!("focus-{x}")));
            ids.extend((1..=SERVICE_STANDARD.len()).map(|n| format!("standard-{n}")));
            // CSV import errors are row errors, not FieldError::new calls with a literal field.
            for code in [
                "unterminated-quote",
                "empty-file",
                "unknown-column",
                "unnamed-column",
                "repeated-column",
                "missing-column",
                "too-many-rows",
                "wrong-column-count",
                "duplicate-row",
                "invalid-date",
                "invalid-amount",
                "not-utf8",
            ] {
                ids.push(format!("error-{code}"));
            }
            for f in [
                "title",
                "focus_area",
                "phase",
                "problem",
                "audience",
                "team",
                "channels",
                "languages",
                "output",
                "cost",
                "currency",
                "builds_on",
                "published",
                "starts_on",
                "ends_on",
                "goal",
                "exit_result",
                "exit_checklist",
                "exit_notes",
                "due_on",
                "held_on",
                "participants",
                "findings",
                "quotes",
                "tags",
                "decision",
                "unit",
                "direction",
                "baseline_value",
                "baseline_date",
                "target_value",
                "target_date",
                "data_source",
                "method",
                "breakdowns",
                "date",
                "value",
                "quality",
                "breakdown",
                "note",
                "csv",
                "file",
                "row",
                "kind",
            ] {
                ids.push(format!("field-{f}"));
            }
        }
        for (name, text) in urbis_store::reference::REFERENCE_FILES {
            let f = urbis_store::reference::parse_reference(name, text).unwrap();
            ids.extend(f.capabilities.iter().map(|c| format!("capability-{}", c.slug)));
            ids.extend(f.focus_areas.iter().map(|c| format!("focus-{}", c.slug)));
            for c in &f.cities {
                ids.push(format!("country-{}", c.country_code));
                if !c.note.is_empty() {
                    ids.push(format!("note-{}", c.slug));
                }
            }
        }
        // Every error code the domain, store, application and web layers can produce: the code
        // argument of FieldError::new, StoreError::refused, AppError::invalid/refused and Problem::field.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut stack = vec![
            root.join("urbis-domain/src"),
            root.join("urbis-store/src"),
            root.join("urbis-web/src"),
            root.join("urbis-app/src"),
        ];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.ends_with("instrument.rs") || path.ends_with("translation.rs") || path.ends_with("i18n.rs") {
                    continue; // instrument-file validation speaks to data authors, not users
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // (call, index of the code among its arguments)
                for (pat, at) in [
                    ("FieldError::new(", 1),
                    ("StoreError::refused(", 1),
                    ("Problem::field(", 2),
                    ("AppError::invalid(", 1),
                    ("AppError::refused(", 1),
                ] {
                    for (i, _) in text.match_indices(pat) {
                        let code = nth_argument(&text[i + pat.len()..], at);
                        if let Some(code) = code.strip_prefix('"').and_then(|c| c.strip_suffix('"'))
                            && !code.is_empty()
                            && code.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                        {
                            ids.push(format!("error-{code}"));
                        }
                    }
                }
            }
        }
        for (code, _) in LANGUAGES {
            let t = Tr::new(code);
            let missing: Vec<&String> = ids.iter().filter(|id| !t.has(id)).collect();
            assert!(missing.is_empty(), "{code} lacks {missing:?}");
        }
    }

    /// The `n`th top-level argument (trimmed) of a call whose text starts just after its `(`.
    fn nth_argument(call: &str, n: usize) -> &str {
        let (mut depth, mut quoted, mut start, mut index) = (0i32, false, 0, 0);
        for (i, c) in call.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '(' | '[' | '{' if !quoted => depth += 1,
                ')' | ']' | '}' if !quoted && depth == 0 => return if index == n { call[start..i].trim() } else { "" },
                ')' | ']' | '}' if !quoted => depth -= 1,
                ',' if !quoted && depth == 0 => {
                    if index == n {
                        return call[start..i].trim();
                    }
                    index += 1;
                    start = i + 1;
                }
                _ => {}
            }
        }
        ""
    }

    #[test]
    fn messages_resolve_in_every_language() {
        for (code, _) in LANGUAGES {
            let t = Tr::new(code);
            let s = t.get("site-name");
            assert_eq!(s, "Urbis");
            assert!(!t.get("nav-programmes").is_empty());
        }
        assert_ne!(Tr::new("de").get("nav-sign-in"), Tr::new("en").get("nav-sign-in"));
    }
}
