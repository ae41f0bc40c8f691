//! The diagnostic API end to end: instrument, assessment, answers from two respondents, errors that
//! name the field, submission, scores and benchmark privacy. On SQLite and PostgreSQL.

mod common;

use common::{TestApp, error_fields, json_of};
use serde_json::{Value, json};
use urbis_domain::policy::Role;

/// The answer that normalises to 100 (`top`) or 0 for a question of the instrument.
fn answer(q: &Value, top: bool) -> Value {
    match q["type"].as_str().unwrap() {
        "level" => json!({"level": if top { 5 } else { 1 }}),
        "choice" => json!({"choice": if top { "yes" } else { "no" }}),
        _ => {
            let items: Vec<Value> =
                if top { q["items"].as_array().unwrap().iter().map(|i| i["id"].clone()).collect() } else { vec![] };
            json!({"ticked": items})
        }
    }
}

on_both!(diagnostic_flow, |app: TestApp| async move {
    let c = app.client();
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let member = app.token_as("member@riga.example", Role::CityMember, "riga").await;
    let pm = app.token_as("pm@example.org", Role::ProgrammeManager, "riga").await;

    let list = app.get_json("/api/v1/instruments").await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["slug"] == "city-digital-maturity" && i["kind"] == "diagnostic")
    );
    let inst = app.get_json("/api/v1/instruments/city-digital-maturity").await;
    assert_eq!(inst["version"], 1);
    assert_eq!(inst["capabilities"].as_array().unwrap().len(), 5);
    assert_eq!(inst["scoring"]["level_threshold"], 0.6);
    assert!(inst["recommended_actions"].as_array().unwrap().len() >= 40);
    let questions = inst["questions"].as_array().unwrap().clone();
    let waves = app.get_json("/api/v1/programmes/digital-innovation-initiative/waves").await;
    assert_eq!(waves[0]["slug"], "t0");
    assert_eq!(waves[0]["baseline"], true);

    let start = |wave: &str| json!({"instrument": "city-digital-maturity", "wave": wave});
    let r = app.post_json(&member, "/api/v1/cities/riga/assessments", &start("t0")).await;
    assert_eq!(r.status(), 403, "a member cannot start an assessment");
    let r = app.post_json(&lead, "/api/v1/cities/riga/assessments", &start("t9")).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "wave");
    let r = app.post_json(&lead, "/api/v1/cities/riga/assessments", &start("t0")).await;
    assert_eq!(r.status(), 201);
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["status"], "draft");
    let id = a["id"].as_str().unwrap().to_string();
    let assessment = format!("/api/v1/assessments/{id}");
    let put = |q: &str| format!("{assessment}/answers/{q}");

    // Bad answers are 422 naming the field, and nothing is stored.
    let level_q = questions.iter().find(|q| q["type"] == "level").unwrap()["id"].as_str().unwrap().to_string();
    let list_q = questions.iter().find(|q| q["type"] == "checklist").unwrap()["id"].as_str().unwrap().to_string();
    for (q, body, field) in [
        (level_q.as_str(), json!({"level": 6}), "level"),
        (level_q.as_str(), json!({"choice": "yes"}), "level"),
        (level_q.as_str(), json!({"level": 2, "choice": "yes"}), "answer"),
        (list_q.as_str(), json!({"ticked": ["no-such-item"]}), "ticked"),
        ("no-such-question", json!({"level": 2}), "question_id"),
        (level_q.as_str(), json!({"level": 2, "mood": "good"}), "mood"),
    ] {
        let r = app.put_json(&lead, &put(q), &body).await;
        assert_eq!(r.status(), 422, "{body}");
        assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], field, "{body}");
    }
    let r = app.put_json(&lead, &put("ctx-population"), &json!({"value": -5})).await;
    assert_eq!(r.status(), 422);

    // The lead answers everything at the top; the member answers digital vision at the bottom.
    for q in &questions {
        let qid = q["id"].as_str().unwrap();
        let r = app.put_json(&lead, &put(qid), &answer(q, true)).await;
        assert_eq!(r.status(), 200, "{qid}");
        if q["capability"] == "digital-vision" {
            let r = app.put_json(&member, &put(qid), &answer(q, false)).await;
            assert_eq!(r.status(), 200, "{qid}");
        }
    }
    let population = json!({"value": 605000, "evidence": "Statistics office"});
    assert_eq!(app.put_json(&lead, &put("ctx-population"), &population).await.status(), 200);

    // Scores: each digital-vision question has values 100 and 0: lower median 0, so the capability
    // scores 0 (level 1) with respondents' scores 100 and 0 (sd 50); the other four score 100
    // (level 5); overall (0 + 4 × 100) / 5 = 80.
    let got = app.get_json_as(&member, &assessment).await;
    let caps = &got["scores"]["capabilities"];
    assert_eq!(caps["digital-vision"]["score"], 0.0);
    assert_eq!(caps["digital-vision"]["level"], 1);
    assert_eq!(caps["digital-vision"]["spread"]["sd"], 50.0);
    assert_eq!(caps["digital-vision"]["spread"]["max"], 100.0);
    assert_eq!(caps["governance"]["score"], 100.0);
    assert_eq!(caps["governance"]["level"], 5);
    assert_eq!(got["scores"]["overall"], 80.0);
    assert_eq!(c.get(app.url(&assessment)).send().await.unwrap().status(), 401, "not published");

    // The lead may set the city's value for a question with a reason: it replaces the lower median.
    let dv: Vec<String> = questions
        .iter()
        .filter(|q| q["capability"] == "digital-vision")
        .map(|q| q["id"].as_str().unwrap().to_string())
        .collect();
    let over = format!("{assessment}/overrides/{}", dv[0]);
    let set = |reason: &str| json!({"value": 100.0, "reason": reason});
    assert_eq!(app.put_json(&member, &over, &set("x")).await.status(), 403);
    let r = app.put_json(&lead, &over, &set("")).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "reason");
    assert_eq!(app.put_json(&lead, &over, &set("The strategy was adopted last week.")).await.status(), 200);
    let got = app.get_json_as(&lead, &assessment).await;
    // All other digital-vision values are 0, so the score is that question's share of the weights.
    let weight = |q: &Value| q["weight"].as_f64().unwrap();
    let dv_qs: Vec<&Value> = questions.iter().filter(|q| q["capability"] == "digital-vision").collect();
    let expected = 100.0 * weight(dv_qs[0]) / dv_qs.iter().map(|q| weight(q)).sum::<f64>();
    let score = got["scores"]["capabilities"]["digital-vision"]["score"].as_f64().unwrap();
    assert!((score - expected).abs() < 1e-9, "{score} != {expected}");
    assert_eq!(c.delete(app.url(&over)).bearer_auth(&lead).send().await.unwrap().status(), 204);
    let got = app.get_json_as(&lead, &assessment).await;
    assert_eq!(got["scores"]["capabilities"]["digital-vision"]["score"], 0.0, "the median applies again");

    let csv = c.get(app.url(&format!("/api/v1/assessments/{id}/answers.csv"))).bearer_auth(&lead).send().await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("row,capability,question_id"));
    assert!(csv.contains("score,overall,,,,,,,80.00,"));
    assert!(csv.contains("Statistics office"));

    // Submit: the member may not; the lead may; then answers are locked.
    let submit = app.url(&format!("{assessment}/submit"));
    assert_eq!(c.post(&submit).bearer_auth(&member).send().await.unwrap().status(), 403);
    let r = c.post(&submit).bearer_auth(&lead).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "submitted");
    let r = app.put_json(&lead, &put(&level_q), &json!({"level": 2})).await;
    assert_eq!(r.status(), 409);

    // An expert confirms or adjusts a capability; the self-assessed score is kept beside it.
    let expert = app.token_as("expert@example.org", Role::Expert, "riga").await;
    let validation = format!("{assessment}/validations/digital-vision");
    let v = json!({"score": 25.0, "confidence": "medium", "comment": "No published strategy was shown."});
    assert_eq!(app.put_json(&lead, &validation, &v).await.status(), 403);
    for (bad, field) in [
        (json!({"score": 101.0, "confidence": "high", "comment": "x"}), "score"),
        (json!({"score": 50.0, "confidence": "sure", "comment": "x"}), "confidence"),
        (json!({"score": 50.0, "confidence": "high", "comment": " "}), "comment"),
    ] {
        let r = app.put_json(&expert, &validation, &bad).await;
        assert_eq!(r.status(), 422);
        assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], field);
    }
    assert_eq!(app.put_json(&expert, &format!("{assessment}/validations/nonsense"), &v).await.status(), 422);
    assert_eq!(app.put_json(&expert, &validation, &v).await.status(), 200);
    let got = app.get_json_as(&expert, &assessment).await;
    assert_eq!(got["validations"][0]["score"], 25.0);
    assert_eq!(got["validations"][0]["confidence"], "medium");
    assert_eq!(got["scores"]["capabilities"]["digital-vision"]["score"], 0.0, "self-assessed score unchanged");

    // Reopen is for programme staff only and needs a reason; a reopened draft cannot be published.
    let reopen = format!("{assessment}/reopen");
    assert_eq!(app.post_json(&lead, &reopen, &json!({"reason": "typo"})).await.status(), 403);
    assert_eq!(app.post_json(&pm, &reopen, &json!({"reason": " "})).await.status(), 422);
    let r = app.post_json(&pm, &reopen, &json!({"reason": "wrong evidence link"})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "draft");
    let r = app.patch_with_etag(&lead, &assessment, &json!({"published": true})).await;
    assert_eq!(r.status(), 409, "a draft is not published");
    let r = c.post(&submit).bearer_auth(&lead).send().await.unwrap();
    let etag = r.headers().get("etag").map(|e| e.to_str().unwrap().to_string());
    let version = r.json::<Value>().await.unwrap()["version"].as_i64().unwrap();
    assert!(etag.is_none() || etag == Some(format!("\"{version}\"")));

    // Benchmark: one city. The public sees neither cohort figures nor the unpublished city, and its
    // figures count only published cities (none); programme staff see both.
    let benchmark = "/api/v1/programmes/digital-innovation-initiative/benchmark";
    let public = app.get_json(&format!("{benchmark}?wave=t0")).await;
    assert_eq!((public["n"].as_u64(), public["basis"].as_str()), (Some(0), Some("published")));
    assert!(public["overall"].is_null());
    assert_eq!(public["cities"].as_array().unwrap().len(), 0);
    let staff = app.get_json_as(&pm, &format!("{benchmark}?wave=t0&instrument=city-digital-maturity")).await;
    assert_eq!(staff["overall"]["median"], 80.0);
    assert_eq!(staff["cities"][0]["city"], "riga");
    assert_eq!(staff["cities"][0]["percentile_rank"], 50.0);
    let csv = app.get_text_as(&pm, &format!("{benchmark}.csv?wave=t0")).await;
    assert!(csv.contains("cohort,overall,1,80.00,80.00,80.00,80.00,80.00"), "{csv}");

    // Publishing needs the current version; then the public sees the city (but still no cohort figures).
    let publish = json!({"published": true});
    assert_eq!(app.patch_if_match(&lead, &assessment, "\"1\"", &publish).await.status(), 412);
    let url = app.url(&assessment);
    assert_eq!(c.patch(&url).bearer_auth(&lead).json(&publish).send().await.unwrap().status(), 428);
    let r = app.patch_if_match(&lead, &assessment, &format!("\"{version}\""), &publish).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["published"], true);
    let public = app.get_json(&format!("{benchmark}?wave=t0")).await;
    assert_eq!(public["cities"][0]["city"], "riga");
    assert!(public["overall"].is_null());
    assert_eq!(c.get(&url).send().await.unwrap().status(), 200, "published assessments are public");
});

on_both!(submission_lists_missing_questions, |app: TestApp| async move {
    let c = app.client();
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let id = app.start_assessment(&lead, "riga", "t1").await;
    app.put_json(&lead, &format!("/api/v1/assessments/{id}/answers/dv-strategy"), &json!({"level": 3})).await;
    let r = c.post(app.url(&format!("/api/v1/assessments/{id}/submit"))).bearer_auth(&lead).send().await.unwrap();
    assert_eq!(r.status(), 409);
    let mut missing = error_fields(&json_of(r).await);
    let inst = app.get_json("/api/v1/instruments/city-digital-maturity").await;
    let mut required: Vec<&str> = inst["questions"]
        .as_array()
        .unwrap()
        .iter()
        .chain(inst["context"].as_array().unwrap())
        .filter(|q| q["required"] == true && q["id"] != "dv-strategy")
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    required.sort();
    missing.sort();
    assert_eq!(missing, required, "every unanswered required question, and only those");
});

on_both!(diagnostic_pages_respect_publication, |app: TestApp| async move {
    let lead_email = app.person("lead@riga.example", Some(Role::CityLead), "riga").await;
    for wave in 0..2 {
        app.import_assessment("riga", wave, &lead_email, false).await;
    }
    let anon = app.browser();
    let page = app.page(&anon, "/cities/riga/diagnostic").await;
    assert!(page.contains("No diagnostic results are available"), "unpublished results stay private");
    let b = app.signed_in(&lead_email).await;
    let page = app.page(&b, "/cities/riga/diagnostic").await;
    assert!(page.contains("role=\"img\" aria-labelledby=\"radar-title radar-desc\""), "the team sees the radar");
    assert!(page.contains("Progress across waves") && page.contains("Follow-up (T1)"));
    assert!(page.contains("Cohort figures are shown once at least 5 cities"), "one city: no cohort median");
    let cohort = app.page(&anon, "/programmes/digital-innovation-initiative/diagnostic?wave=t0").await;
    assert!(
        cohort.contains("No city has published its scores for Baseline (T0) yet."),
        "the public count is of published cities"
    );
    assert!(!cohort.contains("/cities/riga/diagnostic\">Riga"), "unpublished city not in the public heat map");
    assert_eq!(
        anon.get(app.url("/programmes/digital-innovation-initiative/diagnostic?wave=t7"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
});

on_both!(questionnaire_pages_without_javascript, |app: TestApp| async move {
    let lead = app.signed_in_as("lead@riga.example", Role::CityLead, "riga").await;
    let page = app.page(&lead, "/cities/riga/diagnostic").await;
    assert!(page.contains("Start the assessment"));
    let csrf = common::csrf_of(&page);
    let r = app.post_form(&lead, "/cities/riga/diagnostic/start", &csrf, &[("wave", "t1")]).await;
    assert_eq!(r.status(), 303);
    let overview = r.headers()["location"].to_str().unwrap().to_string();
    let page = app.page(&lead, &overview).await;
    assert!(page.contains("0 of 6 answered"), "task list shows progress");
    let section = format!("{overview}/sections/governance");
    let form = app.page(&lead, &section).await;
    assert!(form.contains("<fieldset") && form.contains("Level 5"));
    let inst = app.get_json("/api/v1/instruments/city-digital-maturity").await;
    let gov: Vec<Value> =
        inst["questions"].as_array().unwrap().iter().filter(|q| q["capability"] == "governance").cloned().collect();
    let list = gov.iter().find(|q| q["type"] == "checklist").unwrap();
    let list_id = list["id"].as_str().unwrap().to_string();
    let first_item = list["items"][0]["id"].as_str().unwrap().to_string();
    let level_id = gov.iter().find(|q| q["type"] == "level").unwrap()["id"].as_str().unwrap().to_string();

    // "None of these" together with an item is an error; the page keeps what was typed.
    let (qk, qe) = (format!("q-{list_id}"), format!("e-{level_id}"));
    let lk = format!("q-{level_id}");
    let bad = [
        (qk.as_str(), "none"),
        (qk.as_str(), first_item.as_str()),
        (lk.as_str(), "4"),
        (qe.as_str(), "https://riga.lv/evidence"),
    ];
    let r = app.post_form(&lead, &section, &csrf, &bad).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("error-summary") && html.contains(&format!("href=\"#field-q-{list_id}\"")));
    assert!(html.contains("https://riga.lv/evidence"), "evidence kept");
    assert!(html.contains(&format!("id=\"q-{level_id}-4\" name=\"{lk}\" value=\"4\" checked")), "choice kept");

    let good = [(qk.as_str(), first_item.as_str()), (lk.as_str(), "4"), (qe.as_str(), "https://riga.lv/evidence")];
    let r = app.post_form(&lead, &section, &csrf, &good).await;
    assert_eq!(r.status(), 303, "saved, on to the next section");
    assert!(r.headers()["location"].to_str().unwrap().ends_with("/sections/technology-systems"));
    let id = overview.rsplit('/').next().unwrap();
    let api = app.get_json_as(&app.token("lead@riga.example").await, &format!("/api/v1/assessments/{id}")).await;
    let answers = api["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 2);
    assert!(answers.iter().any(|a| a["question_id"] == level_id.as_str()
        && a["normalised"] == 75.0
        && a["evidence"] == "https://riga.lv/evidence"));

    // Check your answers: submitting now lists what is missing.
    let check = format!("{overview}/check");
    assert!(app.page(&lead, &check).await.contains("Not answered yet (required)"));
    let r = app.post_form(&lead, &check, &csrf, &[]).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("Answer the question:"));
    let member = app.signed_in_as("member@riga.example", Role::CityMember, "riga").await;
    let page = app.page(&member, &check).await;
    assert!(!page.contains(">Submit</button>"), "a member cannot submit");
});

on_both!(peer_groups_waves_and_plans, |app: TestApp| async move {
    let c = app.client();
    let pm_email = app.person("pm@example.org", Some(Role::ProgrammeManager), "riga").await;
    let pm = app.token(&pm_email).await;
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let other_lead = app.token_as("lead@madrid.example", Role::CityLead, "madrid").await;
    // Five Nordic and Baltic capitals and Madrid, all published.
    for city in ["riga", "tallinn", "vilnius", "helsinki", "copenhagen", "madrid"] {
        app.import_assessment(city, 0, &pm_email, true).await;
    }
    let bench = |q: &str| app.url(&format!("/api/v1/programmes/digital-innovation-initiative/benchmark?wave=t0{q}"));
    let get = |url: String| {
        let c = c.clone();
        async move {
            let r = c.get(url).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (_, all) = get(bench("")).await;
    assert_eq!((all["n"].as_u64(), all["frozen"].as_bool()), (Some(6), Some(false)));
    let (_, north) = get(bench("&region=northern-europe")).await;
    assert_eq!(north["n"], 5);
    assert_eq!(north["peer_group"]["region"], "northern-europe");
    assert!(north["cities"].as_array().unwrap().iter().all(|c| c["city"] != "madrid"));
    assert_eq!(north["overall"]["n"], 5, "five peers: the cohort figures are public");
    // The percentile rank is within the peer group: the five ranks average 50.
    let ranks: f64 = north["cities"].as_array().unwrap().iter().map(|c| c["percentile_rank"].as_f64().unwrap()).sum();
    assert!((ranks / 5.0 - 50.0).abs() < 1e-9);
    let (_, mid) = get(bench("&region=northern-europe&population_band=500k-1m")).await;
    assert_eq!(mid["n"], 4, "Tallinn has fewer than 500,000 residents");
    assert!(mid["overall"].is_null(), "four peers: the cohort figures stay hidden from the public");
    let (status, bad) = get(bench("&region=atlantis&population_band=huge")).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = bad["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["region", "population_band"]);
    let (_, paged) = get(bench("&per_page=4&page=2")).await;
    assert_eq!((paged["cities"].as_array().unwrap().len(), paged["cities_total"].as_u64()), (2, Some(6)));
    assert_eq!(paged["n"], 6, "paging lists cities; the figures cover the whole group");
    assert_eq!(get(bench("&per_page=0")).await.0, 400);
    // Benchmarks are kept in memory between requests; withdrawing a city's results shows at once.
    let madrid_t0 = app.wave_assessment("t0", "madrid").await;
    let (path, etag) = (format!("/api/v1/assessments/{}", madrid_t0.id), format!("\"{}\"", madrid_t0.version));
    assert_eq!(app.patch_if_match(&pm, &path, &etag, &json!({"published": false})).await.status(), 200);
    let (_, after) = get(bench("")).await;
    assert_eq!(
        (after["n"].as_u64(), after["cities_total"].as_u64()),
        (Some(5), Some(5)),
        "public figures leave an unpublished city out entirely: the list, n and the figures"
    );
    let csv = app
        .get_text("/api/v1/programmes/digital-innovation-initiative/benchmark.csv?wave=t0&region=northern-europe")
        .await;
    assert!(csv.contains("city,overall,,,,,,,riga,") && !csv.contains("madrid"));

    // Waves: programme staff add and close them.
    let new_wave =
        json!({"slug": "t2", "name": "Second follow-up", "opens_on": "2024-01-01", "closes_on": "2024-12-31"});
    let waves = "/api/v1/programmes/digital-innovation-initiative/waves";
    assert_eq!(app.post_json(&lead, waves, &new_wave).await.status(), 403);
    assert_eq!(app.created(&pm, waves, &new_wave).await["closed"], false);
    let r = app.post_json(&pm, waves, &new_wave).await;
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "slug");
    let bad = json!({"slug": "t3", "name": "", "opens_on": "2025-02-01", "closes_on": "2025-01-01"});
    let r = app.post_json(&pm, waves, &bad).await;
    assert_eq!(r.status(), 422);
    assert_eq!(error_fields(&json_of(r).await), ["name", "closes_on"]);
    let t0 = app.get_json(waves).await[0].clone();
    let close = app.url("/api/v1/programmes/digital-innovation-initiative/waves/t0/close");
    assert_eq!(c.post(&close).bearer_auth(&pm).send().await.unwrap().status(), 428);
    let stale = format!("\"{}\"", t0["version"].as_i64().unwrap() + 7);
    assert_eq!(c.post(&close).bearer_auth(&pm).header("If-Match", stale).send().await.unwrap().status(), 412);
    let etag = format!("\"{}\"", t0["version"]);
    assert_eq!(c.post(&close).bearer_auth(&lead).header("If-Match", &etag).send().await.unwrap().status(), 403);
    let r = c.post(&close).bearer_auth(&pm).header("If-Match", &etag).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["closed"], true);
    // After closing, the wave's figures are frozen: reopening Riga's assessment does not change them.
    let riga_t0 = app.wave_assessment("t0", "riga").await;
    let reopen = format!("/api/v1/assessments/{}/reopen", riga_t0.id);
    assert_eq!(app.post_json(&pm, &reopen, &json!({"reason": "late correction"})).await.status(), 200);
    let (_, frozen) = get(bench("")).await;
    assert_eq!((frozen["n"].as_u64(), frozen["frozen"].as_bool()), (Some(5), Some(true)));
    assert_eq!(frozen["overall"], after["overall"]);
    let start = json!({"instrument": "city-digital-maturity", "wave": "t0"});
    let r = app.post_json(&pm, "/api/v1/cities/madrid/assessments", &start).await;
    assert_eq!(r.status(), 409, "a closed wave takes no new assessments");

    // The improvement plan: the city's team writes it; it is private to the team and staff.
    let plan = "/api/v1/cities/riga/plan";
    let plan_url = app.url(plan);
    let item = json!({"capability": "governance", "title": "Set up a digital investment board", "owner": "CDO", "due_on": "2027-03-31"});
    assert_eq!(app.post_json(&other_lead, plan, &item).await.status(), 403);
    let bad = json!({"capability": "magic", "title": " ", "owner": "", "due_on": "soon"});
    let r = app.post_json(&lead, plan, &bad).await;
    assert_eq!(r.status(), 422);
    assert_eq!(error_fields(&json_of(r).await), ["capability", "title", "owner", "due_on"]);
    let r = app.post_json(&lead, plan, &item).await;
    assert_eq!(r.status(), 201);
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let created: Value = r.json().await.unwrap();
    assert_eq!((created["status"].as_str(), created["due_on"].as_str()), (Some("planned"), Some("2027-03-31")));
    assert_eq!(c.get(&plan_url).send().await.unwrap().status(), 401);
    assert_eq!(c.get(&plan_url).bearer_auth(&other_lead).send().await.unwrap().status(), 403);
    let item_path = format!("/api/v1/plan-items/{}", created["id"].as_str().unwrap());
    let done = json!({"capability": "governance", "title": "Set up a digital investment board", "owner": "CDO", "status": "done"});
    assert_eq!(app.put_if_match(&lead, &item_path, &etag, &done).await.status(), 200);
    let r = app.put_if_match(&lead, &item_path, &etag, &item).await;
    assert_eq!(r.status(), 412, "a stale version changes nothing");
    let items = app.get_json_as(&pm, plan).await;
    assert_eq!((items[0]["status"].as_str(), items[0]["due_on"].as_str()), (Some("done"), None));
    let csv = app.get_text_as(&lead, "/api/v1/cities/riga/plan.csv").await;
    assert_eq!(
        csv,
        "capability,title,description,owner,due_on,status\ngovernance,Set up a digital investment board,,CDO,,done\n"
    );
});

on_both!(plan_waves_publication_and_validation_pages, |app: TestApp| async move {
    use common::csrf_of;
    let lead_email = app.person("lead@riga.example", Some(Role::CityLead), "riga").await;
    let pm_email = app.person("pm@example.org", Some(Role::ProgrammeManager), "riga").await;
    let expert_email = app.person("expert@example.org", Some(Role::Expert), "riga").await;
    app.import_assessment("riga", 0, &lead_email, false).await;
    let lead = app.signed_in(&lead_email).await;

    // The plan: start from a recommended action; a missing owner is reported and the text is kept.
    let form = app.page(&lead, "/cities/riga/plan/new?action=0").await;
    let first_action = app.store.instrument("city-digital-maturity", None).await.unwrap().actions[0].title.clone();
    assert!(form.contains(&format!("value=\"{}\"", first_action.replace('\'', "&#x27;"))), "title prefilled");
    let csrf = csrf_of(&form);
    let new_item = |owner: &'static str, due_on: &'static str| {
        let (app, lead, csrf) = (&app, &lead, &csrf);
        async move {
            let fields = [
                ("capability", "governance"),
                ("title", "Board"),
                ("owner", owner),
                ("due_on", due_on),
                ("status", "planned"),
            ];
            app.post_form(lead, "/cities/riga/plan/new", csrf, &fields).await
        }
    };
    let r = new_item("", "31.3.2027").await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("There is a problem")
            && body.contains("href=\"#field-owner\"")
            && body.contains("href=\"#field-due_on\"")
    );
    assert!(body.contains("value=\"Board\""), "what was typed is kept");
    assert_eq!(new_item("CDO", "2027-03-31").await.status(), 303);
    let diag = app.page(&lead, "/cities/riga/diagnostic").await;
    assert!(diag.contains("<th scope=\"row\">Board</th>") && diag.contains("2027-03-31"));
    let riga = app.store.organisation("riga").await.unwrap();
    let item = app.store.plan_items(riga.id).await.unwrap().remove(0);
    let edit = format!("/plan-items/{}/edit", item.id);
    let csrf = app.csrf(&lead, &edit).await;
    let v = item.version.to_string();
    let fields = |title: &'static str| {
        [
            ("version", v.as_str()),
            ("capability", "governance"),
            ("title", title),
            ("owner", "CDO"),
            ("due_on", ""),
            ("status", "in-progress"),
        ]
    };
    assert_eq!(app.post_form(&lead, &edit, &csrf, &fields("Board, renamed")).await.status(), 303);
    let r = app.post_form(&lead, &edit, &csrf, &fields("Stale edit")).await;
    assert_eq!(r.status(), 409);
    let body = r.text().await.unwrap();
    assert!(body.contains("Someone else changed this item") && body.contains("value=\"Stale edit\""));
    assert_eq!(app.store.plan_item(item.id).await.unwrap().title, "Board, renamed");

    // Publication: the lead publishes from the diagnostic page; then the public sees the results.
    let anon = app.browser();
    assert!(app.page(&anon, "/cities/riga/diagnostic").await.contains("No diagnostic results are available"));
    let a = app.store.organisation_assessments(riga.id, "city-digital-maturity").await.unwrap().remove(0);
    let csrf = csrf_of(&diag);
    let version = a.version.to_string();
    let publish = format!("/assessments/{}/publish", a.id);
    let r = app.post_form(&lead, &publish, &csrf, &[("version", &version), ("published", "on")]).await;
    assert_eq!(r.status(), 303);
    let public = app.page(&anon, "/cities/riga/diagnostic").await;
    assert!(public.contains("radar-title") && !public.contains("id=\"plan\""), "results public, plan private");

    // Validation by an expert: a bad score is reported beside its capability; a good one is shown.
    let expert = app.signed_in(&expert_email).await;
    let validate = format!("/assessments/{}/validate", a.id);
    let csrf = app.csrf(&expert, &validate).await;
    let score = |score: &'static str, confidence: &'static str, comment: &'static str| {
        let (app, expert, validate, csrf) = (&app, &expert, &validate, &csrf);
        async move {
            let fields =
                [("capability", "governance"), ("score", score), ("confidence", confidence), ("comment", comment)];
            app.post_form(expert, validate, csrf, &fields).await
        }
    };
    let r = score("120", "high", "").await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("href=\"#field-governance-score\"") && body.contains("href=\"#field-governance-comment\""));
    assert_eq!(score("55", "medium", "Board minutes seen").await.status(), 303);
    assert!(app.page(&anon, "/cities/riga/diagnostic").await.contains("55 (medium confidence)"));

    // Waves: programme staff add one and close it from the waves page.
    let pm = app.signed_in(&pm_email).await;
    let waves = "/programmes/digital-innovation-initiative/waves";
    assert_eq!(lead.get(app.url(waves)).send().await.unwrap().status(), 403);
    let csrf = app.csrf(&pm, waves).await;
    let add = |closes_on: &'static str| {
        let (app, pm, csrf) = (&app, &pm, &csrf);
        async move {
            let fields =
                [("slug", "t2"), ("name", "Second follow-up"), ("opens_on", "2024-01-01"), ("closes_on", closes_on)];
            app.post_form(pm, waves, csrf, &fields).await
        }
    };
    let r = add("2023-12-31").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("href=\"#field-closes_on\""));
    assert_eq!(add("2024-12-31").await.status(), 303);
    let r = add("2024-12-31").await;
    assert_eq!(r.status(), 422, "a taken short name is reported on the form");
    let prog = app.store.programme("digital-innovation-initiative").await.unwrap();
    let t2 = app.store.wave(prog.id, "t2").await.unwrap();
    let version = t2.version.to_string();
    let r = app.post_form(&pm, &format!("{waves}/t2/close"), &csrf, &[("version", &version)]).await;
    assert_eq!(r.status(), 303);
    assert!(app.page(&pm, waves).await.contains("Closed on"));
    let cohort = app.page(&pm, "/programmes/digital-innovation-initiative/diagnostic?wave=t2").await;
    assert!(cohort.contains("This wave is closed") && cohort.contains("Manage waves"));
    let filtered =
        app.page(&anon, "/programmes/digital-innovation-initiative/diagnostic?wave=t0&region=atlantis").await;
    assert!(filtered.contains("There is a problem") && filtered.contains("Choose a region from the list."));
});

on_both!(the_lead_consolidates_answers_on_a_page, |app: TestApp| async move {
    let lead_email = app.person("lead@riga.example", Some(Role::CityLead), "riga").await;
    let lead = app.token(&lead_email).await;
    let member_email = app.person("member@riga.example", Some(Role::CityMember), "riga").await;
    let member = app.token(&member_email).await;
    let id = app.start_assessment(&lead, "riga", "t1").await;
    let assessment = format!("/api/v1/assessments/{id}");
    for (token, level) in [(&lead, 2), (&member, 5)] {
        let r = app.put_json(token, &format!("{assessment}/answers/dv-strategy"), &json!({"level": level})).await;
        assert_eq!(r.status(), 200);
    }
    let consolidate = format!("/assessments/{id}/consolidate");
    let member_browser = app.signed_in(&member_email).await;
    assert_eq!(
        member_browser.get(app.url(&consolidate)).send().await.unwrap().status(),
        403,
        "members answer; the lead consolidates"
    );
    let b = app.signed_in(&lead_email).await;
    let html = app.page(&b, &consolidate).await;
    assert!(html.contains("25, 100"), "both respondents' values");
    assert!(html.contains("<dd>25</dd>"), "the lower median of 25 and 100 is 25");
    let csrf = common::csrf_of(&html);
    let fields = [("question_id", "dv-strategy"), ("value", "130"), ("reason", "")];
    let r = app.post_form(&b, &consolidate, &csrf, &fields).await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("href=\"#field-dv-strategy-value\"") && body.contains("href=\"#field-dv-strategy-reason\""));
    assert!(body.contains("value=\"130\""), "the typed value is kept");
    let fields = [("question_id", "dv-strategy"), ("value", "75"), ("reason", "Agreed in the team meeting")];
    assert_eq!(app.post_form(&b, &consolidate, &csrf, &fields).await.status(), 303);
    let html = app.page(&b, &consolidate).await;
    assert!(html.contains("75 – Agreed in the team meeting"));
    let a = app.get_json_as(&lead, &assessment).await;
    assert_eq!(a["scores"]["capabilities"]["digital-vision"]["score"], 75.0, "the city's value counts");
    let fields = [("question_id", "dv-strategy"), ("op", "remove")];
    assert_eq!(app.post_form(&b, &consolidate, &csrf, &fields).await.status(), 303);
    let a = app.get_json_as(&lead, &assessment).await;
    assert_eq!(a["scores"]["capabilities"]["digital-vision"]["score"], 25.0, "the lower median applies again");
});

on_both!(staff_reopen_an_assessment_with_a_reason_on_a_page, |app: TestApp| async move {
    let lead_email = app.person("lead@riga.example", Some(Role::CityLead), "riga").await;
    let pm_email = app.person("pm@example.org", Some(Role::ProgrammeManager), "riga").await;
    app.import_assessment("riga", 0, &lead_email, true).await;
    let riga = app.store.organisation("riga").await.unwrap();
    let a = app.store.organisation_assessments(riga.id, "city-digital-maturity").await.unwrap().remove(0);
    let lead = app.signed_in(&lead_email).await;
    assert!(!app.page(&lead, "/cities/riga/diagnostic").await.contains("/reopen\""), "not for the city");
    let pm = app.signed_in(&pm_email).await;
    let diag = app.page(&pm, "/cities/riga/diagnostic").await;
    assert!(diag.contains(&format!("/assessments/{}/reopen", a.id)));
    let reopen = format!("/assessments/{}/reopen", a.id);
    let csrf = app.csrf(&pm, &reopen).await;
    let r = app.post_form(&pm, &reopen, &csrf, &[("reason", "  ")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("href=\"#field-reason\""));
    let r = app.post_form(&pm, &reopen, &csrf, &[("reason", "Evidence link was wrong")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.store.assessment(a.id).await.unwrap().status.as_str(), "draft");
    let log = app.store.audit_for("assessment", &a.id.to_string()).await.unwrap();
    assert!(log.iter().any(|e| e.action == "assessment.reopen: Evidence link was wrong"));
});
