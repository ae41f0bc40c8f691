//! The grants API end to end on the real router, on SQLite and PostgreSQL: a call's life, an
//! application saved per section with its budget, lost updates (412), the deadline in the call's
//! zone, conflicts of interest, independent reviews, the consensus, the ranking, and concurrent
//! awards that cannot overspend the call's budget.

mod common;

use common::{PASSWORD, TestApp, json_of};
use serde_json::{Value, json};
use urbis_domain::policy::{Grant, Role, Scope};
use urbis_store::network::NewPerson;

const CALLS: &str = "/api/v1/programmes/digital-innovation-initiative/calls";

fn call_body(closes_at: &str) -> Value {
    json!({
        "title": "Innovation grants 2026",
        "description": "Grants for the cities' resident-facing services.",
        "eligibility": "participating-cities",
        "opens_at": "2026-01-01T09:00",
        "closes_at": closes_at,
        "timezone": "Europe/Riga",
        "total_budget": {"amount_minor": 10_000_000, "currency": "EUR"},
        "max_award": {"amount_minor": 6_000_000, "currency": "EUR"},
        "cost_categories": ["Staff", "Equipment"],
        "sections": [{"key": "summary", "title": "Summary", "required": true, "word_limit": 50},
                     {"key": "team", "title": "Team", "required": false, "word_limit": 50}],
        "criteria": [{"key": "excellence", "title": "Excellence", "weight": "1", "threshold": "3"},
                     {"key": "impact", "title": "Impact", "weight": "1.5", "threshold": "3"},
                     {"key": "implementation", "title": "Implementation", "weight": "1", "threshold": "3"}],
        "overall_threshold": "10"
    })
}

/// An open call made by a new programme manager: (pm token, call id).
async fn open_call(app: &TestApp, pm_email: &str, closes_at: &str) -> (String, String) {
    let pm = app.token_as(pm_email, Role::ProgrammeManager, "riga").await;
    let call = app.created(&pm, CALLS, &call_body(closes_at)).await;
    let id = call["id"].as_str().unwrap().to_string();
    let r = app
        .api_if_match(
            &pm,
            reqwest::Method::POST,
            &format!("/api/v1/calls/{id}/state"),
            "\"1\"",
            &json!({"state": "open"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    (pm, id)
}

/// A submitted application of `city` to the call, by a new lead: (lead token, application id).
async fn submitted(app: &TestApp, call: &str, city: &str, euros: i64) -> (String, String) {
    let lead = app.token_as(&format!("lead@{city}.example"), Role::CityLead, city).await;
    let a = app
        .created(
            &lead,
            &format!("/api/v1/calls/{call}/applications"),
            &json!({"organisation": city, "title": format!("{city} service")}),
        )
        .await;
    let id = a["id"].as_str().unwrap().to_string();
    let r = app
        .put_if_match(
            &lead,
            &format!("/api/v1/applications/{id}/sections/summary"),
            "\"1\"",
            &json!({"answer": "A digital account for residents."}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let budget = json!({"lines": [{"category": "Staff", "amount": {"amount_minor": euros * 100, "currency": "EUR"}}]});
    let r = app.put_if_match(&lead, &format!("/api/v1/applications/{id}/budget"), "\"2\"", &budget).await;
    assert_eq!(r.status(), 200);
    let r = app
        .api_if_match(&lead, reqwest::Method::POST, &format!("/api/v1/applications/{id}/submit"), "\"3\"", &json!({}))
        .await;
    assert_eq!(r.status(), 200, "{:?}", json_of(r).await);
    (lead, id)
}

/// `n` experts of the programme, each with a token.
async fn experts(app: &TestApp, n: usize) -> Vec<(String, String)> {
    let mut out = vec![];
    for i in 0..n {
        let email = format!("expert{i}@example.org");
        out.push((email.clone(), app.token_as(&email, Role::Expert, "riga").await));
    }
    out
}

async fn review(app: &TestApp, token: &str, id: &str, scores: [&str; 3]) -> reqwest::Response {
    let body = json!({"scores": {"excellence": scores[0], "impact": scores[1], "implementation": scores[2]},
                      "comments": {"excellence": "Clear."}, "recommendation": "yes"});
    app.post_json(token, &format!("/api/v1/applications/{id}/reviews"), &body).await
}

on_both!(a_call_from_draft_to_award, |app: TestApp| async move {
    let c = app.client();
    let pm = app.token_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    // A draft is the programme staff's; anonymous writes are 401 before anything else.
    assert_eq!(c.post(app.url(CALLS)).json(&call_body("2036-03-31T17:00")).send().await.unwrap().status(), 401);
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    assert_eq!(app.post_json(&lead, CALLS, &call_body("2036-03-31T17:00")).await.status(), 403);
    let mut bad = call_body("2036-03-31T17:00");
    bad["max_award"] = json!({"amount_minor": 12.5, "currency": "EUR"});
    let r = app.post_json(&pm, CALLS, &bad).await;
    assert_eq!(r.status(), 422, "a float amount is refused");
    let mut bad = call_body("2036-03-31T17:00");
    bad["max_award"] = json!({"amount_minor": 100, "currency": "USD"});
    let p = json_of(app.post_json(&pm, CALLS, &bad).await).await;
    assert_eq!(
        (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()),
        (Some("max_award"), Some("currency-mismatch"))
    );
    let r = app.post_json(&pm, CALLS, &call_body("2036-03-31T17:00")).await;
    assert_eq!(r.status(), 201);
    let call = json_of(r).await;
    let id = call["id"].as_str().unwrap().to_string();
    assert_eq!(call["closes_at"], "2036-03-31T14:00:00Z", "17:00 in Riga (summer time) is 14:00 UTC");
    let url = format!("/api/v1/calls/{id}");
    assert_eq!(c.get(app.url(&url)).send().await.unwrap().status(), 401, "a draft is not public");
    assert_eq!(app.get_json("/api/v1/calls").await["total"], 0);
    assert_eq!(app.get_json_as(&pm, "/api/v1/calls").await["total"], 1, "staff see their drafts");
    let state = format!("{url}/state");
    let r = app.api_if_match(&pm, reqwest::Method::POST, &state, "\"1\"", &json!({"state": "closed"})).await;
    assert_eq!(json_of(r).await["type"].as_str().map(|t| t.ends_with("invalid-transition")), Some(true));
    let r = app.api_if_match(&pm, reqwest::Method::POST, &state, "\"1\"", &json!({"state": "open"})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(c.get(app.url(&url)).send().await.unwrap().status(), 200, "published: public");
    let csv = app.get_text("/api/v1/calls.csv").await;
    assert!(csv.lines().nth(1).unwrap().contains("Innovation grants 2026"), "{csv}");

    // An application, saved per section; lost updates are refused.
    let apps = format!("/api/v1/calls/{id}/applications");
    let member = app.token_as("member@helsinki.example", Role::CityMember, "helsinki").await;
    assert_eq!(app.post_json(&member, &apps, &json!({"organisation": "riga", "title": "x"})).await.status(), 403);
    let r = app.post_json(&lead, &apps, &json!({"organisation": "riga", "title": "Digital account"})).await;
    assert_eq!(r.status(), 201);
    let a = json_of(r).await;
    let aid = a["id"].as_str().unwrap().to_string();
    let section = format!("/api/v1/applications/{aid}/sections/summary");
    let r = app.put_if_match(&lead, &section, "\"1\"", &json!({"answer": "word ".repeat(51)})).await;
    assert_eq!(r.status(), 422);
    assert_eq!(json_of(r).await["errors"][0]["code"], "too-many-words");
    let r = app.put_if_match(&lead, &section, "\"1\"", &json!({"answer": "One account for every service."})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let r = app.put_if_match(&lead, &section, "\"1\"", &json!({"answer": "A stale overwrite."})).await;
    assert_eq!(r.status(), 412, "a stale If-Match loses nothing");
    let got = app.get_json_as(&lead, &format!("/api/v1/applications/{aid}")).await;
    assert_eq!(got["answers"]["summary"], "One account for every service.");
    // The budget: totals computed, above the maximum award refused naming the field.
    let budget = format!("/api/v1/applications/{aid}/budget");
    let lines = |a: i64, b: i64| {
        json!({"lines": [{"category": "Staff", "amount": {"amount_minor": a, "currency": "EUR"}},
                                                  {"category": "Equipment", "description": "Servers", "amount": {"amount_minor": b, "currency": "EUR"}}],
                                        "coapplicants": ["tallinn"]})
    };
    let r = app.put_if_match(&lead, &budget, "\"2\"", &lines(5_000_000, 1_000_001)).await;
    assert_eq!(r.status(), 422);
    let p = json_of(r).await;
    assert_eq!(
        (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()),
        (Some("budget"), Some("above-max-award"))
    );
    let r = app.put_if_match(&lead, &budget, "\"2\"", &lines(4_000_000, 1_000_000)).await;
    assert_eq!(r.status(), 200);
    let a = json_of(r).await;
    assert_eq!(a["requested"], json!({"amount_minor": 5_000_000, "currency": "EUR"}));
    assert_eq!(a["coapplicants"], json!(["tallinn"]));
    let submit = format!("/api/v1/applications/{aid}/submit");
    let r = app.api_if_match(&lead, reqwest::Method::POST, &submit, "\"3\"", &json!({})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await["status"], "submitted");

    // Three independent experts review; the consensus ranks; the award is made.
    let ex = experts(&app, 3).await;
    let assign = format!("/api/v1/applications/{aid}/assignments");
    for (email, _) in &ex {
        assert_eq!(app.post_json(&pm, &assign, &json!({"reviewer": email})).await.status(), 201);
    }
    assert_eq!(review(&app, &ex[0].1, &aid, ["4", "n/a", "3"]).await.status(), 201);
    assert_eq!(review(&app, &ex[1].1, &aid, ["4.5", "4", "3.5"]).await.status(), 201);
    let consensus = format!("/api/v1/applications/{aid}/consensus");
    let cbody = json!({"scores": {"excellence": "4", "impact": "4", "implementation": "3.5"}, "justification": "Agreed in the panel."});
    let r = app.put_json(&pm, &consensus, &cbody).await;
    assert_eq!(json_of(r).await["errors"][0]["code"], "too-few-reviews");
    assert_eq!(review(&app, &ex[2].1, &aid, ["2", "4", "4"]).await.status(), 201);
    let ranking = app.get_json_as(&pm, &format!("/api/v1/calls/{id}/ranking")).await;
    let e = &ranking["items"][0]["evaluation"];
    assert_eq!(e["criteria"][1]["mean"], "4", "n/a left out: (4 + 4) / 2");
    assert_eq!(e["criteria"][0]["disagreement"], true, "2 and 4.5 differ by 2.5");
    assert_eq!(e["standing"], "awaiting-consensus");
    let decision = format!("/api/v1/applications/{aid}/decision");
    let award = |m: i64| json!({"outcome": "award", "amount": {"amount_minor": m, "currency": "EUR"}, "feedback": "Well argued."});
    assert_eq!(
        json_of(app.post_json(&pm, &decision, &award(5_000_000)).await).await["errors"][0]["code"],
        "no-consensus"
    );
    let r = app.put_json(&pm, &consensus, &cbody).await;
    assert_eq!(r.status(), 200);
    let e = json_of(r).await;
    assert_eq!(
        (e["total"].as_str(), e["weighted"].as_str(), e["passes"].as_bool()),
        (Some("11.5"), Some("13.5"), Some(true))
    );
    assert_eq!(
        json_of(app.post_json(&pm, &decision, &award(5_000_001)).await).await["errors"][0]["code"],
        "above-requested"
    );
    assert_eq!(app.post_json(&lead, &decision, &award(1)).await.status(), 403);
    let r = app.post_json(&pm, &decision, &award(5_000_000)).await;
    assert_eq!(r.status(), 201);
    let grants = app.get_json("/api/v1/grants").await;
    assert_eq!(grants["items"][0]["amount"], json!({"amount_minor": 5_000_000, "currency": "EUR"}));
    let csv = app.get_text("/api/v1/grants.csv").await;
    assert!(csv.contains(",5000000,EUR,"), "{csv}");
    let got = app.get_json_as(&lead, &format!("/api/v1/applications/{aid}")).await;
    assert_eq!((got["status"].as_str(), got["decision"]["feedback"].as_str()), (Some("awarded"), Some("Well argued.")));
    // The rubric is fixed once reviewed.
    let etag = app.etag(Some(&pm), &url).await;
    let mut criteria = call_body("x")["criteria"].clone();
    criteria[0]["threshold"] = json!("2");
    let r = app.patch_if_match(&pm, &url, &etag, &json!({"criteria": criteria})).await;
    assert_eq!(r.status(), 409);
    assert_eq!(json_of(r).await["errors"][0]["code"], "rubric-locked");
});

on_both!(submission_after_the_deadline_names_the_closing_time_in_the_calls_zone, |app: TestApp| async move {
    let (pm, call) = open_call(&app, "pm@example.org", "2036-03-31T17:00").await;
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let a = app
        .created(
            &lead,
            &format!("/api/v1/calls/{call}/applications"),
            &json!({"organisation": "riga", "title": "Late"}),
        )
        .await;
    let aid = a["id"].as_str().unwrap().to_string();
    app.put_if_match(
        &lead,
        &format!("/api/v1/applications/{aid}/sections/summary"),
        "\"1\"",
        &json!({"answer": "Text."}),
    )
    .await;
    let budget = json!({"lines": [{"category": "Staff", "amount": {"amount_minor": 100, "currency": "EUR"}}]});
    app.put_if_match(&lead, &format!("/api/v1/applications/{aid}/budget"), "\"2\"", &budget).await;
    // The programme manager moves the closing time into the past.
    let url = format!("/api/v1/calls/{call}");
    let etag = app.etag(Some(&pm), &url).await;
    let r = app.patch_if_match(&pm, &url, &etag, &json!({"closes_at": "2026-01-31T17:00"})).await;
    assert_eq!(r.status(), 200);
    let r = app
        .api_if_match(&lead, reqwest::Method::POST, &format!("/api/v1/applications/{aid}/submit"), "\"3\"", &json!({}))
        .await;
    assert_eq!(r.status(), 409);
    let p = json_of(r).await;
    assert!(p["type"].as_str().unwrap().ends_with("deadline-passed"), "{p}");
    assert!(p["detail"].as_str().unwrap().contains("2026-01-31 17:00 (Europe/Riga)"), "{p}");
    let other = app.token_as("lead@tallinn.example", Role::CityLead, "tallinn").await;
    let r = app
        .post_json(
            &other,
            &format!("/api/v1/calls/{call}/applications"),
            &json!({"organisation": "tallinn", "title": "x"}),
        )
        .await;
    assert_eq!(json_of(r).await["errors"][0]["code"], "deadline-passed");
});

on_both!(conflicts_of_interest_and_independent_reviews, |app: TestApp| async move {
    let (pm, call) = open_call(&app, "pm@example.org", "2036-03-31T17:00").await;
    let (_, aid) = submitted(&app, &call, "riga", 1000).await;
    let assign = format!("/api/v1/applications/{aid}/assignments");
    // An expert who is also in Riga's team cannot review Riga's application.
    let prog = app.store.programme("digital-innovation-initiative").await.unwrap();
    let riga = app.store.organisation("riga").await.unwrap();
    let grants = [
        Grant { role: Role::Expert, scope: Scope::Programme(prog.id) },
        Grant { role: Role::CityMember, scope: Scope::Organisation(riga.id) },
    ];
    let hash = urbis_web::auth::hash_password(PASSWORD.into()).await.unwrap();
    let np = NewPerson {
        email: "insider@riga.example".into(),
        name: "Insider".into(),
        job_title: String::new(),
        password_hash: Some(hash),
        listed: false,
        locale: String::new(),
    };
    app.store.create_person(None, np, &grants).await.unwrap();
    let r = app.post_json(&pm, &assign, &json!({"reviewer": "insider@riga.example"})).await;
    assert_eq!(r.status(), 409);
    let p = json_of(r).await;
    assert_eq!(
        (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()),
        (Some("reviewer"), Some("conflict-of-interest"))
    );
    let lead2 = app.token_as("lead2@riga.example", Role::CityLead, "riga").await;
    let _ = lead2;
    assert_eq!(
        json_of(app.post_json(&pm, &assign, &json!({"reviewer": "lead2@riga.example"})).await).await["errors"][0]["code"],
        "unknown-reviewer"
    );

    let ex = experts(&app, 3).await;
    let outsider = app.token_as("outsider@example.org", Role::Reviewer, "riga").await;
    for (email, _) in &ex {
        app.post_json(&pm, &assign, &json!({"reviewer": email})).await;
    }
    let app_url = format!("/api/v1/applications/{aid}");
    let c = app.client();
    assert_eq!(c.get(app.url(&app_url)).bearer_auth(&outsider).send().await.unwrap().status(), 403, "not assigned");
    assert_eq!(review(&app, &outsider, &aid, ["3", "3", "3"]).await.status(), 403);
    assert_eq!(c.get(app.url(&app_url)).bearer_auth(&ex[0].1).send().await.unwrap().status(), 200, "assigned");
    // Independence: no reviewer reads others' scores before submitting their own.
    assert_eq!(review(&app, &ex[0].1, &aid, ["4", "4", "4"]).await.status(), 201);
    let reviews = app.url(&format!("{app_url}/reviews"));
    assert_eq!(c.get(&reviews).bearer_auth(&ex[1].1).send().await.unwrap().status(), 403, "before their own review");
    assert_eq!(c.get(&reviews).bearer_auth(&ex[0].1).send().await.unwrap().status(), 200, "after their own review");
    let r = review(&app, &ex[0].1, &aid, ["4", "4", "4"]).await;
    assert_eq!(json_of(r).await["errors"][0]["code"], "already-reviewed");
    let r = review(&app, &ex[1].1, &aid, ["6", "x", ""]).await;
    assert_eq!(r.status(), 422);
    let fields: Vec<String> = json_of(r).await["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["scores.excellence", "scores.impact", "scores.implementation"]);
    // A declared conflict withdraws the reviewer.
    let r =
        app.post_json(&ex[2].1, &format!("{app_url}/conflict"), &json!({"reason": "I advised Riga last year."})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(review(&app, &ex[2].1, &aid, ["3", "3", "3"]).await.status(), 403);
    assert_eq!(c.get(app.url(&app_url)).bearer_auth(&ex[2].1).send().await.unwrap().status(), 403);
    assert_eq!(c.get(&reviews).bearer_auth(&pm).send().await.unwrap().status(), 200, "staff read every review");
});

on_both!(concurrent_awards_never_overspend_the_budget, |app: TestApp| async move {
    let (pm, call) = open_call(&app, "pm@example.org", "2036-03-31T17:00").await;
    let ex = experts(&app, 3).await;
    let mut ids = vec![];
    for city in ["riga", "tallinn", "vilnius", "helsinki"] {
        let (_, aid) = submitted(&app, &call, city, 60_000).await;
        for (email, token) in &ex {
            app.post_json(&pm, &format!("/api/v1/applications/{aid}/assignments"), &json!({"reviewer": email})).await;
            review(&app, token, &aid, ["4", "4", "4"]).await;
        }
        let cbody =
            json!({"scores": {"excellence": "4", "impact": "4", "implementation": "4"}, "justification": "Agreed."});
        assert_eq!(app.put_json(&pm, &format!("/api/v1/applications/{aid}/consensus"), &cbody).await.status(), 200);
        ids.push(aid);
    }
    // Four awards of 60,000 EUR at once against a budget of 100,000 EUR: exactly one succeeds.
    let tasks: Vec<_> = ids
        .iter()
        .map(|aid| {
            let (c, url, pm) = (app.client(), app.url(&format!("/api/v1/applications/{aid}/decision")), pm.clone());
            tokio::spawn(async move {
                let body = json!({"outcome": "award", "amount": {"amount_minor": 6_000_000, "currency": "EUR"}, "feedback": "Yes."});
                let r = c.post(url).bearer_auth(pm).json(&body).send().await.unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut statuses = vec![];
    for t in tasks {
        let (status, body) = t.await.unwrap();
        if status != 201 {
            assert_eq!((status, body["errors"][0]["code"].as_str()), (409, Some("budget-exhausted")), "{body}");
        }
        statuses.push(status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    let c = app.get_json_as(&pm, &format!("/api/v1/calls/{call}")).await;
    assert_eq!(c["awarded"]["amount_minor"], 6_000_000);
    assert_eq!(app.get_json("/api/v1/grants").await["total"], 1);
});

on_both!(pages_work_without_javascript, |app: TestApp| async move {
    let (pm, call) = open_call(&app, "pm@example.org", "2036-03-31T17:00").await;
    let _ = pm;
    let anon = app.browser();
    let list = app.page(&anon, "/grants").await;
    assert!(list.contains("Innovation grants 2026"));
    let page = app.page(&anon, &format!("/grants/calls/{call}")).await;
    assert!(page.contains("2036-03-31 17:00 (Europe/Riga)"), "the closing time in the call's zone");
    let b = app.signed_in_as("lead@riga.example", Role::CityLead, "riga").await;
    let r = app
        .submit_form(&b, &format!("/grants/calls/{call}"), &[("organisation", "riga"), ("title", "Digital account")])
        .await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let aid = location.rsplit('/').next().unwrap().to_string();
    let section = format!("/grants/applications/{aid}/sections/summary");
    let html = app.page(&b, &section).await;
    assert!(html.contains("name=\"version\" value=\"1\""));
    let r = app
        .submit_form(&b, &section, &[("version", "1"), ("title", "Digital account"), ("answer", &"word ".repeat(60))])
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("error-summary") && html.contains("href=\"#field-answer\""),
        "error summary naming the field"
    );
    let r = app
        .submit_form(&b, &section, &[("version", "1"), ("title", "Digital account"), ("answer", "One account.")])
        .await;
    assert_eq!(r.status(), 303);
    let r =
        app.submit_form(&b, &section, &[("version", "1"), ("title", "Digital account"), ("answer", "Stale.")]).await;
    assert_eq!(r.status(), 409, "a stale form is not saved");
    let budget = format!("/grants/applications/{aid}/budget");
    let r = app.submit_form(&b, &budget, &[("version", "2"), ("category-0", "Staff"), ("amount-0", "60,000.01")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("href=\"#field-budget\""));
    let r = app.submit_form(&b, &budget, &[("version", "2"), ("category-0", "Staff"), ("amount-0", "12,500.50")]).await;
    assert_eq!(r.status(), 303);
    let overview = app.page(&b, &format!("/grants/applications/{aid}")).await;
    assert!(overview.contains("12,500.50 EUR"), "the total computed");
    let r = app.submit_form(&b, &format!("/grants/applications/{aid}/submit"), &[("version", "3")]).await;
    assert_eq!(r.status(), 303);
    let ranking = app
        .page(
            &app.signed_in_as("pm2@example.org", Role::ProgrammeManager, "riga").await,
            &format!("/grants/calls/{call}/ranking"),
        )
        .await;
    assert!(ranking.contains("Digital account"));
});
