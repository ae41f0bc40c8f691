//! The OpenAPI document is a reviewed snapshot: a change to the API shows up as a diff of
//! `tests/snapshots/openapi.json`. Regenerate with `UPDATE_SNAPSHOTS=1 cargo test -p urbis-web --test openapi`.

#[test]
fn openapi_document_matches_snapshot() {
    let doc = serde_json::to_value(urbis_web::api::openapi()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let text = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(&path, &text).unwrap();
    }
    let expected = std::fs::read_to_string(&path).expect("snapshot exists; run with UPDATE_SNAPSHOTS=1 to create it");
    assert!(expected == text, "the OpenAPI document changed; review and run with UPDATE_SNAPSHOTS=1");
}
