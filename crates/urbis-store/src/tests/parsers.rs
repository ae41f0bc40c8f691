//! Property tests of the files Urbis reads at start-up (instrument definitions, their actions and
//! translations, reference data): for any edit of a shipped file (a line removed or repeated, a value
//! replaced, arbitrary text or bytes inserted) parsing never panics, and a refused file is named in
//! the error, with the reason.

use crate::StoreError;
use crate::diagnostic::{INSTRUMENT_FILES, INSTRUMENT_TRANSLATIONS, parse_instrument_with};
use crate::reference::{REFERENCE_FILES, parse_reference};
use proptest::prelude::*;

/// An edit of a file's text.
#[derive(Debug, Clone)]
enum Edit {
    /// Remove line n (modulo the line count).
    DropLine(usize),
    /// Repeat line n.
    RepeatLine(usize),
    /// Replace the value after `=` on line n.
    Value(usize, String),
    /// Insert text at a character position.
    Insert(usize, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    let text = prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<u8>(), 0..16).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        "[\\[\\]{}=\"'\n0-9a-z.,-]{0,12}",
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("\"\"".to_string()),
        Just("[]".to_string()),
        Just("18446744073709551616".to_string()),
    ];
    prop_oneof![
        any::<usize>().prop_map(Edit::DropLine),
        any::<usize>().prop_map(Edit::RepeatLine),
        (any::<usize>(), text.clone()).prop_map(|(n, v)| Edit::Value(n, v)),
        (any::<usize>(), text).prop_map(|(n, v)| Edit::Insert(n, v)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for e in edits {
        let n = lines.len().max(1);
        match e {
            Edit::DropLine(i) if !lines.is_empty() => {
                lines.remove(i % n);
            }
            Edit::RepeatLine(i) if !lines.is_empty() => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Edit::Value(i, v) if !lines.is_empty() => {
                let l = &mut lines[i % n];
                if let Some((k, _)) = l.split_once('=') {
                    *l = format!("{k}= {v}");
                }
            }
            Edit::Insert(i, v) if !lines.is_empty() => {
                let l = &mut lines[i % n];
                let at = l.char_indices().map(|(b, _)| b).nth(i % (l.chars().count() + 1)).unwrap_or(l.len());
                l.insert_str(at, v);
            }
            _ => {}
        }
    }
    lines.join("\n")
}

/// A refusal names the file it refuses (one of `files`) and says why.
fn named_one_of(r: Result<(), StoreError>, files: &[String]) -> Result<(), TestCaseError> {
    match r {
        Ok(()) => Ok(()),
        Err(StoreError::Corrupt(msg)) => {
            prop_assert!(files.iter().any(|f| msg.starts_with(f.as_str()) && msg.len() > f.len() + 2), "{msg}");
            Ok(())
        }
        Err(e) => Err(TestCaseError::fail(format!("not a refusal of the file: {e:?}"))),
    }
}

fn named(r: Result<(), StoreError>, file: &str) -> Result<(), TestCaseError> {
    named_one_of(r, &[file.to_string()])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn an_edited_instrument_file_is_parsed_or_refused_by_name(
        which in 0..INSTRUMENT_FILES.len(),
        part in 0..3usize,
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let (name, definition, actions) = INSTRUMENT_FILES[which];
        let translations: Vec<(&str, String)> = INSTRUMENT_TRANSLATIONS
            .iter()
            .filter(|(n, _, _)| *n == name)
            .map(|(_, lang, text)| (*lang, text.to_string()))
            .collect();
        let (mut definition, mut actions, mut translations) = (definition.to_string(), actions.to_string(), translations);
        // Edit the definition, the actions or the first translation.
        match part {
            0 => definition = apply(&definition, &edits),
            1 => actions = apply(&actions, &edits),
            _ => translations[0].1 = apply(&translations[0].1, &edits),
        }
        let t: Vec<(&str, &str)> = translations.iter().map(|(l, t)| (*l, t.as_str())).collect();
        let r = parse_instrument_with(name, &definition, &actions, &t).map(|_| ());
        // A translation is refused by its own file name; the definition and actions by the
        // instrument's, or by a translation's when the edit leaves it no longer matching.
        let mut files: Vec<String> = translations.iter().map(|(l, _)| name.replace(".toml", &format!(".{l}.toml"))).collect();
        if part != 2 {
            files.push(name.to_string());
        }
        named_one_of(r, &files)?;
    }

    #[test]
    fn an_edited_reference_file_is_parsed_or_refused_by_name(edits in proptest::collection::vec(edit(), 1..4)) {
        let (name, text) = REFERENCE_FILES[0];
        named(parse_reference(name, &apply(text, &edits)).map(|_| ()), name)?;
    }

    #[test]
    fn arbitrary_text_is_refused_by_name(text in any::<String>()) {
        let (name, _, actions) = INSTRUMENT_FILES[0];
        named(parse_instrument_with(name, &text, actions, &[]).map(|_| ()), name)?;
        let (name, definition, actions) = INSTRUMENT_FILES[0];
        named(parse_instrument_with(name, definition, actions, &[("de", &text)]).map(|_| ()), &name.replace(".toml", ".de.toml"))?;
        named(parse_reference("reference.toml", &text).map(|_| ()), "reference.toml")?;
    }
}

#[test]
fn the_shipped_files_parse() {
    for (name, definition, actions) in INSTRUMENT_FILES {
        let t: Vec<(&str, &str)> =
            INSTRUMENT_TRANSLATIONS.iter().filter(|(n, _, _)| n == name).map(|(_, l, t)| (*l, *t)).collect();
        parse_instrument_with(name, definition, actions, &t).unwrap();
    }
    parse_reference(REFERENCE_FILES[0].0, REFERENCE_FILES[0].1).unwrap();
}
