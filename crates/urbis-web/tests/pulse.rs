//! Pulse surveys end to end on the real router, on SQLite and PostgreSQL: staff create a campaign,
//! add organisations (one made on the spot) and respondents, open it (links through the outbox),
//! respondents answer by link, the report hides figures below 5 responses, reminders skip those
//! reminded within 24 hours, CSV exports (full and anonymised), closing refuses answers. Then the
//! same journey through the pages, without JavaScript.

mod common;

use common::{TestApp, csrf_of};
use serde_json::{Value, json};
use urbis_domain::policy::Role;

/// A complete set of answers for the innovation-capacity-pulse instrument; `k` varies them.
fn answers(inst: &Value, k: usize) -> Vec<(String, Value)> {
    let mut out = vec![];
    for q in inst["questions"].as_array().unwrap() {
        let a = match q["type"].as_str().unwrap() {
            "level" => json!({"level": 1 + (k % 5)}),
            "choice" => {
                let c = ["yes", "partial", "no"][k % 3];
                json!({ "choice": c })
            }
            _ => {
                let items: Vec<Value> =
                    q["items"].as_array().unwrap().iter().take(k % 4).map(|i| i["id"].clone()).collect();
                json!({"ticked": items})
            }
        };
        out.push((q["id"].as_str().unwrap().to_string(), a));
    }
    out.push(("ctx-unit-staff".into(), json!({"value": (k * 3) as f64})));
    out.push(("ctx-biggest-barrier".into(), json!({"value": format!("Funding, said respondent {k}")})));
    out
}

on_both!(pulse_api_flow, |app: TestApp| async move {
    let c = app.client();
    let pm = app.token(&app.person("pm@example.org", Some(Role::ProgrammeManager), "riga").await).await;
    let lead = app.token(&app.person("lead@riga.example", Some(Role::CityLead), "riga").await).await;
    let oslo_lead = app.token(&app.person("lead@wien.example", Some(Role::CityLead), "vienna").await).await;

    // Bad input names every field; nothing is created.
    let r = c
        .post(app.url("/api/v1/pulse/campaigns"))
        .bearer_auth(&pm)
        .json(&json!({"title": " ", "instrument": "nope", "opens_on": "1 March", "closes_on": "2026-03-31"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title", "opens_on", "instrument"]);
    let list: Value =
        c.get(app.url("/api/v1/pulse/campaigns")).bearer_auth(&pm).send().await.unwrap().json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0);
    let body = json!({"title": "Innovation pulse 2026", "instrument": "innovation-capacity-pulse",
                      "programme": "digital-innovation-initiative", "opens_on": "2026-03-01", "closes_on": "2026-03-31"});
    let r = c.post(app.url("/api/v1/pulse/campaigns")).bearer_auth(&lead).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 403, "a city lead does not create surveys");
    let r = c.post(app.url("/api/v1/pulse/campaigns")).bearer_auth(&pm).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let campaign: Value = r.json().await.unwrap();
    assert_eq!((campaign["status"].as_str(), campaign["instrument_version"].as_i64()), (Some("draft"), Some(1)));
    let id = campaign["id"].as_str().unwrap().to_string();
    let url = |p: &str| app.url(&format!("/api/v1/pulse/campaigns/{id}{p}"));

    // Recipients: bad e-mail, unknown organisation and both kinds at once are 422 naming the field.
    for (rec, field) in [
        (json!({"organisation": "riga", "emails": ["not-an-address"]}), "emails"),
        (json!({"organisation": "atlantis", "emails": ["a@x.example"]}), "organisation"),
        (
            json!({"organisation": "riga", "new_organisation": {"name": "X", "country_code": "PT"}, "emails": ["a@x.example"]}),
            "organisation",
        ),
        (
            json!({"new_organisation": {"name": "Porto", "country_code": "Portugal"}, "emails": ["a@x.example"]}),
            "new_country_code",
        ),
    ] {
        let r = c.post(url("/recipients")).bearer_auth(&pm).json(&json!({"recipients": [rec]})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], field);
    }
    let recipients = json!({"recipients": [
        {"organisation": "riga", "emails": ["one@riga.example", "two@riga.example"]},
        {"organisation": "helsinki", "emails": ["one@helsinki.example"]},
        {"organisation": "tallinn", "emails": ["one@tallinn.example"]},
        {"organisation": "berlin", "emails": ["one@berlin.example"]},
        {"organisation": "athens", "emails": ["one@athens.example"]},
        {"new_organisation": {"name": "Porto", "country_code": "pt", "city": "Porto"}, "emails": ["one@porto.example"]},
    ]});
    let r = c.post(url("/recipients")).bearer_auth(&pm).json(&recipients).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let added: Value = r.json().await.unwrap();
    assert_eq!(added["added"].as_array().unwrap().len(), 7);
    let porto = added["added"].as_array().unwrap().iter().find(|r| r["email"] == "one@porto.example").unwrap();
    assert_eq!((porto["country"].as_str(), porto["region"].as_str()), (Some("PT"), Some("southern-europe")));
    assert!(app.store.queued_mail("one@riga.example").await.unwrap().is_empty(), "a draft sends nothing");

    // Opening needs If-Match: 428 without, 412 stale.
    let r = c.patch(url("")).bearer_auth(&pm).json(&json!({"status": "open"})).send().await.unwrap();
    assert_eq!(r.status(), 428);
    let r = c
        .patch(url(""))
        .bearer_auth(&pm)
        .header("If-Match", "\"1\"")
        .json(&json!({"status": "open"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 412);
    let etag = c.get(url("")).bearer_auth(&pm).send().await.unwrap().headers()["etag"].to_str().unwrap().to_string();
    let r = c
        .patch(url(""))
        .bearer_auth(&pm)
        .header("If-Match", &etag)
        .json(&json!({"status": "paused"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = c
        .patch(url(""))
        .bearer_auth(&pm)
        .header("If-Match", &etag)
        .json(&json!({"status": "open"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let opened: Value = r.json().await.unwrap();
    assert_eq!(opened["links"].as_array().unwrap().len(), 7, "each link is returned once");
    let got: Value = c.get(url("")).bearer_auth(&pm).send().await.unwrap().json().await.unwrap();
    assert!(got.get("links").is_none(), "and never again");
    let mail = app.store.queued_mail("one@riga.example").await.unwrap();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].0, "survey-invitation");
    assert!(mail[0].1.contains("Innovation pulse 2026"));

    // A respondent answers by link; wrong answers are 422 naming the field.
    let token = app.survey_token("one@riga.example").await;
    let s = |p: &str| app.url(&format!("/api/v1/surveys/{token}{p}"));
    let survey: Value = c.get(s("")).send().await.unwrap().json().await.unwrap();
    assert_eq!((survey["status"].as_str(), survey["organisation"].as_str()), (Some("open"), Some("Riga")));
    let inst = survey["instrument"].clone();
    assert_eq!(c.get(app.url("/api/v1/surveys/0123")).send().await.unwrap().status(), 404);
    let r = c.put(s("/answers/lead-mandate")).json(&json!({"level": 9})).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), r.json::<Value>().await.unwrap()["errors"][0]["field"].clone()),
        (422, json!("level"))
    );
    let r = c.put(s("/answers/lead-mandate")).json(&json!({"not_applicable": true})).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let r = c.put(s("/answers/nope")).json(&json!({"level": 1})).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "question_id");
    let r = c.put(s("/answers/lead-mandate")).json(&json!({"level": 4, "evidence": "x"})).send().await.unwrap();
    assert_eq!(r.status(), 422, "no evidence on pulse surveys");
    let r = c.put(s("/answers/lead-mandate")).json(&json!({"level": 4})).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["normalised"], 75.0);
    let r = c.post(s("/submit")).send().await.unwrap();
    assert_eq!(r.status(), 409);
    let missing: Value = r.json().await.unwrap();
    assert!(missing["errors"].as_array().unwrap().iter().any(|e| e["field"] == "org-unit"));

    // Five respondents answer everything and submit; Porto's respondent and one in Riga do not.
    let respondents =
        ["one@riga.example", "one@helsinki.example", "one@tallinn.example", "one@berlin.example", "one@athens.example"];
    for (k, email) in respondents.iter().enumerate() {
        let t = app.survey_token(email).await;
        for (q, a) in answers(&inst, k) {
            let r = c.put(app.url(&format!("/api/v1/surveys/{t}/answers/{q}"))).json(&a).send().await.unwrap();
            assert_eq!(r.status(), 200, "{email} {q}");
        }
        let r = c.post(app.url(&format!("/api/v1/surveys/{t}/submit"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = c.put(s("/answers/lead-mandate")).json(&json!({"level": 2})).send().await.unwrap();
    assert_eq!(r.status(), 409, "a submitted response refuses changes");
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["code"], "already-submitted");

    // Response rates: 5 of 7 people; 5 of 6 organisations; Porto's country at 0 %.
    let rates: Value = c.get(url("/response-rates")).bearer_auth(&pm).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        (rates["respondents"]["responded"].as_u64(), rates["respondents"]["invited"].as_u64()),
        (Some(5), Some(7))
    );
    assert_eq!(
        (rates["organisations"]["responded"].as_u64(), rates["organisations"]["invited"].as_u64()),
        (Some(5), Some(6))
    );
    assert_eq!(rates["by_country"]["PT"]["percent"], 0.0);
    assert_eq!(rates["by_region"]["northern-europe"]["percent"], 100.0);
    assert_eq!(c.get(url("/response-rates")).bearer_auth(&lead).send().await.unwrap().status(), 403);

    // The report: figures from 5 responses; free text for staff only.
    let report: Value = c.get(url("/report")).bearer_auth(&pm).send().await.unwrap().json().await.unwrap();
    assert_eq!((report["n"].as_u64(), report["figures_shown"].as_bool()), (Some(5), Some(true)));
    let q = |r: &Value, id: &str| {
        r["questions"].as_array().unwrap().iter().find(|q| q["question_id"] == id).unwrap().clone()
    };
    let mandate = q(&report, "lead-mandate");
    let counts: Vec<u64> =
        mandate["options"].as_array().unwrap().iter().map(|o| o["count"].as_u64().unwrap()).collect();
    assert_eq!(counts, [1, 1, 1, 1, 1], "levels 1 to 5 once each");
    let staff = q(&report, "ctx-unit-staff");
    assert_eq!(
        (staff["number"]["median"].as_f64(), staff["number"]["mean"].as_f64(), staff["number"]["max"].as_f64()),
        (Some(6.0), Some(6.0), Some(12.0))
    );
    assert_eq!(q(&report, "ctx-biggest-barrier")["answers"].as_array().unwrap().len(), 5);
    let overall = report["capabilities"].as_array().unwrap().iter().find(|c| c["capability"] == "overall").unwrap();
    assert_eq!(overall["distribution"]["n"], 5);
    let as_lead: Value = c.get(url("/report")).bearer_auth(&lead).send().await.unwrap().json().await.unwrap();
    assert_eq!(as_lead["n"], 5);
    assert!(q(&as_lead, "ctx-biggest-barrier")["answers"].is_null(), "city teams see no free text");
    assert_eq!(c.get(url("/report")).bearer_auth(&oslo_lead).send().await.unwrap().status(), 403, "not sent to Vienna");
    // Filters: below 5 matching responses only counts are given.
    let north: Value =
        c.get(url("/report?region=northern-europe")).bearer_auth(&pm).send().await.unwrap().json().await.unwrap();
    assert_eq!((north["n"].as_u64(), north["figures_shown"].as_bool()), (Some(3), Some(false)));
    assert!(q(&north, "lead-mandate")["options"].is_null() && q(&north, "ctx-unit-staff")["number"].is_null());
    assert_eq!(q(&north, "lead-mandate")["answered"], 3, "counts are still given");
    let one: Value = c.get(url("/report?country=DE")).bearer_auth(&pm).send().await.unwrap().json().await.unwrap();
    assert_eq!(one["n"], 1);
    let r = c.get(url("/report?region=atlantis")).bearer_auth(&pm).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), r.json::<Value>().await.unwrap()["errors"][0]["field"].clone()),
        (400, json!("region"))
    );

    // CSV: full with organisations and e-mails; anonymised without, in keyed-hash order.
    let full = c.get(url("/responses.csv")).bearer_auth(&pm).send().await.unwrap();
    assert!(full.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let full = full.text().await.unwrap();
    let lines: Vec<&str> = full.lines().collect();
    assert!(lines[0].starts_with("organisation,country,region,respondent_email,submitted_on,lead-mandate,"));
    assert!(lines[0].ends_with(
        ",ctx-biggest-barrier,score-leadership,score-organisational,score-analytical,score-partnership,score-overall"
    ));
    assert_eq!(lines.len(), 6);
    assert!(full.contains("one@berlin.example") && full.contains("\"Funding, said respondent 3\""));
    let anon =
        c.get(url("/responses.csv?anonymised=true")).bearer_auth(&pm).send().await.unwrap().text().await.unwrap();
    let alines: Vec<&str> = anon.lines().collect();
    assert!(alines[0].starts_with("region,lead-mandate,"));
    assert!(!alines[0].contains("ctx-biggest-barrier") && !anon.contains('@') && !anon.contains("Funding"));
    assert!(!anon.contains("Riga") && !anon.contains(",DE,") && !anon.contains("2026-"));
    assert_eq!(alines.len(), 6);
    let regions: Vec<&str> = alines[1..].iter().map(|l| l.split(',').next().unwrap()).collect();
    assert!(regions.iter().all(|r| ["northern-europe", "western-europe", "southern-europe"].contains(r)));
    let again =
        c.get(url("/responses.csv?anonymised=true")).bearer_auth(&pm).send().await.unwrap().text().await.unwrap();
    assert_eq!(anon, again, "a stable order");
    let r = c.get(url("/responses.csv?anonymised=true&country=DE")).bearer_auth(&pm).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let r = c.get(url("/responses.csv?anonymised=true&region=northern-europe")).bearer_auth(&pm).send().await.unwrap();
    assert_eq!(r.status(), 409, "too few responses to anonymise");
    assert_eq!(c.get(url("/responses.csv")).bearer_auth(&lead).send().await.unwrap().status(), 403);

    // Reminders: the two who have not submitted, once within 24 hours.
    let r: Value = c.post(url("/reminders")).bearer_auth(&pm).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["reminded"], 2);
    assert_eq!(r["links"].as_array().unwrap().len(), 2);
    let r: Value = c.post(url("/reminders")).bearer_auth(&pm).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["reminded"], 0);
    let porto_mail = app.store.queued_mail("one@porto.example").await.unwrap();
    assert_eq!(porto_mail.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(), ["survey-invitation", "survey-reminder"]);
    // Both links lead to the same questionnaire.
    let reminder_token = app.survey_token("one@porto.example").await;
    let first: Value =
        c.get(app.url(&format!("/api/v1/surveys/{reminder_token}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(first["organisation"], "Porto");

    // Closing: answers refused with a clear reason; a closed campaign takes no reminders.
    let etag = c.get(url("")).bearer_auth(&pm).send().await.unwrap().headers()["etag"].to_str().unwrap().to_string();
    let r = c
        .patch(url(""))
        .bearer_auth(&pm)
        .header("If-Match", &etag)
        .json(&json!({"status": "closed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .put(app.url(&format!("/api/v1/surveys/{reminder_token}/answers/lead-mandate")))
        .json(&json!({"level": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["code"], "survey-closed");
    assert_eq!(c.post(url("/reminders")).bearer_auth(&pm).send().await.unwrap().status(), 409);
    let r = c
        .patch(url(""))
        .bearer_auth(&pm)
        .header("If-Match", "\"99\"")
        .json(&json!({"status": "open"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 412);
    // Every change is in the audit log.
    let audit = app.store.audit_for("survey-campaign", &id).await.unwrap();
    for action in ["survey.create", "survey.open", "survey.close", "survey.remind", "survey.add-recipients"] {
        assert!(audit.iter().any(|e| e.action == action), "{action}");
    }
});

on_both!(pulse_pages_without_javascript, |app: TestApp| async move {
    app.person("pm@example.org", Some(Role::ProgrammeManager), "riga").await;
    let b = app.signed_in("pm@example.org").await;
    let page = b.get(app.url("/pulse/new")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    // Errors keep what was typed and name the fields.
    let r = b
        .post(app.url("/pulse/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "My <pulse>"),
            ("instrument", "innovation-capacity-pulse@1"),
            ("programme", ""),
            ("opens_on", "2026-04-01"),
            ("closes_on", "2026-03-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("error-summary") && html.contains("href=\"#field-closes_on\""));
    assert!(
        html.contains("value=\"My &#60;pulse&#62;\"") && !html.contains("My <pulse>"),
        "the typed title is kept, escaped"
    );
    let r = b
        .post(app.url("/pulse/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Pulse"),
            ("instrument", "innovation-capacity-pulse@1"),
            ("programme", ""),
            ("opens_on", "2026-03-01"),
            ("closes_on", "2026-03-31"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let id = at.rsplit('/').next().unwrap().to_string();
    // A new organisation with a bad country code: 422, the typed name kept.
    let r = b
        .post(app.url(&format!("/pulse/{id}/recipients")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("mode", "new"),
            ("new_name", "Porto Digital"),
            ("new_country_code", "Portugal"),
            ("new_city", "Porto"),
            ("new_emails", "cio@porto.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#field-new_country_code\"") && html.contains("value=\"Porto Digital\""));
    let r = b
        .post(app.url(&format!("/pulse/{id}/recipients")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("mode", "new"),
            ("new_name", "Porto Digital"),
            ("new_country_code", "PT"),
            ("new_city", "Porto"),
            ("new_emails", "cio@porto.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let html = b.get(app.url(&format!("/pulse/{id}?added=1"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("cio@porto.example") && html.contains("Porto Digital"));
    // Opening with a stale version is a conflict with a clear message; then it opens.
    let r = b
        .post(app.url(&format!("/pulse/{id}/status")))
        .form(&[("csrf", csrf.as_str()), ("version", "1"), ("status", "open")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("href=\"#field-status\""));
    let version = app.store.campaign(id.parse().unwrap()).await.unwrap().version.to_string();
    let r = b
        .post(app.url(&format!("/pulse/{id}/status")))
        .form(&[("csrf", csrf.as_str()), ("version", version.as_str()), ("status", "open")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the page answers the form, showing the links once");
    let html = r.text().await.unwrap();

    // The respondent, with no account, answers one topic per page.
    let token = app.survey_token("cio@porto.example").await;
    assert!(html.contains(&format!("/surveys/{token}</td>")), "the link sent is shown once");
    let html = b.get(app.url(&format!("/pulse/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains(&token), "and only once");
    let rb = app.browser();
    let html = rb.get(app.url(&format!("/surveys/{token}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Porto Digital") && html.contains(&format!("/surveys/{token}/sections/leadership")));
    let html =
        rb.get(app.url(&format!("/surveys/{token}/sections/leadership"))).send().await.unwrap().text().await.unwrap();
    let rcsrf = csrf_of(&html);
    let r = rb
        .post(app.url(&format!("/surveys/{token}/sections/leadership")))
        .form(&[
            ("csrf", rcsrf.as_str()),
            ("q-lead-mandate", "4"),
            ("q-lead-commitments", "none"),
            ("q-lead-commitments", "city-plan"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#field-q-lead-commitments\""));
    assert!(html.contains("id=\"q-lead-mandate-4\" name=\"q-lead-mandate\" value=\"4\" checked"), "input kept");
    let r = rb
        .post(app.url(&format!("/surveys/{token}/sections/leadership")))
        .form(&[("csrf", rcsrf.as_str()), ("q-lead-mandate", "4"), ("q-lead-commitments", "city-plan")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("/surveys/{token}/sections/organisational").as_str());
    // Progress is kept: the page shows the saved answer when the link is opened again.
    let html =
        rb.get(app.url(&format!("/surveys/{token}/sections/leadership"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("value=\"4\" checked"));
    // Check your answers: submitting with required questions missing is refused, naming them.
    let r =
        rb.post(app.url(&format!("/surveys/{token}/check"))).form(&[("csrf", rcsrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("href=\"#q-lead-political-backing\""));
    // Answer the rest through the API (the same operations), then submit on the page.
    let survey: Value =
        app.client().get(app.url(&format!("/api/v1/surveys/{token}"))).send().await.unwrap().json().await.unwrap();
    for (q, a) in answers(&survey["instrument"], 2) {
        let r =
            app.client().put(app.url(&format!("/api/v1/surveys/{token}/answers/{q}"))).json(&a).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    let html = rb.get(app.url(&format!("/surveys/{token}/check"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Level 3"));
    let r =
        rb.post(app.url(&format!("/surveys/{token}/check"))).form(&[("csrf", rcsrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let html = rb.get(app.url(&format!("/surveys/{token}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Thank you"));
    let r = rb
        .post(app.url(&format!("/surveys/{token}/sections/leadership")))
        .form(&[("csrf", rcsrf.as_str()), ("q-lead-mandate", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "the link refuses changes after submission");
    assert!(r.text().await.unwrap().contains("Thank you"));

    // The report: one response, so counts only, saying why; the CSV downloads with the session.
    let html = b.get(app.url(&format!("/pulse/{id}/report"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Fewer than 5 responses match"));
    assert!(!html.contains("class=\"bar-chart\""), "no charts below 5 responses");
    let csv = b.get(app.url(&format!("/pulse/{id}/responses.csv"))).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.text().await.unwrap().contains("cio@porto.example"));
    // Closed: the questionnaire says so.
    let version = app.store.campaign(id.parse().unwrap()).await.unwrap().version.to_string();
    let r = b
        .post(app.url(&format!("/pulse/{id}/status")))
        .form(&[("csrf", csrf.as_str()), ("version", version.as_str()), ("status", "closed")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
});

on_both!(pulse_report_page_shows_charts_from_five_responses, |app: TestApp| async move {
    let c = app.client();
    app.person("admin@example.org", Some(Role::Admin), "riga").await;
    let admin = app.token("admin@example.org").await;
    let emails: Vec<String> = (0..5).map(|i| format!("r{i}@lisbon.example")).collect();
    let id = app
        .open_survey(
            &admin,
            json!({"title": "Outside any programme", "instrument": "innovation-capacity-pulse", "opens_on": "2026-03-01", "closes_on": "2026-03-31"}),
            json!([{"organisation": "lisbon", "emails": emails}]),
        )
        .await;
    for (k, e) in emails.iter().enumerate() {
        let t = app.survey_token(e).await;
        let inst: Value = c.get(app.url(&format!("/api/v1/surveys/{t}"))).send().await.unwrap().json().await.unwrap();
        for (q, a) in answers(&inst["instrument"], k) {
            assert_eq!(
                c.put(app.url(&format!("/api/v1/surveys/{t}/answers/{q}"))).json(&a).send().await.unwrap().status(),
                200
            );
        }
        assert_eq!(c.post(app.url(&format!("/api/v1/surveys/{t}/submit"))).send().await.unwrap().status(), 200);
    }
    let b = app.signed_in("admin@example.org").await;
    let html = b.get(app.url(&format!("/pulse/{id}/report"))).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("Fewer than 5 responses match"));
    assert!(
        html.contains("<title id=\"chart-lead-mandate-title\">")
            && html.contains("<desc id=\"chart-lead-mandate-desc\">")
    );
    assert!(html.contains("Funding, said respondent 4"), "staff read the free text");
    let html = b
        .get(app.url(&format!("/pulse/{id}/report?region=northern-europe")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Fewer than 5 responses match") && !html.contains("Funding"));
    let r = b.get(app.url(&format!("/pulse/{id}/report?country=Portugal"))).send().await.unwrap();
    assert_eq!(r.status(), 400);
});
