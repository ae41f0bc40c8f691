//! The services API end to end on the real router: a city's service, its plan, publication,
//! indicators, measurements (one by one and from CSV), and the open-standard exports. On SQLite
//! and PostgreSQL.

mod common;

use common::{TestApp, error_fields, json_of};
use serde_json::{Value, json};
use urbis_domain::policy::Role;

const PROGRAMME_SERVICES: &str = "/api/v1/programmes/digital-innovation-initiative/services";

on_both!(service_lifecycle_and_publication, |app: TestApp| async move {
    let c = app.client();
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let member = app.token_as("member@riga.example", Role::CityMember, "riga").await;
    let other = app.token_as("lead@helsinki.example", Role::CityLead, "helsinki").await;
    let expert = app.token_as("expert@example.org", Role::Expert, "riga").await;
    let services = "/api/v1/cities/riga/services";
    let body = json!({"title": "Rent support online", "description": "Apply for rent support in one go.", "focus_area": "housing",
                      "channels": ["online", "phone"], "languages": ["lv", "en"], "cost": "0", "currency": "EUR",
                      "audience": "Tenants on low incomes", "output": "A decision on rent support", "builds_on": ["governance"]});
    assert_eq!(c.post(app.url(services)).json(&body).send().await.unwrap().status(), 401);
    assert_eq!(app.post_json(&other, services, &body).await.status(), 403);
    let r = app.post_json(&lead, services, &json!({"title": "x", "description": "y", "focus_area": "parks"})).await;
    assert_eq!(r.status(), 422);
    let p = json_of(r).await;
    assert_eq!(
        (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()),
        (Some("focus_area"), Some("invalid-choice"))
    );
    let r = app.post_json(&member, services, &body).await;
    assert_eq!(r.status(), 201, "the city's team adds its service");
    assert_eq!(r.headers()["etag"], "\"1\"");
    let s = json_of(r).await;
    assert_eq!(
        (s["phase"].as_str(), s["published"].as_bool(), s["city"].as_str()),
        (Some("discovery"), Some(false), Some("riga"))
    );
    let id = s["id"].as_str().unwrap().to_string();
    let r = app.post_json(&lead, services, &body).await;
    assert_eq!(r.status(), 409, "one service per city and programme");
    assert_eq!(json_of(r).await["errors"][0]["code"], "service-exists");

    let service = format!("/api/v1/services/{id}");
    let surl = app.url(&service);
    assert_eq!(c.get(&surl).send().await.unwrap().status(), 401, "a draft is not public");
    assert_eq!(c.get(&surl).bearer_auth(&expert).send().await.unwrap().status(), 403);
    assert_eq!(c.get(&surl).bearer_auth(&lead).send().await.unwrap().status(), 200);
    let list = app.get_json(PROGRAMME_SERVICES).await;
    assert_eq!(list["total"], 0, "the public list holds published services only");
    let list = app.get_json_as(&lead, PROGRAMME_SERVICES).await;
    assert_eq!(list["total"], 1);
    let cpsv = app.url(&format!("/api/v1/services/{id}/cpsv.ttl"));
    assert_eq!(c.get(&cpsv).send().await.unwrap().status(), 401);

    // Lost updates: If-Match is required and must be current.
    let patch = json!({"published": true, "phase": "alpha"});
    assert_eq!(c.patch(&surl).bearer_auth(&lead).json(&patch).send().await.unwrap().status(), 428);
    let r = app.patch_if_match(&lead, &service, "\"7\"", &patch).await;
    assert_eq!(r.status(), 412);
    let r = app.patch_if_match(&lead, &service, "\"1\"", &json!({"languages": ["xx"]})).await;
    assert_eq!(r.status(), 422);
    assert_eq!(json_of(r).await["errors"][0]["field"], "languages");
    let r = app.patch_if_match(&other, &service, "\"1\"", &patch).await;
    assert_eq!(r.status(), 403, "no city writes to another city's service");
    let r = app.patch_if_match(&lead, &service, "\"1\"", &patch).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let s = json_of(r).await;
    assert_eq!(
        (s["phase"].as_str(), s["published"].as_bool(), s["title"].as_str()),
        (Some("alpha"), Some(true), Some("Rent support online"))
    );
    assert_eq!(c.get(&surl).send().await.unwrap().status(), 200, "published: public");
    let list = app.get_json(PROGRAMME_SERVICES).await;
    assert_eq!(list["items"][0]["id"], id.as_str());

    // CPSV-AP: the essential triples.
    let r = c.get(&cpsv).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/turtle"));
    let ttl = r.text().await.unwrap();
    for needle in [
        " a cpsv:PublicService ;",
        &format!("dct:identifier \"urn:urbis:service:{id}\""),
        "dct:title \"Rent support online\"@en",
        "cv:hasCompetentAuthority ",
        " a cv:PublicOrganisation ;",
        "skos:prefLabel \"Riga\"@en",
        "<http://publications.europa.eu/resource/authority/country/LVA> a dct:Location",
        "<http://publications.europa.eu/resource/authority/language/LAV> a dct:LinguisticSystem",
        " a cv:Channel ;",
        "cv:value \"0.00\"^^xsd:double",
    ] {
        assert!(ttl.contains(needle), "{needle:?} missing in\n{ttl}");
    }

    // The plan: phases (If-Match once they exist), milestones, research log.
    let alpha = format!("/api/v1/services/{id}/phases/alpha");
    let phase = json!({"starts_on": "2021-03-01", "ends_on": "2021-05-31", "goal": "Test three ideas"});
    let r = app.put_json(&lead, &alpha, &json!({"starts_on": "2021-03-01", "ends_on": "2021-02-01", "goal": ""})).await;
    assert_eq!(r.status(), 422);
    assert_eq!(error_fields(&json_of(r).await), ["ends_on", "goal"]);
    let r = app.put_json(&lead, &alpha, &phase).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await["exit_result"], "pending");
    assert_eq!(app.put_json(&lead, &alpha, &phase).await.status(), 428);
    let done = json!({"starts_on": "2021-03-01", "ends_on": "2021-05-31", "goal": "Test three ideas", "exit_result": "met",
                      "exit_notes": "Assessed with the programme", "exit_checklist": [1, 2, 6]});
    let r = app.put_if_match(&lead, &alpha, "\"1\"", &done).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await["exit_checklist"], json!([1, 2, 6]));
    assert_eq!(app.put_if_match(&lead, &alpha, "\"1\"", &done).await.status(), 412);
    assert_eq!(app.put_json(&lead, &format!("/api/v1/services/{id}/phases/gamma"), &phase).await.status(), 422);

    let milestone = json!({"title": "Private beta opens", "due_on": "2021-09-01"});
    let m = app.created(&lead, &format!("/api/v1/services/{id}/milestones"), &milestone).await;
    let milestone = format!("/api/v1/milestones/{}", m["id"].as_str().unwrap());
    let done = json!({"title": "Private beta opens", "due_on": "2021-09-01", "state": "done"});
    let r = app.patch_if_match(&lead, &milestone, "\"1\"", &done).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await["state"], "done");
    let research = json!({"held_on": "2021-02-10", "title": "Interviews with tenants", "participants": 9,
                          "findings": "Most applicants print the form", "quotes": "“I print it at the library”",
                          "tags": ["forms", "print"], "decision": "Build an online form first"});
    app.created(&member, &format!("/api/v1/services/{id}/research"), &research).await;
    let s = app.get_json(&service).await;
    assert_eq!(s["phases"][0]["kind"], "alpha");
    assert_eq!(s["milestones"][0]["state"], "done");
    assert_eq!(s["research"][0]["decision"], "Build an online form first");
    let audit = app.store.audit_for("service", &id).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "service.update" && e.before.as_ref().unwrap()["published"] == false));
});

on_both!(indicators_measurements_and_csv, |app: TestApp| async move {
    let c = app.client();
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let service = json!({"title": "Rent support online", "description": "Apply once.", "focus_area": "housing"});
    let s = app.created(&lead, "/api/v1/cities/riga/services", &service).await;
    let sid = s["id"].as_str().unwrap();
    let indicators = format!("/api/v1/services/{sid}/indicators");
    let def = json!({"name": "Applications completed online", "unit": "%", "direction": "increase",
                     "baseline": {"value": 40, "date": "2021-01-01"}, "target": {"value": 80, "date": "2021-04-11"},
                     "data_source": "Application system", "method": "Share of applications submitted online",
                     "breakdowns": {"age_band": ["16-24", "25-64", "65+"]}});
    let bad = json!({"name": "x", "unit": "%", "direction": "increase",
                     "baseline": {"value": 40, "date": "2021-01-01"}, "target": {"value": 30, "date": "2020-01-01"}});
    let r = app.post_json(&lead, &indicators, &bad).await;
    assert_eq!(r.status(), 422);
    assert_eq!(error_fields(&json_of(r).await), ["target.date", "target.value"]);
    let ind = app.created(&lead, &indicators, &def).await;
    assert_eq!(ind["status"], "no_data");
    let id = ind["id"].as_str().unwrap().to_string();
    let measurements = format!("/api/v1/indicators/{id}/measurements");

    // Each wrong measurement is a 422 that names what is wrong.
    for (body, field, code) in [
        (json!({"date": "2020-12-31", "value": 41}), "date", "before-baseline"),
        (json!({"date": "2021-02-20", "value": "lots"}), "value", "not-a-number"),
        (
            json!({"date": "2021-02-20", "value": 41, "breakdown": {"district": "north"}}),
            "breakdown",
            "unknown-breakdown",
        ),
        (json!({"date": "2021-02-20", "value": 41, "quality": "guessed"}), "quality", "invalid-choice"),
    ] {
        let r = app.post_json(&lead, &measurements, &body).await;
        assert_eq!(r.status(), 422, "{body}");
        let p = json_of(r).await;
        assert_eq!(
            (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()),
            (Some(field), Some(code)),
            "{body}"
        );
    }
    let r = app.post_json(&lead, &measurements, &json!({"date": "2021-02-20", "value": 58})).await;
    assert_eq!(r.status(), 201);
    let v = json_of(r).await;
    assert_eq!(
        (v["progress"].as_f64(), v["expected"].as_f64(), v["status"].as_str()),
        (Some(45.0), Some(50.0), Some("on_track"))
    );
    let r = app.post_json(&lead, &measurements, &json!({"date": "2021-02-20", "value": 58})).await;
    assert_eq!(r.status(), 200, "the same measurement again changes nothing");

    // CSV: a wrong file is refused whole, with row and column; a good one imports once.
    let curl = app.url(&format!("/api/v1/indicators/{id}/measurements.csv"));
    let bad = "date,value,quality,breakdown,note\n2021-03-01,61,final,,\n2020-12-01,45,final,,\n2021-03-01,x,final,age_band=16-24,\n";
    let r = c.post(&curl).bearer_auth(&lead).header("content-type", "text/csv").body(bad).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p = json_of(r).await;
    let errs: Vec<(i64, String, String)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["field"].as_str().unwrap().into(), e["code"].as_str().unwrap().into()))
        .collect();
    assert_eq!(errs, [(3, "date".into(), "before-baseline".into()), (4, "value".into(), "not-a-number".into())]);
    let count = |v: &Value| v["measurements"].as_array().unwrap().len();
    let indicator = format!("/api/v1/indicators/{id}");
    assert_eq!(count(&app.get_json_as(&lead, &indicator).await), 1, "nothing half-imported");
    let r =
        c.post(&curl).bearer_auth(&lead).header("content-type", "application/json").body("{}").send().await.unwrap();
    assert_eq!(r.status(), 415);
    let good = "date,value,quality,breakdown,note\n2021-02-20,58,final,,\n2021-03-22,64,provisional,,\n2021-03-22,71,provisional,age_band=16-24,survey\n2021-04-01,79,estimated,,\n";
    let r = c.post(&curl).bearer_auth(&lead).header("content-type", "text/csv").body(good).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await, json!({"added": 3, "changed": 0, "unchanged": 1}));
    let audit_before = app.store.audit_for("indicator", &id).await.unwrap().len();
    let r = c.post(&curl).bearer_auth(&lead).header("content-type", "text/csv").body(good).send().await.unwrap();
    assert_eq!(json_of(r).await, json!({"added": 0, "changed": 0, "unchanged": 4}), "re-import changes nothing");
    assert_eq!(app.store.audit_for("indicator", &id).await.unwrap().len(), audit_before, "and writes no audit noise");
    let v = app.get_json_as(&lead, &indicator).await;
    assert_eq!(count(&v), 4);
    assert_eq!(
        (v["progress"].as_f64(), v["expected"].as_f64(), v["status"].as_str()),
        (Some(60.0), Some(80.0), Some("at_risk")),
        "on the latest provisional measurement; the later estimate is ignored"
    );

    // Unpublished: the public reads nothing; published: the SDM KPI export.
    assert_eq!(c.get(app.url(&indicator)).send().await.unwrap().status(), 401);
    let r = app.patch_if_match(&lead, &format!("/api/v1/services/{sid}"), "\"1\"", &json!({"published": true})).await;
    assert_eq!(r.status(), 200);
    let kpi = app.get_json(&format!("/api/v1/indicators/{id}/sdm.json")).await;
    assert_eq!(kpi["id"], format!("urn:ngsi-ld:KeyPerformanceIndicator:{id}"));
    assert_eq!(kpi["type"], "KeyPerformanceIndicator");
    assert_eq!(kpi["kpiValue"], 60.0);
    assert_eq!(kpi["currentStanding"], "fair");
    assert_eq!(kpi["organization"], "Riga");
    assert_eq!(kpi["calculationPeriod"], json!({"from": "2021-01-01", "to": "2021-03-22"}));
    assert_eq!(kpi["category"], json!(["quantitative", "lagging"]));
});

on_both!(pages_build_a_service_without_javascript, |app: TestApp| async move {
    let lead = app.signed_in_as("lead@riga.example", Role::CityLead, "riga").await;
    let r = lead.get(app.url("/cities/riga/service")).send().await.unwrap();
    assert_eq!(r.status(), 303, "no service yet: the team is sent to the form");
    assert_eq!(r.headers()["location"], "/cities/riga/services/new");
    let new = "/cities/riga/services/new";
    let typed =
        [("title", "Rent support <online>"), ("description", ""), ("focus_area", "housing"), ("languages", "lv, xx")];
    let r = app.submit_form(&lead, new, &typed).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#field-description\"") && html.contains("href=\"#field-languages\""),
        "error summary links the fields"
    );
    assert!(html.contains("value=\"Rent support &#60;online&#62;\""), "what was typed is kept (escaped): {html}");
    let service = [
        ("title", "Rent support online"),
        ("description", "Apply once."),
        ("focus_area", "housing"),
        ("phase", "discovery"),
        ("channels", "online"),
        ("channels", "phone"),
        ("languages", "lv, en"),
        ("cost", ""),
        ("currency", "EUR"),
    ];
    let r = app.submit_form(&lead, new, &service).await;
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let id = loc.trim_start_matches("/services/").split('?').next().unwrap().to_string();
    let page = format!("/services/{id}");
    let html = app.page(&lead, &page).await;
    assert!(html.contains("<h1 id=\"service\">Rent support online</h1>") && html.contains("Online, Phone"));
    assert_eq!(
        app.browser().get(app.url(&page)).send().await.unwrap().status(),
        303,
        "a draft asks the public to sign in"
    );

    // Publish with the version read; a stale version is a conflict that keeps the input.
    let edit = format!("/services/{id}/edit");
    let fields = [
        ("title", "Rent support online"),
        ("description", "Apply once, online."),
        ("focus_area", "housing"),
        ("phase", "alpha"),
        ("languages", "lv"),
        ("published", "on"),
        ("version", "1"),
    ];
    let r = app.submit_form(&lead, &edit, &fields).await;
    assert_eq!(r.status(), 303);
    let r = app.submit_form(&lead, &edit, &fields).await;
    assert_eq!(r.status(), 409, "version 1 is stale now");
    assert!(r.text().await.unwrap().contains("Apply once, online."));
    let html = app.page(&app.browser(), &page).await;
    assert!(html.contains("Apply once, online."), "published: public");

    // Phase, milestone, research, indicator, measurement, CSV import.
    let phase = format!("/services/{id}/phases/alpha");
    let r =
        app.submit_form(&lead, &phase, &[("starts_on", "2021-03-01"), ("ends_on", "2021-02-01"), ("goal", "")]).await;
    assert_eq!(r.status(), 422);
    let met = [
        ("starts_on", "2021-03-01"),
        ("ends_on", "2021-05-31"),
        ("goal", "Test ideas"),
        ("exit_result", "met"),
        ("exit_checklist", "1"),
        ("exit_checklist", "6"),
    ];
    let r = app.submit_form(&lead, &phase, &met).await;
    assert_eq!(r.status(), 303);
    let ms = format!("/services/{id}/milestones/new");
    let milestone = [("title", "Beta"), ("due_on", "2021-09-01"), ("state", "planned")];
    assert_eq!(app.submit_form(&lead, &ms, &milestone).await.status(), 303);
    let rs = format!("/services/{id}/research/new");
    let research = [
        ("held_on", "2021-02-01"),
        ("title", "Interviews"),
        ("participants", "8"),
        ("findings", "Forms are printed"),
        ("decision", "Go online first"),
    ];
    assert_eq!(app.submit_form(&lead, &rs, &research).await.status(), 303);
    let ind = format!("/services/{id}/indicators/new");
    let indicator = |target_value: &'static str| {
        vec![
            ("name", "Online share"),
            ("unit", "%"),
            ("direction", "increase"),
            ("baseline_value", "40"),
            ("baseline_date", "2021-01-01"),
            ("target_value", target_value),
            ("target_date", "2021-04-11"),
        ]
    };
    let r = app.submit_form(&lead, &ind, &indicator("30")).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("href=\"#field-target_value\""));
    let mut good = indicator("80");
    good.push(("breakdowns", "age_band=16-24|65+"));
    let r = app.submit_form(&lead, &ind, &good).await;
    assert_eq!(r.status(), 303);
    let ind_id = r.headers()["location"].to_str().unwrap().rsplit("#indicator-").next().unwrap().to_string();
    let m = format!("/indicators/{ind_id}/measurements/new");
    let wrong = [("date", "2020-12-01"), ("value", "x"), ("quality", "final"), ("breakdown", "")];
    let r = app.submit_form(&lead, &m, &wrong).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#field-date\"") && html.contains("href=\"#field-value\""));
    let right = [("date", "2021-02-20"), ("value", "58"), ("quality", "final")];
    assert_eq!(app.submit_form(&lead, &m, &right).await.status(), 303);
    let imp = format!("/indicators/{ind_id}/import");
    let r = app
        .submit_form(&lead, &imp, &[("csv", "date,value,breakdown\n2021-03-22,64,\n2021-03-22,oops,age_band=90+\n")])
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Row 3: Enter a number for &#34;Value&#34;."), "{html}");
    assert!(html.contains("2021-03-22,oops"), "the file is kept");
    let r = app
        .submit_form(&lead, &imp, &[("csv", "date,value,breakdown\n2021-03-22,64,\n2021-03-22,70,age_band=16-24\n")])
        .await;
    assert_eq!(r.status(), 303);
    let html = app.page(&lead, r.headers()["location"].to_str().unwrap()).await;
    assert!(html.contains("Import done: 2 added, 0 changed, 0 unchanged"));
    assert!(html.contains("class=\"line-chart\"") && html.contains("Go online first") && html.contains("2 of 14"));
    assert!(html.contains("60 %") && html.contains("At risk"), "progress 60 against 80 expected");

    let cohort = app.page(&app.browser(), "/programmes/digital-innovation-initiative/services").await;
    assert!(cohort.contains(&format!("<a href=\"/services/{id}\">Riga</a>")));
    let results = app.page(&app.browser(), "/programmes/digital-innovation-initiative/results").await;
    assert!(results.contains("Online share") && results.contains("tag-status-at_risk"));
    assert!(results.contains("<svg class=\"bar-chart\"") && results.contains("<title>At risk: 1</title>"), "{results}");
});

// Issue 9: adding a measurement answered with the indicator and every measurement (374 KB at
// 4,000 rows). It answers with what was created: the measurement, the indicator's evaluation and
// its new version (ETag), and where the indicator is (Location).
on_both!(adding_a_measurement_answers_only_that_measurement, |app: TestApp| async move {
    use urbis_domain::services::{Breakdown, MeasurementInput, Quality};
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let service = json!({"title": "Rent support online", "description": "Apply once.", "focus_area": "housing"});
    let s = app.created(&lead, "/api/v1/cities/riga/services", &service).await;
    let def = json!({"name": "Applications completed online", "unit": "%", "direction": "increase",
                     "baseline": {"value": 40, "date": "2021-01-01"}, "target": {"value": 80, "date": "2040-01-01"}});
    let ind = app.created(&lead, &format!("/api/v1/services/{}/indicators", s["id"].as_str().unwrap()), &def).await;
    let id = ind["id"].as_str().unwrap().to_string();
    let start = chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    let rows: Vec<MeasurementInput> = (0..4000)
        .map(|d| MeasurementInput {
            date: start + chrono::Days::new(d),
            breakdown: Breakdown::default(),
            value: 40.0 + d as f64 / 1000.0,
            quality: Quality::Final,
            note: "a note on how this value was measured".into(),
        })
        .collect();
    let outcome = app.store.put_measurements(None, id.parse().unwrap(), &rows).await.unwrap();
    assert_eq!(outcome.added, 4000);
    let measurements = format!("/api/v1/indicators/{id}/measurements");
    let r = app.post_json(&lead, &measurements, &json!({"date": "2032-01-01", "value": 50})).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "\"3\"", "the indicator's new version");
    assert_eq!(r.headers()["location"], format!("/api/v1/indicators/{id}").as_str());
    let body = r.bytes().await.unwrap();
    assert!(body.len() < 2048, "{} bytes answer one measurement", body.len());
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (v["date"].as_str(), v["value"].as_f64(), v["indicator"].as_str()),
        (Some("2032-01-01"), Some(50.0), Some(id.as_str()))
    );
    assert_eq!(v["version"], 3);
    assert!(v.get("measurements").is_none());
});

// Issue 9: an indicator and its service carried every measurement (374 KB at 4,000 rows). They
// carry the latest 20, newest first, with the count and the paged list, which reaches every one.
// 16 KB bounds a service with one indicator whatever its history: the definition and 20
// measurements of ~120 bytes each are about 4 KB.
on_both!(measurements_are_paged, |app: TestApp| async move {
    use urbis_domain::services::{Breakdown, MeasurementInput, Quality};
    let c = app.client();
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let service = json!({"title": "Rent support online", "description": "Apply once.", "focus_area": "housing"});
    let s = app.created(&lead, "/api/v1/cities/riga/services", &service).await;
    let sid = s["id"].as_str().unwrap().to_string();
    let def = json!({"name": "Applications completed online", "unit": "%", "direction": "increase",
                     "baseline": {"value": 40, "date": "2021-01-01"}, "target": {"value": 80, "date": "2040-01-01"}});
    let ind = app.created(&lead, &format!("/api/v1/services/{sid}/indicators"), &def).await;
    let id = ind["id"].as_str().unwrap().to_string();
    let start = chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    let rows: Vec<MeasurementInput> = (0..4000)
        .map(|d| MeasurementInput {
            date: start + chrono::Days::new(d),
            breakdown: Breakdown::default(),
            value: 40.0 + d as f64 / 1000.0,
            quality: Quality::Final,
            note: "a note on how this value was measured".into(),
        })
        .collect();
    app.store.put_measurements(None, id.parse().unwrap(), &rows).await.unwrap();
    let newest = (start + chrono::Days::new(3999)).to_string();
    for path in [format!("/api/v1/services/{sid}"), format!("/api/v1/indicators/{id}")] {
        let r = c.get(app.url(&path)).bearer_auth(&lead).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let body = r.bytes().await.unwrap();
        assert!(body.len() < 16_384, "{path}: {} bytes", body.len());
        let v: Value = serde_json::from_slice(&body).unwrap();
        let i = if v.get("indicators").is_some() { v["indicators"][0].clone() } else { v };
        assert_eq!(i["measurements"].as_array().unwrap().len(), 20, "{path}");
        assert_eq!(i["measurements"][0]["date"].as_str(), Some(newest.as_str()), "{path}: newest first");
        assert_eq!(i["measurements_total"], 4000);
        assert_eq!(i["measurements_url"], format!("/api/v1/indicators/{id}/measurements"));
        let progress = i["progress"].as_f64().unwrap();
        assert!((progress - 9.9975).abs() < 1e-6, "{path}: evaluated on the latest total, {progress}");
    }
    // Every measurement is reachable by following the Link field's `next`.
    let mut next = Some(format!("/api/v1/indicators/{id}/measurements?per_page=100"));
    let mut seen = std::collections::BTreeSet::new();
    let mut pages = 0;
    while let Some(path) = next {
        let r = c.get(app.url(&path)).bearer_auth(&lead).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let link = r.headers()["link"].to_str().unwrap().to_string();
        assert!(link.contains("rel=\"first\"") && link.contains("rel=\"last\""), "{link}");
        next = link
            .split(", ")
            .find(|l| l.ends_with("rel=\"next\""))
            .map(|l| l.trim_start_matches('<').split('>').next().unwrap().to_string());
        let v = json_of(r).await;
        assert_eq!((v["total"].as_u64(), v["per_page"].as_u64()), (Some(4000), Some(100)));
        for m in v["items"].as_array().unwrap() {
            seen.insert(m["date"].as_str().unwrap().to_string());
        }
        pages += 1;
    }
    assert_eq!((seen.len(), pages), (4000, 40));
    let r = c
        .get(app.url(&format!("/api/v1/indicators/{id}/measurements?per_page=101")))
        .bearer_auth(&lead)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(json_of(r).await["errors"][0]["field"], "per_page");
    let r = c.get(app.url(&format!("/api/v1/indicators/{id}/measurements"))).send().await.unwrap();
    assert_eq!(r.status(), 401, "a draft's measurements are not public");
});
