//! Pulse surveys end to end on the real router, on SQLite and PostgreSQL: staff create a campaign,
//! add organisations (one made on the spot) and respondents, open it (links through the outbox),
//! respondents answer by link, the report hides figures below 5 responses, reminders skip those
//! reminded within 24 hours, CSV exports (full and anonymised), closing refuses answers. Then the
//! same journey through the pages, without JavaScript.

mod common;

use common::{TestApp, error_fields, json_of};
use serde_json::{Value, json};
use urbis_domain::policy::Role;

const CAMPAIGNS: &str = "/api/v1/pulse/campaigns";

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

/// Answer the survey behind link `token` through the API with `answers(inst, k)`, each accepted.
async fn answer_all(app: &TestApp, token: &str, inst: &Value, k: usize) {
    for (q, a) in answers(inst, k) {
        let r =
            app.client().put(app.url(&format!("/api/v1/surveys/{token}/answers/{q}"))).json(&a).send().await.unwrap();
        assert_eq!(r.status(), 200, "{token} {q}");
    }
}

/// Answer the survey behind link `token` as [`answer_all`] does, then submit it.
async fn respond(app: &TestApp, token: &str, inst: &Value, k: usize) {
    answer_all(app, token, inst, k).await;
    let r = app.client().post(app.url(&format!("/api/v1/surveys/{token}/submit"))).send().await.unwrap();
    assert_eq!(r.status(), 200, "{token} submitted");
}

on_both!(pulse_api_flow, |app: TestApp| async move {
    let c = app.client();
    let pm = app.token_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let oslo_lead = app.token_as("lead@wien.example", Role::CityLead, "vienna").await;

    // Bad input names every field; nothing is created.
    let bad = json!({"title": " ", "instrument": "nope", "opens_on": "1 March", "closes_on": "2026-03-31"});
    let r = app.post_json(&pm, CAMPAIGNS, &bad).await;
    assert_eq!(r.status(), 422);
    assert_eq!(error_fields(&json_of(r).await), ["title", "opens_on", "instrument"]);
    let list = app.get_json_as(&pm, CAMPAIGNS).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    let body = json!({"title": "Innovation pulse 2026", "instrument": "innovation-capacity-pulse",
                      "programme": "digital-innovation-initiative", "opens_on": "2026-03-01", "closes_on": "2026-03-31"});
    let r = app.post_json(&lead, CAMPAIGNS, &body).await;
    assert_eq!(r.status(), 403, "a city lead does not create surveys");
    let r = app.post_json(&pm, CAMPAIGNS, &body).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let campaign: Value = r.json().await.unwrap();
    assert_eq!((campaign["status"].as_str(), campaign["instrument_version"].as_i64()), (Some("draft"), Some(1)));
    let id = campaign["id"].as_str().unwrap().to_string();
    let campaign = |p: &str| format!("{CAMPAIGNS}/{id}{p}");
    let url = |p: &str| app.url(&campaign(p));

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
        let r = app.post_json(&pm, &campaign("/recipients"), &json!({"recipients": [rec]})).await;
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
    let r = app.post_json(&pm, &campaign("/recipients"), &recipients).await;
    assert_eq!(r.status(), 201);
    let added: Value = r.json().await.unwrap();
    assert_eq!(added["added"].as_array().unwrap().len(), 7);
    let porto = added["added"].as_array().unwrap().iter().find(|r| r["email"] == "one@porto.example").unwrap();
    assert_eq!((porto["country"].as_str(), porto["region"].as_str()), (Some("PT"), Some("southern-europe")));
    assert!(app.store.queued_mail("one@riga.example").await.unwrap().is_empty(), "a draft sends nothing");

    // Opening needs If-Match: 428 without, 412 stale.
    let r = c.patch(url("")).bearer_auth(&pm).json(&json!({"status": "open"})).send().await.unwrap();
    assert_eq!(r.status(), 428);
    let open = json!({"status": "open"});
    assert_eq!(app.patch_if_match(&pm, &campaign(""), "\"1\"", &open).await.status(), 412);
    let etag = app.etag(Some(&pm), &campaign("")).await;
    let r = app.patch_if_match(&pm, &campaign(""), &etag, &json!({"status": "paused"})).await;
    assert_eq!(r.status(), 422);
    let r = app.patch_if_match(&pm, &campaign(""), &etag, &open).await;
    assert_eq!(r.status(), 200);
    let opened: Value = r.json().await.unwrap();
    assert_eq!(opened["links"].as_array().unwrap().len(), 7, "each link is returned once");
    let got = app.get_json_as(&pm, &campaign("")).await;
    assert!(got.get("links").is_none(), "and never again");
    let mail = app.store.queued_mail("one@riga.example").await.unwrap();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].0, "survey-invitation");
    assert!(mail[0].1.contains("Innovation pulse 2026"));

    // A respondent answers by link; wrong answers are 422 naming the field.
    let token = app.survey_token("one@riga.example").await;
    let s = |p: &str| app.url(&format!("/api/v1/surveys/{token}{p}"));
    let survey = app.get_json(&format!("/api/v1/surveys/{token}")).await;
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
        respond(&app, &app.survey_token(email).await, &inst, k).await;
    }
    let r = c.put(s("/answers/lead-mandate")).json(&json!({"level": 2})).send().await.unwrap();
    assert_eq!(r.status(), 409, "a submitted response refuses changes");
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["code"], "already-submitted");

    // Response rates: 5 of 7 people; 5 of 6 organisations; Porto's country at 0 %.
    let rates = app.get_json_as(&pm, &campaign("/response-rates")).await;
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
    let report = app.get_json_as(&pm, &campaign("/report")).await;
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
    // City teams read the aggregate only once the survey has closed: while it is open, two reads a
    // response apart would show that response.
    let as_lead = app.get_json_as(&lead, &campaign("/report")).await;
    assert_eq!((as_lead["n"].as_u64(), as_lead["withheld"].as_str()), (Some(5), Some("campaign-open")));
    assert!(as_lead["questions"].as_array().unwrap().is_empty(), "not even per-question counts");
    assert!(as_lead["capabilities"].as_array().unwrap().iter().all(|c| c["distribution"].is_null()));
    assert_eq!(c.get(url("/report")).bearer_auth(&oslo_lead).send().await.unwrap().status(), 403, "not sent to Vienna");
    // Filters: below 5 matching responses only counts are given.
    let north = app.get_json_as(&pm, &campaign("/report?region=northern-europe")).await;
    assert_eq!((north["n"].as_u64(), north["figures_shown"].as_bool()), (Some(3), Some(false)));
    assert!(q(&north, "lead-mandate")["options"].is_null() && q(&north, "ctx-unit-staff")["number"].is_null());
    assert_eq!(q(&north, "lead-mandate")["answered"], 3, "counts are still given");
    let one = app.get_json_as(&pm, &campaign("/report?country=DE")).await;
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
    let anon = app.get_text_as(&pm, &campaign("/responses.csv?anonymised=true")).await;
    let alines: Vec<&str> = anon.lines().collect();
    assert!(alines[0].starts_with("region,lead-mandate,"));
    assert!(!alines[0].contains("ctx-biggest-barrier") && !anon.contains('@') && !anon.contains("Funding"));
    assert!(!anon.contains("Riga") && !anon.contains(",DE,") && !anon.contains("2026-"));
    assert_eq!(alines.len(), 6);
    let regions: Vec<&str> = alines[1..].iter().map(|l| l.split(',').next().unwrap()).collect();
    assert!(regions.iter().all(|r| ["northern-europe", "western-europe", "southern-europe"].contains(r)));
    let again = app.get_text_as(&pm, &campaign("/responses.csv?anonymised=true")).await;
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
    let first = app.get_json(&format!("/api/v1/surveys/{reminder_token}")).await;
    assert_eq!(first["organisation"], "Porto");

    // Closing: answers refused with a clear reason; a closed campaign takes no reminders.
    assert_eq!(app.patch_with_etag(&pm, &campaign(""), &json!({"status": "closed"})).await.status(), 200);
    let answer = app.url(&format!("/api/v1/surveys/{reminder_token}/answers/lead-mandate"));
    let r = c.put(answer).json(&json!({"level": 2})).send().await.unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["code"], "survey-closed");
    assert_eq!(c.post(url("/reminders")).bearer_auth(&pm).send().await.unwrap().status(), 409);
    assert_eq!(app.patch_if_match(&pm, &campaign(""), "\"99\"", &open).await.status(), 412);
    // Closed: the city teams see the figures, without free text; not by country, and not for a
    // region with fewer than 5 responses, where they see no per-question counts either.
    let as_lead = app.get_json_as(&lead, &campaign("/report")).await;
    assert_eq!((as_lead["figures_shown"].as_bool(), as_lead["withheld"].as_str()), (Some(true), None));
    assert!(q(&as_lead, "ctx-biggest-barrier")["answers"].is_null(), "city teams see no free text");
    assert_eq!(q(&as_lead, "lead-mandate")["answered"], 5);
    let north = app.get_json_as(&lead, &campaign("/report?region=northern-europe")).await;
    assert_eq!((north["n"].as_u64(), north["withheld"].as_str()), (Some(3), Some("too-few-responses")));
    assert!(north["questions"].as_array().unwrap().is_empty());
    let r = c.get(url("/report?country=DE")).bearer_auth(&lead).send().await.unwrap();
    assert_eq!(r.status(), 400, "a country names its few organisations");
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "country");
    // Every change is in the audit log.
    let audit = app.store.audit_for("survey-campaign", &id).await.unwrap();
    for action in ["survey.create", "survey.open", "survey.close", "survey.remind", "survey.add-recipients"] {
        assert!(audit.iter().any(|e| e.action == action), "{action}");
    }
});

on_both!(pulse_pages_without_javascript, |app: TestApp| async move {
    app.person("pm@example.org", Some(Role::ProgrammeManager), "riga").await;
    let b = app.signed_in("pm@example.org").await;
    let csrf = app.csrf(&b, "/pulse/new").await;
    let new_pulse = |title: &'static str, opens_on: &'static str, closes_on: &'static str| {
        let (app, b, csrf) = (&app, &b, &csrf);
        async move {
            let fields = [
                ("title", title),
                ("instrument", "innovation-capacity-pulse@1"),
                ("programme", ""),
                ("opens_on", opens_on),
                ("closes_on", closes_on),
            ];
            app.post_form(b, "/pulse/new", csrf, &fields).await
        }
    };
    // Errors keep what was typed and name the fields.
    let r = new_pulse("My <pulse>", "2026-04-01", "2026-03-01").await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("error-summary") && html.contains("href=\"#field-closes_on\""));
    assert!(
        html.contains("value=\"My &#60;pulse&#62;\"") && !html.contains("My <pulse>"),
        "the typed title is kept, escaped"
    );
    let r = new_pulse("Pulse", "2026-03-01", "2026-03-31").await;
    assert_eq!(r.status(), 303);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let id = at.rsplit('/').next().unwrap().to_string();
    // A new organisation with a bad country code: 422, the typed name kept.
    let recipients = format!("/pulse/{id}/recipients");
    let porto = |country_code: &'static str| {
        let (app, b, csrf, recipients) = (&app, &b, &csrf, &recipients);
        async move {
            let fields = [
                ("mode", "new"),
                ("new_name", "Porto Digital"),
                ("new_country_code", country_code),
                ("new_city", "Porto"),
                ("new_emails", "cio@porto.example"),
            ];
            app.post_form(b, recipients, csrf, &fields).await
        }
    };
    let r = porto("Portugal").await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#field-new_country_code\"") && html.contains("value=\"Porto Digital\""));
    assert_eq!(porto("PT").await.status(), 303);
    let html = app.page(&b, &format!("/pulse/{id}?added=1")).await;
    assert!(html.contains("cio@porto.example") && html.contains("Porto Digital"));
    // Opening with a stale version is a conflict with a clear message; then it opens.
    let status = format!("/pulse/{id}/status");
    let r = app.post_form(&b, &status, &csrf, &[("version", "1"), ("status", "open")]).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("href=\"#field-status\""));
    let version = app.store.campaign(id.parse().unwrap()).await.unwrap().version.to_string();
    let r = app.post_form(&b, &status, &csrf, &[("version", version.as_str()), ("status", "open")]).await;
    assert_eq!(r.status(), 200, "the page answers the form, showing the links once");
    let html = r.text().await.unwrap();

    // The respondent, with no account, answers one topic per page.
    let token = app.survey_token("cio@porto.example").await;
    assert!(html.contains(&format!("/surveys/{token}</td>")), "the link sent is shown once");
    let html = app.page(&b, &format!("/pulse/{id}")).await;
    assert!(!html.contains(&token), "and only once");
    let rb = app.browser();
    let survey = format!("/surveys/{token}");
    let (leadership, check) = (format!("{survey}/sections/leadership"), format!("{survey}/check"));
    let html = app.page(&rb, &survey).await;
    assert!(html.contains("Porto Digital") && html.contains(&leadership));
    let rcsrf = app.csrf(&rb, &leadership).await;
    let both = [("q-lead-mandate", "4"), ("q-lead-commitments", "none"), ("q-lead-commitments", "city-plan")];
    let r = app.post_form(&rb, &leadership, &rcsrf, &both).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#field-q-lead-commitments\""));
    assert!(html.contains("id=\"q-lead-mandate-4\" name=\"q-lead-mandate\" value=\"4\" checked"), "input kept");
    let r =
        app.post_form(&rb, &leadership, &rcsrf, &[("q-lead-mandate", "4"), ("q-lead-commitments", "city-plan")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("/surveys/{token}/sections/organisational").as_str());
    // Progress is kept: the page shows the saved answer when the link is opened again.
    assert!(app.page(&rb, &leadership).await.contains("value=\"4\" checked"));
    // Check your answers: submitting with required questions missing is refused, naming them.
    let r = app.post_form(&rb, &check, &rcsrf, &[]).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("href=\"#q-lead-political-backing\""));
    // Answer the rest through the API (the same operations), then submit on the page.
    let api = app.get_json(&format!("/api/v1{survey}")).await;
    answer_all(&app, &token, &api["instrument"], 2).await;
    assert!(app.page(&rb, &check).await.contains("Level 3"));
    assert_eq!(app.post_form(&rb, &check, &rcsrf, &[]).await.status(), 303);
    assert!(app.page(&rb, &survey).await.contains("Thank you"));
    let r = app.post_form(&rb, &leadership, &rcsrf, &[("q-lead-mandate", "1")]).await;
    assert_eq!(r.status(), 409, "the link refuses changes after submission");
    assert!(r.text().await.unwrap().contains("Thank you"));

    // The report: one response, so counts only, saying why; the CSV downloads with the session.
    let html = app.page(&b, &format!("/pulse/{id}/report")).await;
    assert!(html.contains("Fewer than 5 responses match"));
    assert!(!html.contains("class=\"bar-chart\""), "no charts below 5 responses");
    let csv = b.get(app.url(&format!("/pulse/{id}/responses.csv"))).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.text().await.unwrap().contains("cio@porto.example"));
    // Closed: the questionnaire says so.
    let version = app.store.campaign(id.parse().unwrap()).await.unwrap().version.to_string();
    let r = app.post_form(&b, &status, &csrf, &[("version", version.as_str()), ("status", "closed")]).await;
    assert_eq!(r.status(), 303);
});

on_both!(pulse_report_page_shows_charts_from_five_responses, |app: TestApp| async move {
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
        let survey = app.get_json(&format!("/api/v1/surveys/{t}")).await;
        respond(&app, &t, &survey["instrument"], k).await;
    }
    let b = app.signed_in("admin@example.org").await;
    let html = app.page(&b, &format!("/pulse/{id}/report")).await;
    assert!(!html.contains("Fewer than 5 responses match"));
    assert!(
        html.contains("<title id=\"chart-lead-mandate-title\">")
            && html.contains("<desc id=\"chart-lead-mandate-desc\">")
    );
    assert!(html.contains("Funding, said respondent 4"), "staff read the free text");
    let html = app.page(&b, &format!("/pulse/{id}/report?region=northern-europe")).await;
    assert!(html.contains("Fewer than 5 responses match") && !html.contains("Funding"));
    let r = b.get(app.url(&format!("/pulse/{id}/report?country=Portugal"))).send().await.unwrap();
    assert_eq!(r.status(), 400);
});

// Secret links are never stored in clear (issue 9, item 4): after invitations and survey links were
// queued, a backup (what `urbis backup` writes: the store's archive as JSON) holds none of the
// issued tokens or links, and nothing in it works as a link: every hex string in it is tried as an
// invitation and as a survey token against the app, and none opens anything (while the real
// tokens do, so the probe would notice a working one).
on_both!(backups_hold_no_working_link, |app: TestApp| async move {
    let admin = app.token_as("admin@example.org", Role::Admin, "riga").await;
    let mut tokens = vec![];
    for email in ["one@riga.example", "two@riga.example"] {
        let invitation = json!({"email": email, "city": "riga", "role": "city-member"});
        let created =
            app.created(&admin, "/api/v1/programmes/digital-innovation-initiative/invitations", &invitation).await;
        let link = created["link"].as_str().unwrap().to_string();
        tokens.push(("invitations", link.rsplit('/').next().unwrap().to_string()));
    }
    let emails = ["a@riga.example", "b@riga.example", "c@riga.example"];
    app.open_survey(
        &admin,
        json!({"title": "Pulse", "instrument": "innovation-capacity-pulse", "programme": "digital-innovation-initiative",
               "opens_on": "2026-01-01", "closes_on": "2099-02-01"}),
        json!([{"organisation": "riga", "emails": emails}]),
    )
    .await;
    for email in emails {
        tokens.push(("surveys", app.survey_token(email).await));
    }
    // The real tokens work (through the outbox, opened with its key).
    for (kind, token) in &tokens {
        let status = app.client().get(app.url(&format!("/api/v1/{kind}/{token}"))).send().await.unwrap().status();
        assert_eq!(status, 200, "{kind} {token} works before the backup");
    }
    let archive = app.store.backup().await.unwrap();
    let bytes = serde_json::to_vec(&archive).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    for (kind, token) in &tokens {
        assert!(!text.contains(token.as_str()), "the {kind} token {token} is in the backup");
    }
    assert!(!text.contains("/surveys/") && !text.contains("/invitations/"), "a link is in the backup");
    // Anything that could be a token: every run of 16 or more hex digits.
    let mut candidates = std::collections::BTreeSet::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            if run.len() >= 16 {
                candidates.insert(std::mem::take(&mut run));
            }
            run.clear();
        }
    }
    assert!(candidates.len() >= 5, "the hashes of the links are there to try: {}", candidates.len());
    for candidate in &candidates {
        for kind in ["invitations", "surveys"] {
            let r = app.client().get(app.url(&format!("/api/v1/{kind}/{candidate}"))).send().await.unwrap();
            let status = r.status().as_u16();
            assert!((400..500).contains(&status), "{candidate} from the backup opens {kind}: {status}");
        }
    }
});
