//! Outside input as text (issue 9, item 11): a form whose fields are not UTF-8 is refused whole,
//! naming the field, instead of being saved with U+FFFD in place of what was sent; names and titles
//! refuse bidirectional control characters, through the forms and the API alike.

mod common;

use common::{TestApp, error_fields, json_of};
use serde_json::{Value, json};
use urbis_domain::policy::Role;

const PROGRAMME: &str = "digital-innovation-initiative";

/// Post a URL-encoded body exactly as given (percent escapes included), with `csrf` first.
async fn post_raw(app: &TestApp, b: &reqwest::Client, path: &str, csrf: &str, rest: &str) -> reqwest::Response {
    b.post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&{rest}"))
        .send()
        .await
        .unwrap()
}

on_both!(forms_refuse_invalid_utf8_naming_the_field, |app: TestApp| async move {
    let email = app.person("ana@example.org", Some(Role::CityLead), "riga").await;
    let b = app.signed_in(&email).await;
    let before = app.store.person_by_email(&email).await.unwrap().unwrap();
    let csrf = app.csrf(&b, "/account").await;
    let version = before.version;
    for body in [
        format!("version={version}&name=Ana%FF&job_title=&locale="),
        format!("version={version}&name=Ana&job_title=Lead%C3&locale="),
        format!("version={version}&name=%E2%80&job_title=%FE%FF&locale="),
    ] {
        let r = post_raw(&app, &b, "/account", &csrf, &body).await;
        assert_eq!(r.status(), 400, "{body}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = r.text().await.unwrap();
        assert!(html.contains("was not sent as UTF-8 text"), "{html}");
        // The field is named by its label.
        let named = ["Name", "Job title"].iter().any(|l| html.contains(&format!("{l} was not sent")));
        assert!(named, "{html}");
        assert!(!html.contains('\u{FFFD}'));
    }
    let after = app.store.person_by_email(&email).await.unwrap().unwrap();
    assert_eq!((after.name, after.job_title, after.version), (before.name, before.job_title, before.version));

    // A field without a label is named as sent; a form without a valid CSRF token stays a 403.
    let r = post_raw(&app, &b, "/account", &csrf, "version=1&name=Ana&mystery=%FF").await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("mystery was not sent"));
    let r = post_raw(&app, &b, "/account", "forged", "name=%FF").await;
    assert_eq!(r.status(), 403);

    // The same holds on any form: a wave is not added.
    let pm = app.signed_in_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    let waves_page = format!("/programmes/{PROGRAMME}/waves");
    let waves = || async { app.get_json(&format!("/api/v1/programmes/{PROGRAMME}/waves")).await };
    let count = waves().await.as_array().unwrap().len();
    let csrf = app.csrf(&pm, &waves_page).await;
    let r =
        post_raw(&app, &pm, &waves_page, &csrf, "slug=t9&name=Wave%FF9&opens_on=2027-01-01&closes_on=2027-02-01").await;
    assert_eq!(r.status(), 400);
    assert_eq!(waves().await.as_array().unwrap().len(), count);
    // Well-formed UTF-8 in escapes is read as text (ā is %C4%81).
    let r =
        post_raw(&app, &pm, &waves_page, &csrf, "slug=t9&name=Vilni%C4%81+9&opens_on=2027-01-01&closes_on=2027-02-01")
            .await;
    assert_eq!(r.status(), 303);
    assert!(waves().await.as_array().unwrap().iter().any(|w| w["name"] == "Vilniā 9"));
});

on_both!(forms_refuse_bidi_controls_in_names, |app: TestApp| async move {
    let email = app.person("ana@example.org", Some(Role::CityLead), "riga").await;
    let b = app.signed_in(&email).await;
    let before = app.store.person_by_email(&email).await.unwrap().unwrap();
    for c in ['\u{202E}', '\u{2067}', '\u{200F}'] {
        let name = format!("Ana{c}exe.txt");
        let version = before.version.to_string();
        let r = app
            .submit_form(&b, "/account", &[("version", &version), ("name", &name), ("job_title", ""), ("locale", "")])
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("href=\"#field-name\""), "{html}");
        assert!(html.contains("Name must not contain bidirectional control characters"), "{html}");
    }
    let pm = app.signed_in_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    let waves_page = format!("/programmes/{PROGRAMME}/waves");
    let fields = [("slug", "t9"), ("name", "\u{2066}Wave 9"), ("opens_on", "2027-01-01"), ("closes_on", "2027-02-01")];
    let r = app.submit_form(&pm, &waves_page, &fields).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("href=\"#field-name\""));
    let after = app.store.person_by_email(&email).await.unwrap().unwrap();
    assert_eq!(after.name, before.name);
});

on_both!(api_refuses_bidi_controls_in_names, |app: TestApp| async move {
    let pm = app.token_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    let problem = |r: reqwest::Response| async move {
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        json_of(r).await
    };
    let wave = json!({"slug": "t9", "name": "Wave\u{202E}9", "opens_on": "2027-01-01", "closes_on": "2027-02-01"});
    let p: Value = problem(app.post_json(&pm, &format!("/api/v1/programmes/{PROGRAMME}/waves"), &wave).await).await;
    assert_eq!(error_fields(&p), ["name"]);
    assert_eq!(p["errors"][0]["code"], "bidi-control");
    let campaign = json!({"title": "\u{2068}Pulse", "instrument": "innovation-capacity-pulse",
        "opens_on": "2026-03-01", "closes_on": "2026-03-31"});
    let p = problem(app.post_json(&pm, "/api/v1/pulse/campaigns", &campaign).await).await;
    assert_eq!(error_fields(&p), ["title"]);
    // A name in a right-to-left script is a name like any other.
    let wave = json!({"slug": "t9", "name": "موجة ٩", "opens_on": "2027-01-01", "closes_on": "2027-02-01"});
    assert_eq!(app.post_json(&pm, &format!("/api/v1/programmes/{PROGRAMME}/waves"), &wave).await.status(), 201);
});
