//! Every list is paged (issue 9, item 6): long lists on pages and in the API are shown a page at a
//! time, with links to the others, and writes answer with what they created.

mod common;

use common::{TestApp, json_of};
use serde_json::{Value, json};
use urbis_domain::policy::Role;

/// A service of Riga with one indicator holding `n` daily measurements from 2021-01-01; the
/// service's and the indicator's ids.
async fn service_with_measurements(app: &TestApp, lead: &str, n: u64) -> (String, String) {
    use urbis_domain::services::{Breakdown, MeasurementInput, Quality};
    let service = json!({"title": "Rent support online", "description": "Apply once.", "focus_area": "housing"});
    let s = app.created(lead, "/api/v1/cities/riga/services", &service).await;
    let sid = s["id"].as_str().unwrap().to_string();
    let def = json!({"name": "Applications completed online", "unit": "%", "direction": "increase",
                     "baseline": {"value": 40, "date": "2021-01-01"}, "target": {"value": 80, "date": "2040-01-01"}});
    let ind = app.created(lead, &format!("/api/v1/services/{sid}/indicators"), &def).await;
    let id = ind["id"].as_str().unwrap().to_string();
    let start = chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    let rows: Vec<MeasurementInput> = (0..n)
        .map(|d| MeasurementInput {
            date: start + chrono::Days::new(d),
            breakdown: Breakdown::default(),
            value: 40.0 + d as f64 / 1000.0,
            quality: Quality::Final,
            note: format!("note {d}"),
        })
        .collect();
    app.store.put_measurements(None, id.parse().unwrap(), &rows).await.unwrap();
    (sid, id)
}

// Issue 9: a service's page rendered every measurement of every indicator (1.27 MB). It shows the
// latest 10 of each, newest first, and links to the indicator's measurements, a page of 50 at a
// time with previous and next links that work without JavaScript.
on_both!(a_service_page_shows_the_latest_measurements_and_pages_the_rest, |app: TestApp| async move {
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let (sid, id) = service_with_measurements(&app, &lead, 4000).await;
    let b = app.signed_in("lead@riga.example").await;
    let page = app.page(&b, &format!("/services/{sid}")).await;
    for d in 3990..4000 {
        assert!(page.contains(&format!("<td>note {d}</td>")), "the latest: note {d}");
    }
    assert!(!page.contains("<td>note 3989</td>") && !page.contains("<td>note 0</td>"), "only the latest 10");
    let newest = page.find("<td>note 3999</td>").unwrap();
    assert!(newest < page.find("<td>note 3990</td>").unwrap(), "newest first");
    assert!(page.contains("The latest 10 measurements of Applications completed online"));
    assert!(
        page.contains(&format!("href=\"/indicators/{id}/measurements\"")) && page.contains("All 4000 measurements")
    );
    // The table no longer grows with the history; the chart's line still has a point per day.
    let rows = page.matches("<tr><td>").count();
    assert!(rows <= 12, "{rows} rows");
    // The page was 1.27 MB at this size. The table shows the latest 10 and the chart marks
    // only the latest point of a long series; what is left of the history is the chart's line.
    assert!(page.len() < 120_000, "{} bytes", page.len());
    assert_eq!(page.matches("<circle").count(), 1, "one marker: the latest measurement");

    let list = format!("/indicators/{id}/measurements");
    let first = app.page(&b, &list).await;
    assert!(first.contains("4000 measurements, newest first."));
    assert_eq!(first.matches("<tr><td>").count(), 50);
    assert!(first.contains("<td>note 3999</td>") && first.contains("<td>note 3950</td>"));
    assert!(!first.contains("<td>note 3949</td>"));
    assert!(first.contains("Page 1 of 80"));
    assert!(first.contains(&format!("href=\"{list}?page=2\" rel=\"next\"")), "a plain link to the next page");
    let last = app.page(&b, &format!("{list}?page=80")).await;
    assert!(last.contains("<td>note 0</td>") && last.contains("Page 80 of 80"));
    assert!(last.contains(&format!("href=\"{list}?page=79\" rel=\"prev\"")) && !last.contains("rel=\"next\""));
    // A draft's measurements are not public.
    let r = app.browser().get(app.url(&list)).send().await.unwrap();
    assert_eq!(r.status(), 303, "asked to sign in");
    let other = app.signed_in_as("lead@helsinki.example", Role::CityLead, "helsinki").await;
    assert_eq!(other.get(app.url(&list)).send().await.unwrap().status(), 403);
});

/// The `rel` targets of a `Link` field: rel → URL.
fn links(r: &reqwest::Response) -> std::collections::BTreeMap<String, String> {
    let field = r.headers().get("link").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    field
        .split(", ")
        .filter(|l| !l.is_empty())
        .map(|l| {
            let url = l.trim_start_matches('<').split('>').next().unwrap().to_string();
            let rel = l.split("rel=\"").nth(1).unwrap().trim_end_matches('"').to_string();
            (rel, url)
        })
        .collect()
}

/// Every list of the OpenAPI document is a paged envelope with a `Link` field: no operation answers
/// a bare array of records.
#[test]
fn every_list_of_the_api_is_a_paged_envelope_with_links() {
    let doc = serde_json::to_value(urbis_web::api::openapi()).unwrap();
    let mut lists = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let ok = &get["responses"]["200"];
        let schema = &ok["content"]["application/json"]["schema"];
        let reference = schema["$ref"].as_str().unwrap_or("");
        if reference.starts_with("#/components/schemas/List") {
            lists += 1;
            assert!(ok["headers"].get("Link").is_some(), "GET {path} documents its Link field");
            let params: Vec<&str> =
                get["parameters"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
            assert!(params.contains(&"page") && params.contains(&"per_page"), "GET {path}: {params:?}");
            // The documented ranges are the ones the server enforces (anything outside is a 400).
            for p in get["parameters"].as_array().unwrap() {
                let max = match p["name"].as_str() {
                    Some("page") => 1_000_000,
                    Some("per_page") => urbis_store::Page::MAX_PER_PAGE,
                    _ => continue,
                };
                assert_eq!(
                    (p["schema"]["minimum"].as_u64(), p["schema"]["maximum"].as_u64()),
                    (Some(1), Some(u64::from(max))),
                    "GET {path}: {p}"
                );
            }
        }
        // Lists that are bounded by nature (a city's team, a programme's waves) are not records of
        // unbounded growth; the two lists that were bare arrays are now envelopes.
        if path == "/instruments" || path == "/pulse/campaigns" {
            assert!(reference.starts_with("#/components/schemas/List"), "GET {path} is paged: {schema}");
        }
    }
    assert!(lists >= 11, "{lists} paged lists");
}

on_both!(paged_lists_answer_link_fields_that_keep_their_filters, |app: TestApp| async move {
    let admin = app.token_as("admin@example.org", Role::Admin, "riga").await;
    let pm = app.token_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    let get = |path: &str, token: Option<&str>| {
        let req = app.client().get(app.url(path));
        let req = match token {
            Some(t) => req.bearer_auth(t.to_string()),
            None => req,
        };
        async move { req.send().await.unwrap() }
    };
    let cities = "/api/v1/programmes/digital-innovation-initiative/cities";
    let r = get(&format!("{cities}?status=participating&per_page=5&page=2"), None).await;
    assert_eq!(r.status(), 200);
    let l = links(&r);
    assert_eq!(l["first"], format!("{cities}?status=participating&page=1&per_page=5"));
    assert_eq!(l["prev"], format!("{cities}?status=participating&page=1&per_page=5"));
    assert_eq!(l["next"], format!("{cities}?status=participating&page=3&per_page=5"));
    assert!(l["last"].starts_with(&format!("{cities}?status=participating&page=")));
    for (path, token) in [
        ("/api/v1/programmes", None),
        ("/api/v1/people", None),
        ("/api/v1/instruments", None),
        ("/api/v1/programmes/digital-innovation-initiative/services", Some(&pm)),
        ("/api/v1/programmes/digital-innovation-initiative/invitations", Some(&pm)),
        ("/api/v1/auth/tokens", Some(&pm)),
        ("/api/v1/pulse/campaigns", Some(&pm)),
        ("/api/v1/admin/people", Some(&admin)),
    ] {
        let r = get(path, token.map(String::as_str)).await;
        assert_eq!(r.status(), 200, "{path}");
        let l = links(&r);
        assert_eq!(l["first"], format!("{path}?page=1&per_page=50"), "{path}");
        assert!(l.contains_key("last") && !l.contains_key("prev"), "{path}: {l:?}");
        let v = json_of(r).await;
        assert!(v["items"].is_array() && v["total"].is_u64() && v["page"] == 1 && v["per_page"] == 50, "{path}: {v}");
    }
    // The two lists that were bare arrays are paged like the others.
    let instruments = app.get_json("/api/v1/instruments?per_page=1").await;
    assert_eq!(instruments["items"].as_array().unwrap().len(), 1);
    assert!(instruments["total"].as_u64().unwrap() >= 2, "{instruments}");
    let r = get("/api/v1/instruments?per_page=101", None).await;
    assert_eq!(r.status(), 400);
});

// Issue 9: a pulse survey's response rates listed every respondent. They carry the first 20 with
// the count and the paged list, which reaches every one.
on_both!(a_surveys_respondents_are_paged, |app: TestApp| async move {
    let pm = app.token_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    let emails: Vec<String> = (0..60).map(|n| format!("r{n:02}@riga.example")).collect();
    let id = app
        .open_survey(
            &pm,
            json!({"title": "Pulse", "instrument": "innovation-capacity-pulse", "programme": "digital-innovation-initiative",
                   "opens_on": "2026-01-01", "closes_on": "2026-02-01"}),
            json!([{"organisation": "riga", "emails": emails}]),
        )
        .await;
    let rates = app.get_json_as(&pm, &format!("/api/v1/pulse/campaigns/{id}/response-rates")).await;
    assert_eq!(rates["respondents"]["invited"], 60, "rates count every respondent");
    assert_eq!(rates["respondent_list"].as_array().unwrap().len(), 20);
    assert_eq!(rates["respondents_total"], 60);
    let url = format!("/api/v1/pulse/campaigns/{id}/respondents");
    assert_eq!(rates["respondents_url"], url.as_str());
    let r = app.client().get(app.url(&format!("{url}?per_page=25"))).bearer_auth(&pm).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let next = links(&r)["next"].clone();
    assert_eq!(next, format!("{url}?page=2&per_page=25"));
    let first: Value = json_of(r).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 25);
    assert_eq!(first["items"][0]["email"], "r00@riga.example");
    let second = app.get_json_as(&pm, &next).await;
    assert_eq!(second["items"].as_array().unwrap().len(), 25);
    let third = app.get_json_as(&pm, &format!("{url}?page=3&per_page=25")).await;
    assert_eq!(third["items"].as_array().unwrap().len(), 10);
    assert_eq!(third["items"][9]["email"], "r59@riga.example");
    // The campaign's page lists them 50 at a time.
    let b = app.signed_in("pm@example.org").await;
    let page = app.page(&b, &format!("/pulse/{id}")).await;
    assert!(page.contains("r49@riga.example") && !page.contains("r50@riga.example"));
    assert!(page.contains("Page 1 of 2") && page.contains(&format!("href=\"/pulse/{id}?page=2\" rel=\"next\"")));
    let page = app.page(&b, &format!("/pulse/{id}?page=2")).await;
    assert!(page.contains("r59@riga.example") && !page.contains("r49@riga.example"));
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let r = app.client().get(app.url(&url)).bearer_auth(&lead).send().await.unwrap();
    assert_eq!(r.status(), 403, "respondents are for staff");
});

// Issue 9: the invitation desk and a city's team page read at most 100 invitations (silently
// capped). They show 50 a page, with links to the others.
on_both!(invitations_are_paged_on_pages, |app: TestApp| async move {
    let pm = app.token_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    let path = "/api/v1/programmes/digital-innovation-initiative/invitations";
    for n in 0..55 {
        let body = json!({"email": format!("p{n:02}@riga.example"), "city": "riga", "role": "city-member"});
        app.created(&pm, path, &body).await;
    }
    let b = app.signed_in("pm@example.org").await;
    for page_path in ["/programmes/digital-innovation-initiative/invitations", "/cities/riga/team"] {
        let first = app.page(&b, page_path).await;
        assert!(first.contains("p54@riga.example") && !first.contains("p04@riga.example"), "{page_path}: newest first");
        assert!(first.contains("Page 1 of 2"), "{page_path}");
        assert!(first.contains(&format!("href=\"{page_path}?page=2\" rel=\"next\"")), "{page_path}");
        let second = app.page(&b, &format!("{page_path}?page=2")).await;
        assert!(second.contains("p00@riga.example") && second.contains("p04@riga.example"), "{page_path}");
        assert!(!second.contains("p05@riga.example"), "{page_path}");
    }
    let r = app.client().get(app.url(&format!("{path}?per_page=50&page=2"))).bearer_auth(&pm).send().await.unwrap();
    assert_eq!(json_of(r).await["items"].as_array().unwrap().len(), 5);
});

// Writes answer with what they created, `201` and its `Location` (where it is read).
on_both!(creates_answer_201_with_the_location_of_what_they_made, |app: TestApp| async move {
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let pm = app.token_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    async fn post_at(app: &TestApp, token: &str, path: String, body: Value) -> (String, Value) {
        let r = app.post_json(token, &path, &body).await;
        assert_eq!(r.status(), 201, "POST {path}");
        let location = r.headers()["location"].to_str().unwrap().to_string();
        (location, json_of(r).await)
    }
    let service = json!({"title": "Rent support online", "description": "Apply once.", "focus_area": "housing"});
    let (loc, s) = post_at(&app, &lead, "/api/v1/cities/riga/services".into(), service).await;
    let sid = s["id"].as_str().unwrap().to_string();
    assert_eq!(loc, format!("/api/v1/services/{sid}"));
    let def = json!({"name": "Visits", "unit": "visits", "direction": "decrease",
                     "baseline": {"value": 9, "date": "2021-01-01"}, "target": {"value": 3, "date": "2022-01-01"}});
    let (loc, i) = post_at(&app, &lead, format!("/api/v1/services/{sid}/indicators"), def).await;
    assert_eq!(loc, format!("/api/v1/indicators/{}", i["id"].as_str().unwrap()));
    let (loc, m) = post_at(
        &app,
        &lead,
        format!("/api/v1/services/{sid}/milestones"),
        json!({"title": "Beta", "due_on": "2021-09-01"}),
    )
    .await;
    assert_eq!(loc, format!("/api/v1/milestones/{}", m["id"].as_str().unwrap()));
    let (loc, a) = post_at(
        &app,
        &lead,
        "/api/v1/cities/riga/assessments".into(),
        json!({"instrument": "city-digital-maturity", "wave": "t1"}),
    )
    .await;
    assert_eq!(loc, format!("/api/v1/assessments/{}", a["id"].as_str().unwrap()));
    let campaign = json!({"title": "Pulse", "instrument": "innovation-capacity-pulse", "programme": "digital-innovation-initiative",
                          "opens_on": "2026-01-01", "closes_on": "2026-02-01"});
    let (loc, c) = post_at(&app, &pm, "/api/v1/pulse/campaigns".into(), campaign).await;
    assert_eq!(loc, format!("/api/v1/pulse/campaigns/{}", c["id"].as_str().unwrap()));
    for (token, loc) in [(&lead, format!("/api/v1/services/{sid}")), (&pm, loc)] {
        let r = app.client().get(app.url(&loc)).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), 200, "{loc} reads what was made");
    }
});
