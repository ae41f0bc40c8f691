//! Statistical disclosure, tried as an attacker would: can public reads, or another city's reads,
//! tell anything about a city's unpublished scores? Every benchmark read an outsider can make (each
//! wave, each peer-group filter, JSON, CSV and pages) is taken, the unpublished city's answers are
//! then changed, and every read must come back byte for byte the same: no figure, count, rank or
//! difference between two queries can depend on a private score. Programme staff, who may read
//! every assessment, see the change (so the test would catch a leak). See "Who sees which
//! figures" in docs/diagnostic.md. On SQLite and PostgreSQL.

mod common;

use common::TestApp;
use reqwest::Client;
use serde_json::{Value, json};
use urbis_domain::diagnostic::Distribution;
use urbis_domain::policy::Role;

const PROGRAMME: &str = "digital-innovation-initiative";
/// Eight northern European capitals (the attack: a region with eight published cities
/// and one that has not published) and four others, all published.
const PUBLISHED: [&str; 12] = [
    "riga",
    "tallinn",
    "vilnius",
    "helsinki",
    "copenhagen",
    "dublin",
    "stockholm",
    "london",
    "madrid",
    "lisbon",
    "berlin",
    "paris",
];
/// The city that keeps its scores private: northern European, under 500,000 residents.
const SECRET: &str = "reykjavik";
const REGIONS: [&str; 6] = ["", "northern-europe", "western-europe", "southern-europe", "eastern-europe", "other"];
const BANDS: [&str; 5] = ["", "under-500k", "500k-1m", "1m-2500k", "over-2500k"];
const WAVES: [&str; 2] = ["t0", "t1"];

/// The answer to a question at a fraction `x` of its scale (0 → the lowest, 1 → the highest).
fn answer(q: &Value, x: f64) -> Value {
    match q["type"].as_str().unwrap() {
        "level" => json!({"level": 1 + (4.0 * x).round() as i64}),
        "choice" => json!({"choice": if x > 0.66 { "yes" } else if x > 0.33 { "partial" } else { "no" }}),
        _ => {
            let items = q["items"].as_array().unwrap();
            let k = (items.len() as f64 * x).round() as usize;
            json!({"ticked": items[..k].iter().map(|i| i["id"].clone()).collect::<Vec<_>>()})
        }
    }
}

/// Answer every question of the secret city's assessment, the `k`-th question at a fraction
/// `level(k)` of its scale, and every context question; then submit (not publish).
async fn answer_and_submit(app: &TestApp, lead: &str, id: &str, level: impl Fn(usize) -> f64) {
    let inst = app.get_json("/api/v1/instruments/city-digital-maturity").await;
    for (k, q) in inst["questions"].as_array().unwrap().iter().enumerate() {
        let path = format!("/api/v1/assessments/{id}/answers/{}", q["id"].as_str().unwrap());
        assert_eq!(app.put_json(lead, &path, &answer(q, level(k))).await.status(), 200, "{path}");
    }
    for q in inst["context"].as_array().unwrap() {
        let value = if q["type"] == "number" { json!(12) } else { json!("Digital office") };
        let path = format!("/api/v1/assessments/{id}/answers/{}", q["id"].as_str().unwrap());
        assert_eq!(app.put_json(lead, &path, &json!({ "value": value })).await.status(), 200, "{path}");
    }
    let r = app.client().post(app.url(&format!("/api/v1/assessments/{id}/submit"))).bearer_auth(lead).send().await;
    assert_eq!(r.unwrap().status(), 200, "submitted");
}

/// Every benchmark address an outsider can ask for: each wave and peer group, as JSON, CSV and the
/// cohort page, and each listed city's diagnostic page (the secret city's too).
fn addresses() -> Vec<String> {
    let mut out = vec![];
    for wave in WAVES {
        for region in REGIONS {
            for band in BANDS {
                let q = format!("wave={wave}&region={region}&population_band={band}");
                out.push(format!("/api/v1/programmes/{PROGRAMME}/benchmark?{q}&per_page=100"));
                out.push(format!("/api/v1/programmes/{PROGRAMME}/benchmark.csv?{q}"));
                out.push(format!("/programmes/{PROGRAMME}/diagnostic?{q}"));
            }
        }
    }
    out.extend(PUBLISHED.iter().chain([&SECRET]).map(|c| format!("/cities/{c}/diagnostic")));
    out
}

/// Each address's status and body, as `client` (a signed-in browser, or anonymous) with an optional
/// API token sees them.
async fn reads(app: &TestApp, client: &Client, token: Option<&str>) -> Vec<(String, u16, String)> {
    let mut out = vec![];
    for path in addresses() {
        let mut r = client.get(app.url(&path));
        if let Some(t) = token.filter(|_| path.starts_with("/api/")) {
            r = r.bearer_auth(t);
        }
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        assert!(status < 500, "{path}: {status}");
        out.push((path, status, r.text().await.unwrap()));
    }
    out
}

fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < 1e-9
}

/// A public benchmark must be a function of the published scores it lists: n is the number of
/// listed cities, and every distribution is recomputed from their scores.
fn check_computed_from_listed(path: &str, body: &Value) {
    let cities = body["cities"].as_array().unwrap();
    assert_eq!(body["basis"], "published", "{path}");
    assert!(cities.iter().all(|c| c["city"] != SECRET), "{path}: the secret city is not listed");
    assert_eq!(body["n"].as_u64(), Some(cities.len() as u64), "{path}: n counts only the listed cities");
    let check = |got: &Value, values: Vec<f64>| {
        let Some(d) = Distribution::of(&values) else { return assert!(got.is_null(), "{path}") };
        if got.is_null() {
            return assert!(d.n < 5, "{path}: figures hidden only below 5 cities");
        }
        for (field, want) in [("n", d.n as f64), ("min", d.min), ("q1", d.q1), ("median", d.median), ("q3", d.q3)] {
            assert!(close(&got[field], want), "{path}: {field} {} ≠ {want} from the listed cities", got[field]);
        }
        assert!(close(&got["max"], d.max), "{path}: max");
    };
    check(&body["overall"], cities.iter().filter_map(|c| c["overall"].as_f64()).collect());
    for cap in ["digital-vision", "governance", "technology-systems", "user-centric-design", "data-infrastructure"] {
        let values = cities.iter().filter_map(|c| c["capabilities"][cap]["score"].as_f64()).collect();
        check(&body["capabilities"][cap], values);
    }
}

on_both!(benchmarks_reveal_no_unpublished_score, |app: TestApp| async move {
    let pm_email = app.person("pm@example.org", Some(Role::ProgrammeManager), "riga").await;
    let pm = app.token(&pm_email).await;
    for wave in 0..2 {
        for city in PUBLISHED {
            app.import_assessment(city, wave, &pm_email, true).await;
        }
    }
    // The secret city answers high on odd questions and low on even ones, in both waves.
    let secret_lead = app.token_as("lead@reykjavik.example", Role::CityLead, SECRET).await;
    let mut ids = vec![];
    for wave in WAVES {
        let id = app.start_assessment(&secret_lead, SECRET, wave).await;
        answer_and_submit(&app, &secret_lead, &id, |k| if k % 2 == 1 { 1.0 } else { 0.0 }).await;
        ids.push(id);
    }

    // The outsiders: no account, and another city's lead (signed in for pages, a token for the API).
    let anonymous = app.browser();
    let other_email = app.person("lead@riga.example", Some(Role::CityLead), "riga").await;
    let other_browser = app.signed_in(&other_email).await;
    let other_token = app.token(&other_email).await;
    let staff_path = format!("/api/v1/programmes/{PROGRAMME}/benchmark?wave=t1&region=northern-europe");
    let staff_before = app.get_json_as(&pm, &staff_path).await;
    assert_eq!((staff_before["basis"].as_str(), staff_before["n"].as_u64()), (Some("submitted"), Some(9)));
    let before_anon = reads(&app, &anonymous, None).await;
    let before_other = reads(&app, &other_browser, Some(&other_token)).await;

    // Public figures are computed from the published cities they list, and nothing else.
    for (path, _, body) in before_anon.iter().chain(&before_other).filter(|(p, ..)| p.contains("benchmark?")) {
        check_computed_from_listed(path, &serde_json::from_str(body).unwrap());
    }
    let (_, _, north) =
        before_anon.iter().find(|(p, ..)| p.contains("t1&region=northern-europe&population_band=&")).unwrap();
    let north: Value = serde_json::from_str(north).unwrap();
    assert_eq!(north["n"], 8, "eight published northern capitals; the ninth is not counted");
    assert!(north["overall"]["q1"].is_number(), "the published cities' figures are public");

    // The secret city's scores change completely: low where they were high.
    for id in &ids {
        let reopen = format!("/api/v1/assessments/{id}/reopen");
        assert_eq!(app.post_json(&pm, &reopen, &json!({"reason": "disclosure test"})).await.status(), 200);
        answer_and_submit(&app, &secret_lead, id, |k| if k % 2 == 1 { 0.0 } else { 0.75 }).await;
    }
    let staff_after = app.get_json_as(&pm, &staff_path).await;
    assert_ne!(staff_before["overall"], staff_after["overall"], "staff figures include the secret city's scores");

    // Not one outsider read moved: no figure, count, rank or pair of queries tells the change.
    for (before, after) in [
        (before_anon, reads(&app, &anonymous, None).await),
        (before_other, reads(&app, &other_browser, Some(&other_token)).await),
    ] {
        for ((path, s0, b0), (_, s1, b1)) in before.iter().zip(&after) {
            assert_eq!(s0, s1, "{path}: status changed with an unpublished score");
            assert!(b0 == b1, "{path}: the response changed with an unpublished score");
        }
    }
});

on_both!(a_city_team_sees_its_own_unpublished_city_ranked_among_the_published, |app: TestApp| async move {
    let pm_email = app.person("pm@example.org", Some(Role::ProgrammeManager), "riga").await;
    for city in PUBLISHED {
        app.import_assessment(city, 0, &pm_email, true).await;
    }
    let lead_email = app.person("lead@reykjavik.example", Some(Role::CityLead), SECRET).await;
    app.import_assessment(SECRET, 0, &lead_email, false).await;
    let lead = app.token(&lead_email).await;
    let b = app.get_json_as(&lead, &format!("/api/v1/programmes/{PROGRAMME}/benchmark?wave=t0&per_page=100")).await;
    assert_eq!((b["basis"].as_str(), b["n"].as_u64()), (Some("published"), Some(12)));
    let cities = b["cities"].as_array().unwrap();
    let own = cities.iter().find(|c| c["city"] == SECRET).expect("the team sees its own city listed");
    let x = own["overall"].as_f64().unwrap();
    // Its rank: among the twelve published scores with its own added (docs/diagnostic.md).
    let others: Vec<f64> =
        cities.iter().filter(|c| c["city"] != SECRET).filter_map(|c| c["overall"].as_f64()).collect();
    let below = others.iter().filter(|v| **v < x - 1e-9).count() as f64;
    let equal = others.iter().filter(|v| (**v - x).abs() <= 1e-9).count() as f64 + 1.0;
    assert!(close(&own["percentile_rank"], 100.0 * (below + equal / 2.0) / 13.0));
});
