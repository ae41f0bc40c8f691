//! Generated input against the running application: every form page that takes a posted form, the
//! JSON API's write operations and the CSV import are sent values made by proptest (arbitrary
//! unicode, arbitrary bytes — invalid UTF-8 included —, numbers, dates and separators) under the
//! field names the form or operation uses. None may answer a server error; a refusal of the API
//! is an RFC 9457 problem naming what was wrong; a refused CSV file names the row and column.
//!
//! The cases are drawn from proptest strategies with a fixed seed, so a run is repeatable; a
//! failure prints the request that caused it.

mod common;

use common::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};
use urbis_domain::policy::Role;

/// Cases per kind of request (forms, JSON, CSV), per database.
const CASES: usize = 60;

fn runner() -> TestRunner {
    TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]))
}

fn draw<S: Strategy>(runner: &mut TestRunner, s: &S) -> S::Value {
    s.new_tree(runner).unwrap().current()
}

/// A value as bytes: arbitrary unicode, arbitrary bytes, or text parsers care about.
fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        any::<String>().prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..24),
        "[-0-9.,e ]{0,12}".prop_map(String::into_bytes),
        "[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}".prop_map(String::into_bytes),
        "[a-z_=|;\u{202e}\u{0} ]{0,16}".prop_map(String::into_bytes),
        Just(b"\xff\xfe".to_vec()),
        Just(Vec::new()),
    ]
}

fn percent(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}

/// The names of the fields of the forms on a page (`name="…"`), the CSRF token left out.
fn field_names(html: &str) -> Vec<String> {
    let mut names: Vec<String> = html
        .split("name=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        // Passwords are left alone so that the session and the token stay valid.
        .filter(|n| *n != "csrf" && !n.is_empty() && !n.contains("password"))
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}

on_both!(generated_input_never_makes_a_server_error, |app: TestApp| async move {
    let b = app.signed_in_as("lead@riga.example", Role::CityLead, "riga").await;
    let token = app.token("lead@riga.example").await;
    let service = json!({"title": "Rent support online", "description": "Apply once.", "focus_area": "housing"});
    let sid = app.created(&token, "/api/v1/cities/riga/services", &service).await["id"].as_str().unwrap().to_string();
    let indicator = json!({"name": "Applications", "unit": "%", "direction": "increase",
                           "baseline": {"value": 40, "date": "2021-01-01"}, "target": {"value": 80, "date": "2022-01-01"},
                           "breakdowns": {"age_band": ["16-24", "25-64"]}});
    let iid = app.created(&token, &format!("/api/v1/services/{sid}/indicators"), &indicator).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mid = app
        .created(
            &token,
            &format!("/api/v1/services/{sid}/milestones"),
            &json!({"title": "Beta", "due_on": "2021-09-01"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let item = json!({"capability": "governance", "title": "Board", "owner": "CDO"});
    let pid = app.created(&token, "/api/v1/cities/riga/plan", &item).await["id"].as_str().unwrap().to_string();
    let mut runner = runner();

    // Every form page a city lead can post to, with the fields its own forms name.
    let forms = [
        "/account".to_string(),
        "/cities/riga/edit".into(),
        "/cities/riga/team".into(),
        "/cities/riga/services/new".into(),
        format!("/services/{sid}/edit"),
        format!("/services/{sid}/phases/alpha"),
        format!("/services/{sid}/milestones/new"),
        format!("/milestones/{mid}/edit"),
        format!("/services/{sid}/research/new"),
        format!("/services/{sid}/indicators/new"),
        format!("/indicators/{iid}/import"),
        "/cities/riga/plan/new".into(),
        format!("/plan-items/{pid}/edit"),
    ];
    let pages: Vec<(String, String, Vec<String>)> = {
        let mut v = vec![];
        for path in &forms {
            let html = app.page(&b, path).await;
            let names = field_names(&html);
            assert!(!names.is_empty(), "{path} has a form");
            v.push((path.clone(), csrf_of(&html), names));
        }
        v
    };
    for i in 0..CASES * 2 {
        let (path, csrf, names) = &pages[i % pages.len()];
        let mut body = format!("csrf={csrf}");
        for name in names {
            if draw(&mut runner, &any::<bool>()) || name == "version" {
                body += &format!("&{name}={}", percent(&draw(&mut runner, &value())));
            }
        }
        let r = b
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "POST {path} {body}: {}", r.status());
    }

    // The JSON API's writes, with generated values under the fields they take.
    let json_value = prop_oneof![
        any::<String>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON numbers are finite", |v| v.is_finite()).prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        "[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}".prop_map(Value::from),
        proptest::collection::vec(any::<String>(), 0..3).prop_map(Value::from),
    ];
    let writes: [(reqwest::Method, String, &[&str]); 7] = [
        (
            reqwest::Method::POST,
            format!("/api/v1/indicators/{iid}/measurements"),
            &["date", "value", "quality", "note"],
        ),
        (reqwest::Method::POST, "/api/v1/cities/riga/services".into(), &["title", "description", "focus_area", "cost"]),
        (reqwest::Method::POST, format!("/api/v1/services/{sid}/milestones"), &["title", "due_on", "state"]),
        (
            reqwest::Method::POST,
            format!("/api/v1/services/{sid}/research"),
            &["held_on", "title", "participants", "findings", "tags"],
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/services/{sid}/indicators"),
            &["name", "unit", "direction", "baseline", "target"],
        ),
        (
            reqwest::Method::POST,
            "/api/v1/cities/riga/plan".into(),
            &["capability", "title", "owner", "due_on", "status"],
        ),
        (reqwest::Method::PATCH, "/api/v1/cities/riga".into(), &["description", "website"]),
    ];
    for i in 0..CASES {
        let (method, path, fields) = &writes[i % writes.len()];
        let mut body = serde_json::Map::new();
        for f in *fields {
            body.insert(f.to_string(), draw(&mut runner, &json_value));
        }
        let body = Value::Object(body);
        let r = app
            .client()
            .request(method.clone(), app.url(path))
            .bearer_auth(&token)
            .header("if-match", "*")
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert!(status < 500, "{method} {path} {body}: {status}");
        if status >= 400 {
            assert_eq!(r.headers()["content-type"], "application/problem+json", "{method} {path} {body}");
            let p = json_of(r).await;
            if status == 422 {
                let fields = error_fields(&p);
                assert!(!fields.is_empty() && fields.iter().all(|f| !f.is_empty()), "{path} {body}: {p}");
            }
        }
    }

    // The CSV import: generated files, a refusal names the row and column of each problem.
    let lines = proptest::collection::vec(
        prop_oneof![
            "[0-9]{4}-[0-9]{2}-[0-9]{2},[-0-9.,]{1,6},(final|provisional|estimate|x)?,(age_band=16-24)?,[a-z\" ]{0,8}",
            any::<String>(),
            "[,\"\r\n a-z0-9]{0,20}",
        ],
        0..6,
    );
    for _ in 0..CASES {
        let body = format!("date,value,quality,breakdown,note\n{}", draw(&mut runner, &lines).join("\n"));
        let r = app
            .client()
            .post(app.url(&format!("/api/v1/indicators/{iid}/measurements.csv")))
            .bearer_auth(&token)
            .header("content-type", "text/csv")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert!(status < 500, "{body:?}: {status}");
        if status == 422 {
            let p = json_of(r).await;
            for e in p["errors"].as_array().unwrap() {
                assert!(e["row"].as_u64().is_some_and(|r| r >= 1) && e["field"].as_str().is_some(), "{body:?}: {p}");
            }
        }
    }
});
