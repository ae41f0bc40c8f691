//! Several Urbis instances on one database (the documented way to scale out, on PostgreSQL): a
//! write through one instance is seen by the next read through another, for every in-memory cache
//! (the public answers kept by `urbis_web::cache`, the diagnostic `ResultsCache`, the instruments).
//! And the public answer cache keeps nothing particular to a caller. On SQLite and PostgreSQL.

mod common;

use common::TestApp;
use serde_json::{Value, json};
use std::net::SocketAddr;
use urbis_domain::policy::Role;

/// Another instance of Urbis on `app`'s database: its own store (pool), caches and listener.
async fn second_instance(app: &TestApp) -> (String, urbis_web::AppState) {
    let store = urbis_store::Store::connect(&app.db.url).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = urbis_web::Config { behind_tls: false, base_url: format!("http://{addr}"), trusted_proxies: vec![] };
    let state = urbis_web::AppState::new(store, config).await.unwrap();
    let router = urbis_web::app(state.clone());
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    (format!("http://{addr}"), state)
}

async fn get(c: &reqwest::Client, url: &str, token: Option<&str>) -> reqwest::Response {
    let r = c.get(url);
    let r = match token {
        Some(t) => r.bearer_auth(t),
        None => r,
    };
    r.send().await.unwrap()
}

on_both!(a_write_through_one_instance_is_read_through_another, |app: TestApp| async move {
    let (b, b_state) = second_instance(&app).await;
    let c = app.client();
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let pm_email = app.person("pm@example.org", Some(Role::ProgrammeManager), "riga").await;
    let pm = app.token(&pm_email).await;

    // Public answers: read through B (twice: the second is served from B's cache), write through A.
    let city = format!("{b}/api/v1/cities/riga");
    let page = format!("{b}/programmes/digital-innovation-initiative");
    let cities = format!("{b}/api/v1/programmes/digital-innovation-initiative/cities");
    for _ in 0..2 {
        for url in [&city, &page, &cities] {
            assert_eq!(get(&c, url, None).await.status(), 200, "{url}");
        }
    }
    assert!(b_state.responses.len() >= 3, "B keeps its public answers");
    let before = get(&c, &page, None).await;
    let tag = before.headers()["etag"].to_str().unwrap().to_string();
    assert!(tag.starts_with('"'), "a strong validator: {tag}");
    assert_eq!(before.headers()["cache-control"], "public, no-cache");
    assert!(before.headers().get("set-cookie").is_none(), "no browser's CSRF cookie is repeated to another");
    let again = c.get(&page).header("if-none-match", &tag).send().await.unwrap();
    assert_eq!(again.status(), 304, "unchanged: not modified");

    let etag = app.etag(Some(lead.as_str()), "/api/v1/cities/riga").await;
    let description = "Written through instance A, read through instance B.";
    let r = app.patch_if_match(&lead, "/api/v1/cities/riga", &etag, &json!({"description": description})).await;
    assert_eq!(r.status(), 200);
    let read: Value = get(&c, &city, None).await.json().await.unwrap();
    assert_eq!(read["description"], description, "B's next read of the city sees A's write");
    let browser = app.signed_in_as("member@riga.example", Role::CityMember, "riga").await;
    let own = format!("{b}/cities/riga");
    assert!(!browser.get(&own).send().await.unwrap().text().await.unwrap().contains("Read through B, again."));
    let etag = app.etag(Some(lead.as_str()), "/api/v1/cities/riga").await;
    let again = json!({"description": "Read through B, again."});
    assert_eq!(app.patch_if_match(&lead, "/api/v1/cities/riga", &etag, &again).await.status(), 200);
    let seen = browser.get(&own).send().await.unwrap().text().await.unwrap();
    assert!(seen.contains("Read through B, again."), "a signed-in read through B sees A's write");
    let public_city: String = get(&c, &own, None).await.text().await.unwrap();
    assert!(public_city.contains("Read through B, again."), "and so does an anonymous one");

    // The diagnostic ResultsCache (read with a token, so past the public answer cache) and the
    // public benchmark: B computes with six published cities, A withdraws one, B's next read has five.
    for city in ["riga", "tallinn", "vilnius", "helsinki", "copenhagen", "madrid"] {
        app.import_assessment(city, 0, &pm_email, true).await;
    }
    let bench = format!("{b}/api/v1/programmes/digital-innovation-initiative/benchmark?wave=t0");
    let n = |v: Value| v["n"].as_u64();
    for _ in 0..2 {
        assert_eq!(n(get(&c, &bench, Some(lead.as_str())).await.json().await.unwrap()), Some(6));
        assert_eq!(n(get(&c, &bench, None).await.json().await.unwrap()), Some(6));
    }
    let madrid = app.wave_assessment("t0", "madrid").await;
    let (path, etag) = (format!("/api/v1/assessments/{}", madrid.id), format!("\"{}\"", madrid.version));
    assert_eq!(app.patch_if_match(&pm, &path, &etag, &json!({"published": false})).await.status(), 200);
    assert_eq!(
        n(get(&c, &bench, Some(lead.as_str())).await.json().await.unwrap()),
        Some(5),
        "ResultsCache across instances"
    );
    assert_eq!(n(get(&c, &bench, None).await.json().await.unwrap()), Some(5), "public benchmark across instances");
});

on_both!(signed_in_answers_are_never_kept_nor_served_from_the_public_cache, |app: TestApp| async move {
    let c = app.client();
    let page = app.url("/cities/riga");
    let anonymous = get(&c, &page, None).await;
    assert_eq!(anonymous.headers()["cache-control"], "public, no-cache");
    let anonymous = anonymous.text().await.unwrap();
    let lead = app.signed_in_as("lead@riga.example", Role::CityLead, "riga").await;
    let signed_in = lead.get(&page).send().await.unwrap();
    assert_eq!(signed_in.headers()["cache-control"], "no-store", "a signed-in page is never stored");
    let signed_in = signed_in.text().await.unwrap();
    assert_ne!(anonymous, signed_in, "the signed-in page is the caller's own, not the public one");
    assert!(signed_in.contains("Test lead@riga.example)</a>"), "it names the signed-in person");
    let again = lead.get(&page).send().await.unwrap().text().await.unwrap();
    assert_eq!(again, signed_in, "kept for the same person and browser");
    let other = app.signed_in_as("member@riga.example", Role::CityMember, "riga").await;
    let theirs = other.get(&page).send().await.unwrap().text().await.unwrap();
    // The header names who is signed in (the team list on the page names both).
    let signed_in_as = |who: &str| format!("Test {who})</a>");
    assert!(theirs.contains(&signed_in_as("member@riga.example")), "the member's own page");
    assert!(!theirs.contains(&signed_in_as("lead@riga.example")), "not the lead's, kept for another person");
    // Signed out: the session is gone, and nothing kept for it is served any more.
    let csrf = app.csrf(&lead, "/account").await;
    assert_eq!(app.post_form(&lead, "/logout", &csrf, &[]).await.status(), 303);
    let after = lead.get(&page).send().await.unwrap().text().await.unwrap();
    assert!(!after.contains("Test lead@riga.example)</a>"), "a signed-out browser is anonymous again");
    // A token is a caller too: the API answer for it is made for it.
    let token = app.token_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    let r = get(&c, &app.url("/api/v1/cities/riga"), Some(&token)).await;
    assert_ne!(r.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("public, no-cache"));
    // The login page carries the browser's CSRF token: it is never kept.
    let b = app.browser();
    let one = app.csrf(&b, "/login").await;
    let other = app.csrf(&app.browser(), "/login").await;
    assert_ne!(one, other, "each browser gets its own CSRF token");
});

/// Every benchmark of wave t0 a check compares, as the programme manager and anonymously.
async fn benchmarks(c: &reqwest::Client, base: &str, pm: &str) -> Vec<String> {
    let mut out = vec![];
    for q in ["", "&region=northern-europe", "&per_page=2&page=2"] {
        let url = format!("{base}/api/v1/programmes/digital-innovation-initiative/benchmark?wave=t0{q}");
        for token in [Some(pm), None] {
            let r = get(c, &url, token).await;
            assert_eq!(r.status(), 200, "{url}");
            out.push(r.text().await.unwrap());
        }
    }
    out
}

/// The benchmarks through the app's own instance (its results cache brought up to date piecemeal)
/// equal those through a new instance (which reads them whole).
async fn same_as_read_whole(app: &TestApp, pm: &str, step: &str) {
    let c = app.client();
    let piecemeal = benchmarks(&c, &app.url(""), pm).await;
    let whole = benchmarks(&c, &app.another_instance(&[]).await, pm).await;
    assert_eq!(piecemeal, whole, "after {step}");
}

/// Set an assessment's publication through the API.
async fn publish(app: &TestApp, pm: &str, city: &str, published: bool) {
    let x = app.wave_assessment("t0", city).await;
    let path = format!("/api/v1/assessments/{}", x.id);
    let r = app.patch_if_match(pm, &path, &format!("\"{}\"", x.version), &json!({"published": published})).await;
    assert_eq!(r.status(), 200);
}

on_both!(results_brought_up_to_date_piecemeal_equal_results_read_whole, |app: TestApp| async move {
    // Instance A keeps the wave's results in memory and, after each change, reads only the
    // assessments that changed; a fresh instance reads them all. After every kind of change (submit,
    // publish, unpublish, reopen, resubmit, close) both must give the same benchmarks, to the byte.
    let pm_email = app.person("pm@example.org", Some(Role::ProgrammeManager), "riga").await;
    let pm = app.token(&pm_email).await;
    for city in ["riga", "tallinn", "vilnius", "helsinki"] {
        app.import_assessment(city, 0, &pm_email, true).await;
    }
    same_as_read_whole(&app, &pm, "the first read").await;
    app.import_assessment("copenhagen", 0, &pm_email, false).await;
    same_as_read_whole(&app, &pm, "a submission").await;
    publish(&app, &pm, "copenhagen", true).await;
    same_as_read_whole(&app, &pm, "a publication").await;
    publish(&app, &pm, "tallinn", false).await;
    same_as_read_whole(&app, &pm, "a withdrawal").await;
    let riga = app.wave_assessment("t0", "riga").await;
    let r = app.post_json(&pm, &format!("/api/v1/assessments/{}/reopen", riga.id), &json!({"reason": "typo"})).await;
    assert_eq!(r.status(), 200);
    same_as_read_whole(&app, &pm, "a reopening").await;
    let r = app.post_json(&pm, &format!("/api/v1/assessments/{}/submit", riga.id), &json!({})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    same_as_read_whole(&app, &pm, "a second submission").await;
    let prog = app.store.programme("digital-innovation-initiative").await.unwrap();
    let wave = app.store.wave(prog.id, "t0").await.unwrap();
    let close = "/api/v1/programmes/digital-innovation-initiative/waves/t0/close";
    let r = app.api_if_match(&pm, reqwest::Method::POST, close, &format!("\"{}\"", wave.version), &json!({})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    same_as_read_whole(&app, &pm, "closing the wave").await;
});
