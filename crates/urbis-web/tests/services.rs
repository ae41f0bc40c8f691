//! The services API end to end on the real router: a city's service, its plan, publication,
//! indicators, measurements (one by one and from CSV), and the open-standard exports. On SQLite
//! and PostgreSQL.

mod common;

use common::TestApp;
use serde_json::{Value, json};
use urbis_domain::policy::Role;

async fn json_of(r: reqwest::Response) -> Value {
    r.json().await.unwrap()
}

on_both!(service_lifecycle_and_publication, |app: TestApp| async move {
    let c = app.client();
    let lead = app.token(&app.person("lead@riga.example", Some(Role::CityLead), "riga").await).await;
    let member = app.token(&app.person("member@riga.example", Some(Role::CityMember), "riga").await).await;
    let other = app.token(&app.person("lead@helsinki.example", Some(Role::CityLead), "helsinki").await).await;
    let expert = app.token(&app.person("expert@example.org", Some(Role::Expert), "riga").await).await;
    let url = app.url("/api/v1/cities/riga/services");
    let body = json!({"title": "Rent support online", "description": "Apply for rent support in one go.", "focus_area": "housing",
                      "channels": ["online", "phone"], "languages": ["lv", "en"], "cost": "0", "currency": "EUR",
                      "audience": "Tenants on low incomes", "output": "A decision on rent support", "builds_on": ["governance"]});
    assert_eq!(c.post(&url).json(&body).send().await.unwrap().status(), 401);
    assert_eq!(c.post(&url).bearer_auth(&other).json(&body).send().await.unwrap().status(), 403);
    let r = c
        .post(&url)
        .bearer_auth(&lead)
        .json(&json!({"title": "x", "description": "y", "focus_area": "parks"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let p = json_of(r).await;
    assert_eq!(
        (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()),
        (Some("focus_area"), Some("invalid-choice"))
    );
    let r = c.post(&url).bearer_auth(&member).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201, "the city's team adds its service");
    assert_eq!(r.headers()["etag"], "\"1\"");
    let s = json_of(r).await;
    assert_eq!(
        (s["phase"].as_str(), s["published"].as_bool(), s["city"].as_str()),
        (Some("discovery"), Some(false), Some("riga"))
    );
    let id = s["id"].as_str().unwrap().to_string();
    let r = c.post(&url).bearer_auth(&lead).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 409, "one service per city and programme");
    assert_eq!(json_of(r).await["errors"][0]["code"], "service-exists");

    let surl = app.url(&format!("/api/v1/services/{id}"));
    assert_eq!(c.get(&surl).send().await.unwrap().status(), 401, "a draft is not public");
    assert_eq!(c.get(&surl).bearer_auth(&expert).send().await.unwrap().status(), 403);
    assert_eq!(c.get(&surl).bearer_auth(&lead).send().await.unwrap().status(), 200);
    let list =
        json_of(c.get(app.url("/api/v1/programmes/digital-innovation-initiative/services")).send().await.unwrap())
            .await;
    assert_eq!(list["total"], 0, "the public list holds published services only");
    let list = json_of(
        c.get(app.url("/api/v1/programmes/digital-innovation-initiative/services"))
            .bearer_auth(&lead)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list["total"], 1);
    let cpsv = app.url(&format!("/api/v1/services/{id}/cpsv.ttl"));
    assert_eq!(c.get(&cpsv).send().await.unwrap().status(), 401);

    // Lost updates: If-Match is required and must be current.
    let patch = json!({"published": true, "phase": "alpha"});
    assert_eq!(c.patch(&surl).bearer_auth(&lead).json(&patch).send().await.unwrap().status(), 428);
    let r = c.patch(&surl).bearer_auth(&lead).header("If-Match", "\"7\"").json(&patch).send().await.unwrap();
    assert_eq!(r.status(), 412);
    let r = c
        .patch(&surl)
        .bearer_auth(&lead)
        .header("If-Match", "\"1\"")
        .json(&json!({"languages": ["xx"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(json_of(r).await["errors"][0]["field"], "languages");
    let r = c.patch(&surl).bearer_auth(&other).header("If-Match", "\"1\"").json(&patch).send().await.unwrap();
    assert_eq!(r.status(), 403, "no city writes to another city's service");
    let r = c.patch(&surl).bearer_auth(&lead).header("If-Match", "\"1\"").json(&patch).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let s = json_of(r).await;
    assert_eq!(
        (s["phase"].as_str(), s["published"].as_bool(), s["title"].as_str()),
        (Some("alpha"), Some(true), Some("Rent support online"))
    );
    assert_eq!(c.get(&surl).send().await.unwrap().status(), 200, "published: public");
    let list =
        json_of(c.get(app.url("/api/v1/programmes/digital-innovation-initiative/services")).send().await.unwrap())
            .await;
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
    let purl = app.url(&format!("/api/v1/services/{id}/phases/alpha"));
    let phase = json!({"starts_on": "2021-03-01", "ends_on": "2021-05-31", "goal": "Test three ideas"});
    let r = c
        .put(&purl)
        .bearer_auth(&lead)
        .json(&json!({"starts_on": "2021-03-01", "ends_on": "2021-02-01", "goal": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let fields: Vec<String> = json_of(r).await["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["ends_on", "goal"]);
    let r = c.put(&purl).bearer_auth(&lead).json(&phase).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await["exit_result"], "pending");
    assert_eq!(c.put(&purl).bearer_auth(&lead).json(&phase).send().await.unwrap().status(), 428);
    let done = json!({"starts_on": "2021-03-01", "ends_on": "2021-05-31", "goal": "Test three ideas", "exit_result": "met",
                      "exit_notes": "Assessed with the programme", "exit_checklist": [1, 2, 6]});
    let r = c.put(&purl).bearer_auth(&lead).header("If-Match", "\"1\"").json(&done).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await["exit_checklist"], json!([1, 2, 6]));
    assert_eq!(
        c.put(&purl).bearer_auth(&lead).header("If-Match", "\"1\"").json(&done).send().await.unwrap().status(),
        412
    );
    assert_eq!(
        c.put(app.url(&format!("/api/v1/services/{id}/phases/gamma")))
            .bearer_auth(&lead)
            .json(&phase)
            .send()
            .await
            .unwrap()
            .status(),
        422
    );

    let r = c
        .post(app.url(&format!("/api/v1/services/{id}/milestones")))
        .bearer_auth(&lead)
        .json(&json!({"title": "Private beta opens", "due_on": "2021-09-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let mid = json_of(r).await["id"].as_str().unwrap().to_string();
    let murl = app.url(&format!("/api/v1/milestones/{mid}"));
    let r = c
        .patch(&murl)
        .bearer_auth(&lead)
        .header("If-Match", "\"1\"")
        .json(&json!({"title": "Private beta opens", "due_on": "2021-09-01", "state": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await["state"], "done");
    let r = c
        .post(app.url(&format!("/api/v1/services/{id}/research")))
        .bearer_auth(&member)
        .json(&json!({"held_on": "2021-02-10", "title": "Interviews with tenants", "participants": 9,
                      "findings": "Most applicants print the form", "quotes": "“I print it at the library”",
                      "tags": ["forms", "print"], "decision": "Build an online form first"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let s = json_of(c.get(&surl).send().await.unwrap()).await;
    assert_eq!(s["phases"][0]["kind"], "alpha");
    assert_eq!(s["milestones"][0]["state"], "done");
    assert_eq!(s["research"][0]["decision"], "Build an online form first");
    let audit = app.store.audit_for("service", &id).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "service.update" && e.before.as_ref().unwrap()["published"] == false));
});

on_both!(indicators_measurements_and_csv, |app: TestApp| async move {
    let c = app.client();
    let lead = app.token(&app.person("lead@riga.example", Some(Role::CityLead), "riga").await).await;
    let s = json_of(
        c.post(app.url("/api/v1/cities/riga/services"))
            .bearer_auth(&lead)
            .json(&json!({"title": "Rent support online", "description": "Apply once.", "focus_area": "housing"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let sid = s["id"].as_str().unwrap();
    let iurl = app.url(&format!("/api/v1/services/{sid}/indicators"));
    let def = json!({"name": "Applications completed online", "unit": "%", "direction": "increase",
                     "baseline": {"value": 40, "date": "2021-01-01"}, "target": {"value": 80, "date": "2021-04-11"},
                     "data_source": "Application system", "method": "Share of applications submitted online",
                     "breakdowns": {"age_band": ["16-24", "25-64", "65+"]}});
    let r = c
        .post(&iurl)
        .bearer_auth(&lead)
        .json(&json!({"name": "x", "unit": "%", "direction": "increase",
        "baseline": {"value": 40, "date": "2021-01-01"}, "target": {"value": 30, "date": "2020-01-01"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let fields: Vec<String> = json_of(r).await["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["target.date", "target.value"]);
    let r = c.post(&iurl).bearer_auth(&lead).json(&def).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let ind = json_of(r).await;
    assert_eq!(ind["status"], "no_data");
    let id = ind["id"].as_str().unwrap().to_string();
    let murl = app.url(&format!("/api/v1/indicators/{id}/measurements"));

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
        let r = c.post(&murl).bearer_auth(&lead).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 422, "{body}");
        let p = json_of(r).await;
        assert_eq!(
            (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()),
            (Some(field), Some(code)),
            "{body}"
        );
    }
    let r = c.post(&murl).bearer_auth(&lead).json(&json!({"date": "2021-02-20", "value": 58})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let v = json_of(r).await;
    assert_eq!(
        (v["progress"].as_f64(), v["expected"].as_f64(), v["status"].as_str()),
        (Some(45.0), Some(50.0), Some("on_track"))
    );
    let r = c.post(&murl).bearer_auth(&lead).json(&json!({"date": "2021-02-20", "value": 58})).send().await.unwrap();
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
    let iget = app.url(&format!("/api/v1/indicators/{id}"));
    assert_eq!(
        count(&json_of(c.get(&iget).bearer_auth(&lead).send().await.unwrap()).await),
        1,
        "nothing half-imported"
    );
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
    let v = json_of(c.get(&iget).bearer_auth(&lead).send().await.unwrap()).await;
    assert_eq!(count(&v), 4);
    assert_eq!(
        (v["progress"].as_f64(), v["expected"].as_f64(), v["status"].as_str()),
        (Some(60.0), Some(80.0), Some("at_risk")),
        "on the latest provisional measurement; the later estimate is ignored"
    );

    // Unpublished: the public reads nothing; published: the SDM KPI export.
    assert_eq!(c.get(&iget).send().await.unwrap().status(), 401);
    let surl = app.url(&format!("/api/v1/services/{sid}"));
    let r = c
        .patch(&surl)
        .bearer_auth(&lead)
        .header("If-Match", "\"1\"")
        .json(&json!({"published": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let kpi = json_of(c.get(app.url(&format!("/api/v1/indicators/{id}/sdm.json"))).send().await.unwrap()).await;
    assert_eq!(kpi["id"], format!("urn:ngsi-ld:KeyPerformanceIndicator:{id}"));
    assert_eq!(kpi["type"], "KeyPerformanceIndicator");
    assert_eq!(kpi["kpiValue"], 60.0);
    assert_eq!(kpi["currentStanding"], "fair");
    assert_eq!(kpi["organization"], "Riga");
    assert_eq!(kpi["calculationPeriod"], json!({"from": "2021-01-01", "to": "2021-03-22"}));
    assert_eq!(kpi["category"], json!(["quantitative", "lagging"]));
});

/// Post a form with the page's CSRF token.
async fn post_form(
    app: &TestApp,
    b: &reqwest::Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let html = b.get(app.url(page)).send().await.unwrap().text().await.unwrap();
    let csrf = common::csrf_of(&html);
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    form.extend_from_slice(fields);
    b.post(app.url(action)).form(&form).send().await.unwrap()
}

on_both!(pages_build_a_service_without_javascript, |app: TestApp| async move {
    let lead = app.signed_in(&app.person("lead@riga.example", Some(Role::CityLead), "riga").await).await;
    let r = lead.get(app.url("/cities/riga/service")).send().await.unwrap();
    assert_eq!(r.status(), 303, "no service yet: the team is sent to the form");
    assert_eq!(r.headers()["location"], "/cities/riga/services/new");
    let new = "/cities/riga/services/new";
    let r = post_form(
        &app,
        &lead,
        new,
        new,
        &[("title", "Rent support <online>"), ("description", ""), ("focus_area", "housing"), ("languages", "lv, xx")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#field-description\"") && html.contains("href=\"#field-languages\""),
        "error summary links the fields"
    );
    assert!(html.contains("value=\"Rent support &#60;online&#62;\""), "what was typed is kept (escaped): {html}");
    let r = post_form(
        &app,
        &lead,
        new,
        new,
        &[
            ("title", "Rent support online"),
            ("description", "Apply once."),
            ("focus_area", "housing"),
            ("phase", "discovery"),
            ("channels", "online"),
            ("channels", "phone"),
            ("languages", "lv, en"),
            ("cost", ""),
            ("currency", "EUR"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let id = loc.trim_start_matches("/services/").split('?').next().unwrap().to_string();
    let page = format!("/services/{id}");
    let html = lead.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
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
    let r = post_form(&app, &lead, &edit, &edit, &fields).await;
    assert_eq!(r.status(), 303);
    let r = post_form(&app, &lead, &edit, &edit, &fields).await;
    assert_eq!(r.status(), 409, "version 1 is stale now");
    assert!(r.text().await.unwrap().contains("Apply once, online."));
    let html = app.browser().get(app.url(&page)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Apply once, online."), "published: public");

    // Phase, milestone, research, indicator, measurement, CSV import.
    let phase = format!("/services/{id}/phases/alpha");
    let r =
        post_form(&app, &lead, &phase, &phase, &[("starts_on", "2021-03-01"), ("ends_on", "2021-02-01"), ("goal", "")])
            .await;
    assert_eq!(r.status(), 422);
    let r = post_form(
        &app,
        &lead,
        &phase,
        &phase,
        &[
            ("starts_on", "2021-03-01"),
            ("ends_on", "2021-05-31"),
            ("goal", "Test ideas"),
            ("exit_result", "met"),
            ("exit_checklist", "1"),
            ("exit_checklist", "6"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let ms = format!("/services/{id}/milestones/new");
    assert_eq!(
        post_form(&app, &lead, &ms, &ms, &[("title", "Beta"), ("due_on", "2021-09-01"), ("state", "planned")])
            .await
            .status(),
        303
    );
    let rs = format!("/services/{id}/research/new");
    assert_eq!(
        post_form(
            &app,
            &lead,
            &rs,
            &rs,
            &[
                ("held_on", "2021-02-01"),
                ("title", "Interviews"),
                ("participants", "8"),
                ("findings", "Forms are printed"),
                ("decision", "Go online first")
            ]
        )
        .await
        .status(),
        303
    );
    let ind = format!("/services/{id}/indicators/new");
    let r = post_form(
        &app,
        &lead,
        &ind,
        &ind,
        &[
            ("name", "Online share"),
            ("unit", "%"),
            ("direction", "increase"),
            ("baseline_value", "40"),
            ("baseline_date", "2021-01-01"),
            ("target_value", "30"),
            ("target_date", "2021-04-11"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("href=\"#field-target_value\""));
    let r = post_form(
        &app,
        &lead,
        &ind,
        &ind,
        &[
            ("name", "Online share"),
            ("unit", "%"),
            ("direction", "increase"),
            ("baseline_value", "40"),
            ("baseline_date", "2021-01-01"),
            ("target_value", "80"),
            ("target_date", "2021-04-11"),
            ("breakdowns", "age_band=16-24|65+"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let ind_id = r.headers()["location"].to_str().unwrap().rsplit("#indicator-").next().unwrap().to_string();
    let m = format!("/indicators/{ind_id}/measurements/new");
    let r = post_form(
        &app,
        &lead,
        &m,
        &m,
        &[("date", "2020-12-01"), ("value", "x"), ("quality", "final"), ("breakdown", "")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#field-date\"") && html.contains("href=\"#field-value\""));
    assert_eq!(
        post_form(&app, &lead, &m, &m, &[("date", "2021-02-20"), ("value", "58"), ("quality", "final")]).await.status(),
        303
    );
    let imp = format!("/indicators/{ind_id}/import");
    let r = post_form(
        &app,
        &lead,
        &imp,
        &imp,
        &[("csv", "date,value,breakdown\n2021-03-22,64,\n2021-03-22,oops,age_band=90+\n")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Row 3: Enter a number for &#34;Value&#34;."), "{html}");
    assert!(html.contains("2021-03-22,oops"), "the file is kept");
    let r = post_form(
        &app,
        &lead,
        &imp,
        &imp,
        &[("csv", "date,value,breakdown\n2021-03-22,64,\n2021-03-22,70,age_band=16-24\n")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let html = lead.get(app.url(r.headers()["location"].to_str().unwrap())).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Import done: 2 added, 0 changed, 0 unchanged"));
    assert!(html.contains("class=\"line-chart\"") && html.contains("Go online first") && html.contains("2 of 14"));
    assert!(html.contains("60 %") && html.contains("At risk"), "progress 60 against 80 expected");

    let cohort = app
        .browser()
        .get(app.url("/programmes/digital-innovation-initiative/services"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(cohort.contains(&format!("<a href=\"/services/{id}\">Riga</a>")));
    let results = app
        .browser()
        .get(app.url("/programmes/digital-innovation-initiative/results"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(results.contains("Online share") && results.contains("tag-status-at_risk"));
    assert!(results.contains("<svg class=\"bar-chart\"") && results.contains("<title>At risk: 1</title>"), "{results}");
});
