//! HTTP tests against the real router, each on SQLite and on PostgreSQL.

mod common;

use common::{TestApp, error_fields, json_of};
use serde_json::{Value, json};
use urbis_domain::policy::Role;

const CITIES: &str = "/api/v1/programmes/digital-innovation-initiative/cities";
const INVITATIONS: &str = "/api/v1/programmes/digital-innovation-initiative/invitations";
const INVITATIONS_PAGE: &str = "/programmes/digital-innovation-initiative/invitations";

on_both!(public_api_lists_are_paginated_and_stable, |app: TestApp| async move {
    let c = app.client();
    let progs: Value = c.get(app.url("/api/v1/programmes")).send().await.unwrap().json().await.unwrap();
    assert_eq!(progs["total"], 1);
    assert_eq!(progs["items"][0]["slug"], "digital-innovation-initiative");
    assert_eq!(progs["items"][0]["starts_on"], "2020-01-01");

    let all: Value = c.get(app.url(&format!("{CITIES}?per_page=100"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(all["total"], 29);
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.iter().filter(|c| c["status"] == "participating").count(), 21);
    let riga = items.iter().find(|c| c["slug"] == "riga").unwrap();
    assert_eq!(riga["country_code"], "LV");
    assert_eq!(riga["timezone"], "Europe/Riga");
    assert!(riga["latitude"].as_f64().unwrap() > 56.0);
    let p2: Value = c.get(app.url(&format!("{CITIES}?per_page=10&page=2"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(p2["items"][0]["slug"], items[10]["slug"]);
    let invited: Value =
        c.get(app.url(&format!("{CITIES}?status=invited"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(invited["total"], 8);

    for bad in ["?per_page=0", "?per_page=101", "?page=x", "?status=maybe"] {
        let r = c.get(app.url(&format!("{CITIES}{bad}"))).send().await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let p: Value = r.json().await.unwrap();
        assert!(!p["errors"][0]["field"].as_str().unwrap().is_empty(), "{bad} names the parameter");
    }
    let r = c.get(app.url("/api/v1/cities/atlantis")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = c.get(app.url("/api/v1/programmes/nope/cities")).send().await.unwrap();
    assert_eq!(r.status(), 404);
});

on_both!(tokens_and_me, |app: TestApp| async move {
    let c = app.client();
    let email = app.person("lead@riga.example", Some(Role::CityLead), "riga").await;
    let r = app.request_token(&email, "wrong password!").await;
    assert_eq!(r.status(), 401);
    let r = c.post(app.url("/api/v1/auth/token")).json(&json!({"email": email})).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "password");
    assert_eq!(c.get(app.url("/api/v1/me")).send().await.unwrap().status(), 401);
    assert_eq!(c.get(app.url("/api/v1/me")).bearer_auth("forged").send().await.unwrap().status(), 401);
    let token = app.token(&email).await;
    let me: Value = c.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["email"], "lead@riga.example");
    assert_eq!(me["roles"][0]["role"], "city-lead");
    assert_eq!(me["roles"][0]["scope_slug"], "riga");
});

on_both!(login_is_rate_limited, |app: TestApp| async move {
    let email = app.person("pm@example.org", Some(Role::ProgrammeManager), "riga").await;
    for _ in 0..10 {
        let r = app.request_token(&email, "not the password").await;
        assert_eq!(r.status(), 401);
    }
    // Even the right password is refused while the e-mail is throttled.
    let r = app.request_token(&email, common::PASSWORD).await;
    assert_eq!(r.status(), 429);
});

on_both!(patch_city_with_etags, |app: TestApp| async move {
    let c = app.client();
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let city = "/api/v1/cities/riga";
    let url = app.url(city);
    let etag = app.etag(None, city).await;
    let patch = json!({"description": "Rīga builds a digital citizen account.", "website": "https://www.riga.lv/en"});

    assert_eq!(c.patch(&url).json(&patch).send().await.unwrap().status(), 401, "anonymous");
    assert_eq!(c.patch(&url).bearer_auth(&lead).json(&patch).send().await.unwrap().status(), 428, "no If-Match");
    let r = app.patch_if_match(&lead, city, "\"99\"", &patch).await;
    assert_eq!(r.status(), 412, "stale If-Match");
    let unchanged: Value = c.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(unchanged["description"], "", "nothing changed after 412");

    for (body, field) in [
        (json!({"website": "riga.lv"}), "website"),
        (json!({"mayor": "x"}), "mayor"),
        (json!({"description": 5}), "description"),
    ] {
        let r = app.patch_if_match(&lead, city, &etag, &body).await;
        assert_eq!(r.status(), 422, "{body}");
        assert_eq!(json_of(r).await["errors"][0]["field"], field, "{body}");
    }
    // A body that is not JSON, or not declared as JSON.
    let raw = |content_type: &'static str, body: &'static str| {
        c.patch(&url)
            .bearer_auth(&lead)
            .header("If-Match", &etag)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    assert_eq!(raw("application/json", "{\"description\":").await.unwrap().status(), 400);
    assert_eq!(raw("text/plain", "{}").await.unwrap().status(), 415);
    let big = json!({"description": "x".repeat(70 * 1024)});
    let r = app.patch_if_match(&lead, city, &etag, &big).await;
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], "application/problem+json");

    let r = app.patch_if_match(&lead, city, &etag, &patch).await;
    assert_eq!(r.status(), 200);
    let new_etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(new_etag, etag);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["website"], "https://www.riga.lv/en");
    // The same stale ETag a second time is refused: no lost update.
    let r = app.patch_if_match(&lead, city, &etag, &json!({"description": "older"})).await;
    assert_eq!(r.status(), 412);

    // The lead of Riga cannot touch Helsinki.
    let helsinki = "/api/v1/cities/helsinki";
    let r = app.patch_if_match(&lead, helsinki, &app.etag(None, helsinki).await, &patch).await;
    assert_eq!(r.status(), 403);

    let riga = app.store.organisation("riga").await.unwrap();
    let log = app.store.audit_for("organisation", &riga.id.to_string()).await.unwrap();
    assert_eq!(log.len(), 1, "one successful write, one audit entry");
    assert_eq!(log[0].after.as_ref().unwrap()["website"], "https://www.riga.lv/en");
});

on_both!(invitations_through_the_api, |app: TestApp| async move {
    let c = app.client();
    let pm = app.token_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let inv_url = app.url(INVITATIONS);
    let invite = |token: &str, email: &str, city: &str, role: &str| {
        let body = json!({"email": email, "city": city, "role": role});
        let (app, token) = (&app, token.to_string());
        async move { app.post_json(&token, INVITATIONS, &body).await }
    };

    let nora = json!({"email": "NEW@Riga.example", "city": "riga", "role": "city-member", "name": "Nora"});
    let created = app.created(&pm, INVITATIONS, &nora).await;
    assert_eq!(created["state"], "pending");
    assert_eq!(created["email"], "new@riga.example");
    let link = created["link"].as_str().unwrap().to_string();
    let token = link.rsplit('/').next().unwrap().to_string();

    // Validation names the field; duplicates are a conflict.
    let r = invite(&pm, "x", "riga", "mayor").await;
    assert_eq!(r.status(), 422);
    assert_eq!(error_fields(&json_of(r).await), ["email", "role"]);
    assert_eq!(invite(&pm, "new@riga.example", "riga", "city-member").await.status(), 409);
    assert_eq!(invite(&pm, "a@b.example", "atlantis", "city-member").await.status(), 422);

    // A city lead invites to their own city only, and only city roles.
    assert_eq!(invite(&lead, "m2@riga.example", "riga", "city-member").await.status(), 201);
    assert_eq!(invite(&lead, "m3@x.example", "helsinki", "city-member").await.status(), 403);
    assert_eq!(invite(&lead, "m4@x.example", "riga", "programme-manager").await.status(), 403);
    assert_eq!(c.get(&inv_url).bearer_auth(&lead).send().await.unwrap().status(), 403, "lead cannot list all");

    let list = app.get_json_as(&pm, INVITATIONS).await;
    assert_eq!(list["total"], 2);

    // Accept as a new account; the token then works for the API and the role is held.
    let public = app.get_json(&format!("/api/v1/invitations/{token}")).await;
    assert_eq!(public["city"], "riga");
    let accept = app.url(&format!("/api/v1/invitations/{token}/accept"));
    let r = c.post(&accept).json(&json!({"name": "Nora", "password": "short"})).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(app.store.person_by_email("new@riga.example").await.unwrap().is_none());
    let r = c
        .post(&accept)
        .json(&json!({"name": "Nora N.", "password": common::PASSWORD, "listed": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "accepted");
    let nora = app.token("new@riga.example").await;
    let me = app.get_json_as(&nora, "/api/v1/me").await;
    assert_eq!(me["roles"][0]["role"], "city-member");
    let team = app.get_json("/api/v1/cities/riga/team").await;
    assert_eq!(team.as_array().unwrap().len(), 1, "only listed members are public");
    let r = c.post(&accept).bearer_auth(&nora).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), 409, "accepted once");

    // Revoke the other pending one; then it cannot be revoked or accepted again.
    let id = list["items"].as_array().unwrap().iter().find(|i| i["email"] == "m2@riga.example").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c.delete(format!("{inv_url}/{id}")).bearer_auth(&lead).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "revoked");
    assert_eq!(c.delete(format!("{inv_url}/{id}")).bearer_auth(&pm).send().await.unwrap().status(), 409);
    assert_eq!(c.delete(format!("{inv_url}/not-a-uuid")).bearer_auth(&pm).send().await.unwrap().status(), 404);
});

on_both!(pages_render_and_forms_keep_input, |app: TestApp| async move {
    let anon = app.browser();
    for path in ["/", "/programmes/digital-innovation-initiative", "/cities/riga", "/people", "/login"] {
        let r = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let html = r.text().await.unwrap();
        assert!(html.contains("<html lang=\"en\">") && html.contains("<main"), "{path}");
    }
    let prog = app.page(&anon, "/programmes/digital-innovation-initiative").await;
    assert!(prog.contains("role=\"group\" aria-labelledby=\"map-title\"") && prog.contains("<title id=\"map-title\">"));
    assert_eq!(prog.matches("<circle").count(), 29, "every city placed on the map");
    assert!(prog.contains("<td>Europe/Riga</td>"));
    assert_eq!(anon.get(app.url("/cities/atlantis")).send().await.unwrap().status(), 404);
    let r = anon.get(app.url("/cities/riga/edit")).send().await.unwrap();
    assert_eq!(r.status(), 303, "anonymous is sent to sign in");
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login?next="));

    // A form without the CSRF token is refused.
    let r = anon.post(app.url("/login")).form(&[("email", "a@b.example"), ("password", "x")]).send().await.unwrap();
    assert_eq!(r.status(), 403);

    let email = app.person("lead@riga.example", Some(Role::CityLead), "riga").await;
    // Wrong password: the page says so and keeps the e-mail.
    let csrf = app.csrf(&anon, "/login").await;
    let r = app.post_form(&anon, "/login", &csrf, &[("email", email.as_str()), ("password", "wrong one")]).await;
    assert_eq!(r.status(), 401);
    let html = r.text().await.unwrap();
    assert!(html.contains("class=\"error-summary\"") && html.contains("value=\"lead@riga.example\""));

    let b = app.signed_in(&email).await;
    let account = app.page(&b, "/account").await;
    assert!(account.contains("City lead") && account.contains("Riga"));
    let edit = "/cities/riga/edit";
    let csrf = app.csrf(&b, edit).await;
    let city = |description: &'static str, website: &'static str| {
        let (app, b, csrf) = (&app, &b, &csrf);
        async move {
            let fields = [("version", "1"), ("description", description), ("website", website)];
            app.post_form(b, edit, csrf, &fields).await
        }
    };
    // Invalid website: error summary, field error, and the typed text is kept.
    let r = city("Kept text", "not a url").await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#field-website\"") && html.contains("Kept text") && html.contains("value=\"not a url\"")
    );
    assert_eq!(city("Saved text", "https://www.riga.lv").await.status(), 303);
    // The same form sent again with the old version is a conflict that keeps the input.
    let r = city("Late text", "").await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("Late text"));
    assert_eq!(app.store.organisation("riga").await.unwrap().description, "Saved text");
    assert_eq!(b.get(app.url("/cities/helsinki/edit")).send().await.unwrap().status(), 403);

    // Sign out ends the session.
    let csrf = app.csrf(&b, "/account").await;
    assert_eq!(app.post_form(&b, "/logout", &csrf, &[]).await.status(), 303);
    assert_eq!(b.get(app.url("/account")).send().await.unwrap().status(), 303);
});

on_both!(invitation_pages_end_to_end, |app: TestApp| async move {
    let pm = app.signed_in_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    let csrf = app.csrf(&pm, INVITATIONS_PAGE).await;
    let invite = |email: &'static str| {
        let (app, pm, csrf) = (&app, &pm, &csrf);
        async move {
            let fields = [("city", "riga"), ("email", email), ("role", "city-lead"), ("name", "Lia")];
            app.post_form(pm, INVITATIONS_PAGE, csrf, &fields).await
        }
    };
    let r = invite("bad").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("value=\"Lia\""));
    let r = invite("lia@riga.example").await;
    assert_eq!(r.status(), 201);
    let html = r.text().await.unwrap();
    let start = html.find("/invitations/").unwrap();
    let link_path: String = html[start..].chars().take_while(|c| *c != '<' && *c != '"').collect();
    assert_eq!(link_path.len(), "/invitations/".len() + 64);

    let guest = app.browser();
    let page = app.page(&guest, &link_path).await;
    assert!(page.contains("Riga") && page.contains("lia@riga.example"));
    let csrf = common::csrf_of(&page);
    let mut fields = vec![("name", "Lia L."), ("password", common::PASSWORD), ("password_confirm", "different")];
    assert_eq!(app.post_form(&guest, &link_path, &csrf, &fields).await.status(), 422);
    fields[2].1 = common::PASSWORD;
    fields.push(("listed", "on"));
    let r = app.post_form(&guest, &link_path, &csrf, &fields).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/cities/riga");
    let city = app.page(&guest, "/cities/riga").await;
    assert!(city.contains("Lia L.") && city.contains("Edit profile"), "new lead is signed in and can edit");
    let people = app.page(&app.browser(), "/people").await;
    assert!(people.contains("Lia L."));

    // Staff see the state change and can revoke a pending invitation from the page.
    assert!(app.page(&pm, INVITATIONS_PAGE).await.contains("Accepted"));
});

on_both!(language_switch_and_operations, |app: TestApp| async move {
    let b = app.browser();
    let r = b.get(app.url("/language/de?next=/people")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/people");
    let html = app.page(&b, "/people").await;
    assert!(html.contains("<html lang=\"de\">"));
    assert!(html.contains("Personen"), "German page");
    let r = b.get(app.url("/language/fr?next=//evil.example")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/", "no open redirect");
    let html = app
        .client()
        .get(app.url("/"))
        .header("accept-language", "fr-FR,fr;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"fr\">"));

    assert_eq!(app.client().get(app.url("/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(app.client().get(app.url("/readyz")).send().await.unwrap().status(), 200);
    let m = app.page(&app.client(), "/metrics").await;
    assert!(m.contains("urbis_http_requests_total{method=\"GET\",route=\"/people\",status=\"200\"}"));
    assert!(m.contains("# TYPE urbis_http_request_duration_seconds histogram"));
});

// RFC 9110 §13.1.1 on an API write: `*` matches any current version, a list matches when one of
// its tags does, a weak tag never matches.
on_both!(if_match_as_http_says, |app: TestApp| async move {
    let lead = app.token_as("lead@riga.example", Role::CityLead, "riga").await;
    let city = "/api/v1/cities/riga";
    let patch = |n: u32| json!({"description": format!("Change {n}.")});

    let weak = format!("W/{}", app.etag(None, city).await);
    assert_eq!(app.patch_if_match(&lead, city, &weak, &patch(1)).await.status(), 412, "a weak tag never matches");

    let r = app.patch_if_match(&lead, city, "*", &patch(2)).await;
    assert_eq!(r.status(), 200, "* matches the current version");
    let etag = app.etag(None, city).await;
    assert_eq!(json_of(app.client().get(app.url(city)).send().await.unwrap()).await["description"], "Change 2.");

    let list = format!("\"9999\", {weak}, {etag}");
    assert_eq!(app.patch_if_match(&lead, city, &list, &patch(3)).await.status(), 200, "one tag of a list matches");
    let list = format!("\"9999\", W/{}", app.etag(None, city).await);
    assert_eq!(
        app.patch_if_match(&lead, city, &list, &patch(4)).await.status(),
        412,
        "no strong tag of the list matches"
    );
});
