//! The formulas against the shared test vectors in `data/test-vectors/diagnostic.toml`.

use super::benchmark::{Distribution, percentile_rank};
use super::instrument::*;
use super::scoring::*;
use std::collections::HashMap;
use toml::Value;

fn vectors() -> toml::Table {
    include_str!("../../../../data/test-vectors/diagnostic.toml").parse().expect("vectors parse")
}

fn list<'a>(t: &'a toml::Table, key: &str) -> &'a Vec<Value> {
    t[key].as_array().unwrap_or_else(|| panic!("{key} vectors"))
}

fn f(v: &Value) -> f64 {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).expect("number")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn question(id: &str, capability: &str, kind: QuestionKind, weight: f64) -> Question {
    Question {
        id: id.into(),
        capability: capability.into(),
        kind,
        text: String::new(),
        help: String::new(),
        evidence: String::new(),
        weight,
        required: true,
        allow_not_applicable: true,
        levels: if kind == QuestionKind::Level { vec!["l".into(); 5] } else { vec![] },
        items: if kind == QuestionKind::Checklist {
            ["a", "b", "c", "d"].iter().map(|i| ChecklistItem { id: i.to_string(), text: String::new() }).collect()
        } else {
            vec![]
        },
    }
}

fn instrument(case: &Value, questions: Vec<Question>) -> Instrument {
    Instrument {
        slug: "test".into(),
        version: 1,
        kind: InstrumentKind::Diagnostic,
        title: String::new(),
        description: String::new(),
        published_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        level_threshold: f(&case["level_threshold"]),
        sources: vec![],
        capabilities: case["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| Capability {
                slug: c["slug"].as_str().unwrap().into(),
                title: String::new(),
                description: String::new(),
                weight: f(&c["weight"]),
            })
            .collect(),
        questions,
        context: vec![],
        translations: Default::default(),
    }
}

/// A vector value: a number, "na" (not applicable) or "missing" (unanswered, left out of the map).
fn value(v: &Value) -> Option<Option<f64>> {
    match v.as_str() {
        Some("na") => Some(None),
        Some("missing") => None,
        _ => Some(Some(f(v))),
    }
}

#[test]
fn normalise_vectors() {
    let t = vectors();
    for case in list(&t, "normalise") {
        let a = &case["answer"];
        let (q, answer) = if let Some(l) = a.get("level") {
            (question("q", "c", QuestionKind::Level, 1.0), Answer::Level(l.as_integer().unwrap() as u8))
        } else if let Some(items) = a.get("ticked") {
            let ids = items.as_array().unwrap().iter().map(|i| i.as_str().unwrap().to_string()).collect();
            (question("q", "c", QuestionKind::Checklist, 1.0), Answer::Ticked(ids))
        } else {
            let c = match a["choice"].as_str().unwrap() {
                "yes" => Choice::Yes,
                "partial" => Choice::Partial,
                _ => Choice::No,
            };
            (question("q", "c", QuestionKind::Choice, 1.0), Answer::Choice(c))
        };
        let got = normalise(&q, &answer).unwrap().unwrap();
        assert!(close(got, f(&case["expected"])), "{a}: got {got}");
    }
}

#[test]
fn wrong_answers_are_named_errors() {
    let level = question("dv-1", "c", QuestionKind::Level, 1.0);
    assert_eq!(normalise(&level, &Answer::Level(6)).unwrap_err().field, "level");
    assert_eq!(normalise(&level, &Answer::Level(0)).unwrap_err().code, "out-of-range");
    assert_eq!(normalise(&level, &Answer::Choice(Choice::Yes)).unwrap_err().code, "wrong-answer-type");
    let list = question("c-1", "c", QuestionKind::Checklist, 1.0);
    let e = normalise(&list, &Answer::Ticked(vec!["z".into()])).unwrap_err();
    assert_eq!((e.field.as_str(), e.code), ("ticked", "unknown-item"));
    assert_eq!(normalise(&list, &Answer::Ticked(vec!["a".into(), "a".into()])).unwrap_err().code, "repeated-item");
    let mut strict = question("s", "c", QuestionKind::Choice, 1.0);
    strict.allow_not_applicable = false;
    assert_eq!(normalise(&strict, &Answer::NotApplicable).unwrap_err().code, "not-applicable-not-allowed");
    assert_eq!(normalise(&level, &Answer::NotApplicable).unwrap(), None);
}

#[test]
fn lower_median_and_spread_vectors() {
    let t = vectors();
    for case in list(&t, "lower_median") {
        let vals: Vec<f64> = case["values"].as_array().unwrap().iter().map(f).collect();
        assert!(close(lower_median(&vals).unwrap(), f(&case["expected"])), "{vals:?}");
    }
    for case in list(&t, "spread") {
        let vals: Vec<f64> = case["values"].as_array().unwrap().iter().map(f).collect();
        let s = spread(&vals).unwrap();
        assert!(close(s.min, f(&case["min"])) && close(s.max, f(&case["max"])) && close(s.sd, f(&case["sd"])), "{s:?}");
    }
    assert_eq!(lower_median(&[]), None);
    assert_eq!(consolidate(&[]), None);
    assert_eq!(consolidate(&[None, None]), Some(None));
    assert_eq!(consolidate(&[None, Some(25.0), Some(75.0)]), Some(Some(25.0)));
}

#[test]
fn score_vectors() {
    let t = vectors();
    for case in list(&t, "score") {
        let name = case["name"].as_str().unwrap();
        let mut values = HashMap::new();
        let qs = case["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| {
                let id = q["id"].as_str().unwrap();
                if let Some(v) = value(&q["value"]) {
                    values.insert(id.to_string(), v);
                }
                question(id, q["capability"].as_str().unwrap(), QuestionKind::Level, f(&q["weight"]))
            })
            .collect();
        let inst = instrument(case, qs);
        let got = score(&inst, &values);
        let exp = case["expected"].as_table().unwrap();
        match exp.get("overall") {
            Some(o) => assert!(close(got.overall.unwrap(), f(o)), "{name}: overall {:?}", got.overall),
            None => assert_eq!(got.overall, None, "{name}"),
        }
        for c in &inst.capabilities {
            let e = &exp[&c.slug];
            let r = &got.capabilities[&c.slug];
            assert_eq!(i64::from(r.level), e["level"].as_integer().unwrap(), "{name}: level of {}", c.slug);
            match e.get("score") {
                Some(s) => assert!(close(r.score.unwrap(), f(s)), "{name}: score of {} = {:?}", c.slug, r.score),
                None => assert_eq!(r.score, None, "{name}"),
            }
        }
    }
}

#[test]
fn respondent_vectors() {
    let t = vectors();
    for case in list(&t, "respondents") {
        let name = case["name"].as_str().unwrap();
        let cap = case["capabilities"][0]["slug"].as_str().unwrap();
        let qs = case["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| question(q["id"].as_str().unwrap(), cap, QuestionKind::Level, f(&q["weight"])))
            .collect();
        let inst = instrument(case, qs);
        let respondents: Vec<HashMap<String, Option<f64>>> = case["respondents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_table().unwrap().iter().filter_map(|(k, v)| value(v).map(|v| (k.clone(), v))).collect())
            .collect();
        let got = score_respondents(&inst, &respondents, &HashMap::new());
        let e = &case["expected"][cap];
        let r = &got.capabilities[cap];
        assert!(close(r.score.unwrap(), f(&e["score"])), "{name}: {:?}", r.score);
        assert_eq!(i64::from(r.level), e["level"].as_integer().unwrap(), "{name}");
        let s = r.spread.unwrap();
        assert!(
            close(s.min, f(&e["spread_min"])) && close(s.max, f(&e["spread_max"])) && close(s.sd, f(&e["spread_sd"])),
            "{name}: {s:?}"
        );
        // The city lead's override wins over the median.
        let overridden = score_respondents(&inst, &respondents, &HashMap::from([("t1".to_string(), Some(100.0))]));
        assert!(close(overridden.capabilities[cap].score.unwrap(), 75.0));
    }
}

#[test]
fn benchmark_vectors() {
    let t = vectors();
    for case in list(&t, "distribution") {
        let vals: Vec<f64> = case["values"].as_array().unwrap().iter().map(f).collect();
        let d = Distribution::of(&vals).unwrap();
        let e = &case["expected"];
        assert_eq!(d.n as i64, e["n"].as_integer().unwrap());
        for (got, key) in [(d.min, "min"), (d.q1, "q1"), (d.median, "median"), (d.q3, "q3"), (d.max, "max")] {
            assert!(close(got, f(&e[key])), "{}: {key} = {got}", case["name"]);
        }
    }
    for case in list(&t, "percentile_rank") {
        let vals: Vec<f64> = case["values"].as_array().unwrap().iter().map(f).collect();
        assert!(close(percentile_rank(&vals, f(&case["x"])).unwrap(), f(&case["expected"])));
    }
    assert_eq!(Distribution::of(&[]), None);
}

#[test]
fn instrument_validation_names_problems() {
    let case: Value = toml::from_str("level_threshold = 0.6\ncapabilities = [{ slug = \"a\", weight = 1.0 }]").unwrap();
    let mut inst = instrument(&case, vec![question("a-1", "a", QuestionKind::Level, 1.0)]);
    assert!(inst.validate().is_ok());
    inst.questions.push(question("a-1", "zzz", QuestionKind::Level, 0.0));
    inst.questions[0].levels.pop();
    let e = inst.validate().unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert!(fields.contains(&"questions[0].levels") && fields.contains(&"questions[1].id"));
    assert!(fields.contains(&"questions[1].capability") && fields.contains(&"questions[1].weight"));
}
