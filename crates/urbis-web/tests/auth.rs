//! Authentication hardening (issue 9): anonymous writes.

mod common;

use common::{TestApp, json_of};
use serde_json::Value;

/// The writes that are public by design: each is reached with a secret of its own (a password, or
/// the token of an invitation or survey link) and answers anonymously.
const PUBLIC_WRITES: &[&str] = &[
    "POST /auth/token",
    "POST /invitations/{token}/accept",
    "PUT /surveys/{token}/answers/{question_id}",
    "POST /surveys/{token}/submit",
];

/// Every write of the OpenAPI document that asks for a bearer token answers an anonymous caller
/// 401 before it looks at the id in its path or at its body, so that a stranger learns nothing
/// about which records exist. Writes without a bearer requirement are exactly the public ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_writes_are_401_before_anything_else() {
    let app = TestApp::spawn(urbis_store::Backend::Sqlite).await.unwrap();
    let doc = serde_json::to_value(urbis_web::api::openapi()).unwrap();
    let made_up = "0190a0a0-0000-7000-8000-000000000000";
    let mut public = vec![];
    let mut walked = 0;
    let mut wrong = vec![];
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if !["post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let name = format!("{} {path}", method.to_uppercase());
            let secured = op["security"].as_array().is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            if !secured {
                public.push(name);
                continue;
            }
            // A made-up id or slug for every path parameter, and a body that is wrong in every way.
            let mut url = String::new();
            for seg in path.split('/').filter(|s| !s.is_empty()) {
                url.push('/');
                url.push_str(if seg.starts_with('{') { made_up } else { seg });
            }
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            for (ct, body) in [("application/json", "{\"no-such-field\": [1, 2"), ("text/csv", "\u{0}bad")] {
                let r = app
                    .client()
                    .request(m.clone(), app.url(&format!("/api/v1{url}")))
                    .header("content-type", ct)
                    .header("if-match", "\"1\"")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let ctype = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
                if status != 401 || ctype.as_deref() != Some("application/problem+json") {
                    wrong.push(format!("{name} ({ct}): {status}"));
                } else {
                    let p: Value = json_of(r).await;
                    assert_eq!(p["status"], 401, "{name}");
                }
            }
            walked += 1;
        }
    }
    assert!(wrong.is_empty(), "anonymous writes that did not answer 401 first: {wrong:#?}");
    assert!(walked >= 28, "walked {walked} secured writes");
    public.sort();
    let mut expected: Vec<String> = PUBLIC_WRITES.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(public, expected, "writes without a bearer requirement are the public ones, by design");
}
