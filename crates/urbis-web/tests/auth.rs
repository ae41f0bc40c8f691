//! Authentication hardening (issue 9): anonymous writes, sign-in throttling, API tokens.

mod common;

use common::{PASSWORD, TestApp, json_of};
use serde_json::{Value, json};
use urbis_app::auth::throttle;
use urbis_domain::policy::Role;

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

/// Ask for an API token as a client at `address` (sent as `X-Forwarded-For`, believed because the
/// test app trusts its loopback peer as a proxy).
async fn token_from(app: &TestApp, base: &str, address: &str, email: &str, password: &str) -> reqwest::Response {
    app.client()
        .post(format!("{base}/api/v1/auth/token"))
        .header("x-forwarded-for", address)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

/// The seconds of `Retry-After`, which a 429 must carry.
fn retry_after(r: &reqwest::Response) -> u64 {
    assert_eq!(r.status(), 429);
    r.headers().get("retry-after").expect("Retry-After").to_str().unwrap().parse().unwrap()
}

const STRANGER: &str = "203.0.113.66";
const OWNER: &str = "198.51.100.7";

on_both!(a_strangers_failures_do_not_stop_the_owner, |app: TestApp| async move {
    let base = app.url("");
    let owner = app.person("owner@example.org", Some(Role::CityMember), "riga").await;
    // A stranger tries made-up e-mails from one address until its budget is spent.
    let budget = throttle::ADDRESS_BUDGET;
    for i in 0..budget {
        let r = token_from(&app, &base, STRANGER, &format!("made-up-{i}@example.org"), "guess").await;
        let expected = if i + 1 < budget { 401 } else { 429 };
        assert_eq!(r.status(), expected, "attempt {i}");
    }
    let r = token_from(&app, &base, STRANGER, "made-up-again@example.org", "guess").await;
    let wait = retry_after(&r);
    assert!((1..=15 * 60).contains(&wait), "{wait}");
    assert_eq!(json_of(r).await["status"], 429);
    // The owner signs in with the right password from another address, and from the same one.
    assert_eq!(token_from(&app, &base, OWNER, &owner, PASSWORD).await.status(), 200);
    assert_eq!(token_from(&app, &base, STRANGER, &owner, PASSWORD).await.status(), 200);
    // The sign-in page from the stranger's address: a wrong password is "try again later" with
    // the wait, the right one signs in.
    let b = app.browser();
    let csrf = app.csrf(&b, "/login").await;
    let form = |email: &str, password: &str| {
        let f: Vec<(String, String)> =
            [("csrf", csrf.as_str()), ("email", email), ("password", password), ("next", "/account")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        f
    };
    let r = b
        .post(app.url("/login"))
        .header("x-forwarded-for", STRANGER)
        .form(&form("made-up-page@example.org", "guess"))
        .send()
        .await
        .unwrap();
    let wait = retry_after(&r);
    let html = r.text().await.unwrap().replace(['\u{2068}', '\u{2069}'], "");
    let minutes = wait.div_ceil(60).to_string();
    assert!(html.contains(&format!("Try again in {minutes} minutes")), "the page says when to try again");
    let r = b
        .post(app.url("/login"))
        .header("x-forwarded-for", STRANGER)
        .form(&form(&owner, PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
});

on_both!(the_per_account_delay_grows_and_success_clears_it, |app: TestApp| async move {
    let base = app.url("");
    let victim = app.person("victim@example.org", Some(Role::CityMember), "riga").await;
    let secret = app.store.secret().await.unwrap();
    let pair = throttle::account_address_key(&secret, &victim, STRANGER);
    for i in 0..throttle::ACCOUNT_FREE_FAILURES {
        assert_eq!(token_from(&app, &base, STRANGER, &victim, "guess").await.status(), 401, "failure {i}");
    }
    // Locked for a minute from the stranger's address, whatever the password (none is checked)...
    let first = retry_after(&token_from(&app, &base, STRANGER, &victim, "guess").await);
    assert!((55..=60).contains(&first), "{first}");
    assert!(retry_after(&token_from(&app, &base, STRANGER, &victim, PASSWORD).await) <= 60);
    // ...and attempts while locked are not counted, so hammering does not make the lock longer.
    let count = app.store.sign_in_failures(&pair).await.unwrap().unwrap();
    assert_eq!(count.failures, throttle::ACCOUNT_FREE_FAILURES);
    // Once that lock has passed (its failures moved five minutes back), the next failure locks for
    // longer: two minutes, then four.
    let back = urbis_store::now() - chrono::Duration::minutes(5);
    let long_ago = back - chrono::Duration::days(1);
    app.store.clear_sign_in_failures(&[&pair], long_ago).await.unwrap();
    for _ in 0..throttle::ACCOUNT_FREE_FAILURES + 1 {
        app.store.count_sign_in_failure(&pair, back, long_ago).await.unwrap();
    }
    assert_eq!(token_from(&app, &base, STRANGER, &victim, "guess").await.status(), 401);
    let second = retry_after(&token_from(&app, &base, STRANGER, &victim, "guess").await);
    assert!((235..=240).contains(&second), "the delay doubled twice: {second}");
    // A successful sign-in clears the account's counts.
    let account = throttle::account_key(&secret, &victim);
    let other = throttle::account_address_key(&secret, &victim, OWNER);
    for _ in 0..throttle::ACCOUNT_FREE_FAILURES - 1 {
        assert_eq!(token_from(&app, &base, OWNER, &victim, "typo").await.status(), 401);
    }
    assert_eq!(token_from(&app, &base, OWNER, &victim, PASSWORD).await.status(), 200);
    assert_eq!(app.store.sign_in_failures(&other).await.unwrap(), None);
    assert_eq!(app.store.sign_in_failures(&account).await.unwrap(), None);
});

// Guessing from many addresses is bounded per account too: past its budget the account is
// locked for every address, for a short, growing delay.
on_both!(the_account_budget_holds_across_addresses, |app: TestApp| async move {
    let base = app.url("");
    let victim = app.person("victim@example.org", Some(Role::CityMember), "riga").await;
    let account = throttle::account_key(&app.store.secret().await.unwrap(), &victim);
    let now = urbis_store::now();
    for _ in 0..throttle::ACCOUNT_BUDGET - 1 {
        app.store.count_sign_in_failure(&account, now, now - chrono::Duration::days(1)).await.unwrap();
    }
    assert_eq!(token_from(&app, &base, "192.0.2.200", &victim, "guess").await.status(), 401);
    let wait = retry_after(&token_from(&app, &base, OWNER, &victim, PASSWORD).await);
    assert!((55..=60).contains(&wait), "{wait}");
});

on_both!(counters_hold_across_instances, |app: TestApp| async move {
    let one = app.url("");
    let two = app.another_instance(&["127.0.0.1"]).await;
    let victim = app.person("victim@example.org", Some(Role::CityMember), "riga").await;
    for i in 0..throttle::ACCOUNT_FREE_FAILURES {
        let base = if i % 2 == 0 { &one } else { &two };
        assert_eq!(token_from(&app, base, STRANGER, &victim, "guess").await.status(), 401);
    }
    assert!(retry_after(&token_from(&app, &one, STRANGER, &victim, PASSWORD).await) > 0);
    assert!(retry_after(&token_from(&app, &two, STRANGER, &victim, PASSWORD).await) > 0);
    // The owner, elsewhere, is not held up by the stranger's failures on either instance.
    assert_eq!(token_from(&app, &two, OWNER, &victim, PASSWORD).await.status(), 200);
});

on_both!(forwarded_for_from_an_untrusted_peer_is_ignored, |app: TestApp| async move {
    // This instance trusts no proxy: every request comes from its loopback peer, whatever it claims.
    let base = app.another_instance(&[]).await;
    let budget = throttle::ADDRESS_BUDGET;
    for i in 0..budget {
        let forged = format!("192.0.2.{}", i + 1);
        let r = token_from(&app, &base, &forged, &format!("made-up-{i}@example.org"), "guess").await;
        assert_eq!(r.status(), if i + 1 < budget { 401 } else { 429 }, "attempt {i} from {forged}");
    }
    assert!(app.store.sign_in_failures("address:127.0.0.1").await.unwrap().unwrap().failures >= budget);
    assert_eq!(app.store.sign_in_failures("address:192.0.2.1").await.unwrap(), None);
});

on_both!(api_tokens_are_listed_and_revoked_at_once, |app: TestApp| async move {
    let email = app.person("holder@example.org", Some(Role::CityMember), "riga").await;
    let first = app.token(&email).await;
    let second = app.token(&email).await;
    let other = app.token_as("other@example.org", Role::CityMember, "riga").await;
    // Listed with when they were made and used, never the secret.
    let r = app.client().get(app.url("/api/v1/auth/tokens")).bearer_auth(&first).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(!text.contains(&first) && !text.contains(&second), "no secret in the list");
    let list: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(list["total"], 2);
    let items = list["items"].as_array().unwrap();
    assert!(items.iter().all(|t| t["created_at"].is_string() && t["expires_at"].is_string()));
    assert_eq!(items.iter().filter(|t| t["last_used_at"].is_string()).count(), 1, "the one in use");
    let second_id = items.iter().find(|t| t["last_used_at"].is_null()).unwrap()["id"].as_str().unwrap().to_string();
    // Another person cannot revoke it (nor learn that it exists); its holder can, and it stops at once.
    let del = |token: &str, id: &str| {
        app.client().delete(app.url(&format!("/api/v1/auth/tokens/{id}"))).bearer_auth(token.to_string()).send()
    };
    assert_eq!(del(&other, &second_id).await.unwrap().status(), 404);
    assert_eq!(app.get_json_as(&second, "/api/v1/me").await["email"], email);
    assert_eq!(del(&first, &second_id).await.unwrap().status(), 204);
    let me = app.client().get(app.url("/api/v1/me")).bearer_auth(&second).send().await.unwrap();
    assert_eq!(me.status(), 401, "a revoked token stops working at once");
    assert_eq!(del(&first, &second_id).await.unwrap().status(), 404);

    // The account page lists them, and revoking asks for confirmation first.
    let b = app.signed_in(&email).await;
    let page = app.page(&b, "/account").await;
    assert!(page.contains("API tokens"));
    let list: Value = app.get_json_as(&first, "/api/v1/auth/tokens").await;
    let first_id = list["items"][0]["id"].as_str().unwrap().to_string();
    let confirm = format!("/account/tokens/{first_id}/revoke");
    assert!(page.contains(&confirm));
    let confirm_page = app.page(&b, &confirm).await;
    assert!(confirm_page.contains("This cannot be undone"));
    assert_eq!(app.get_json_as(&first, "/api/v1/me").await["email"], email, "not revoked by looking");
    let r = app.submit_form(&b, &confirm, &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/account?revoked=1#tokens");
    let me = app.client().get(app.url("/api/v1/me")).bearer_auth(&first).send().await.unwrap();
    assert_eq!(me.status(), 401);
    assert!(app.page(&b, "/account?revoked=1").await.contains("The token has been revoked."));
    // Another person's token is no such token on the page too.
    let list: Value = app.get_json_as(&other, "/api/v1/auth/tokens").await;
    let other_id = list["items"][0]["id"].as_str().unwrap().to_string();
    let r = b.get(app.url(&format!("/account/tokens/{other_id}/revoke"))).send().await.unwrap();
    assert_eq!(r.status(), 404);
});

on_both!(a_new_password_revokes_every_token_and_session, |app: TestApp| async move {
    let email = app.person("holder@example.org", Some(Role::CityMember), "riga").await;
    let token = app.token(&email).await;
    let b = app.signed_in(&email).await;
    assert_eq!(b.get(app.url("/account")).send().await.unwrap().status(), 200);
    let id = app.store.credentials(&email).await.unwrap().unwrap().person_id;
    let hash = urbis_web::auth::hash_password("a brand new password".into()).await.unwrap();
    app.store.set_password_hash(Some(id), id, &hash).await.unwrap();
    let me = app.client().get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), 401, "the token stopped working at once");
    let r = b.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), 303, "the session ended: sign in again");
});

on_both!(signing_out_everywhere_ends_every_session_and_token, |app: TestApp| async move {
    let email = app.person("holder@example.org", Some(Role::CityMember), "riga").await;
    let token = app.token(&email).await;
    let here = app.signed_in(&email).await;
    let elsewhere = app.signed_in(&email).await;
    let other = app.token_as("other@example.org", Role::CityMember, "riga").await;
    let status = |b: &reqwest::Client| {
        let r = b.get(app.url("/account")).send();
        async move { r.await.unwrap().status() }
    };
    let me = |t: &str| app.client().get(app.url("/api/v1/me")).bearer_auth(t.to_string()).send();
    // The account page links to a confirmation page, which says what plain signing out does.
    let page = app.page(&here, "/account").await;
    assert!(page.contains("href=\"/account/sign-out-everywhere\""));
    let confirm = app.page(&here, "/account/sign-out-everywhere").await;
    assert!(confirm.contains("This cannot be undone"));
    assert!(confirm.contains("ends only the session in this browser"));
    assert_eq!(status(&elsewhere).await, 200, "nothing ended by looking");
    // Without the form's CSRF token, nothing happens.
    let r = here.post(app.url("/account/sign-out-everywhere")).form(&[("csrf", "forged")]).send().await.unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_eq!(status(&elsewhere).await, 200);
    assert_eq!(me(&token).await.unwrap().status(), 200);
    // Confirmed: every session (this one too) and every token of the person end at once.
    let r = app.submit_form(&here, "/account/sign-out-everywhere", &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
    assert_eq!(status(&elsewhere).await, 303, "the other session ended");
    assert_eq!(status(&here).await, 303, "this session ended");
    assert_eq!(me(&token).await.unwrap().status(), 401, "the token was revoked");
    assert_eq!(me(&other).await.unwrap().status(), 200, "another person's token is untouched");
    let id = app.store.credentials(&email).await.unwrap().unwrap().person_id;
    let log = app.store.audit_for("person", &id.to_string()).await.unwrap();
    assert!(log.iter().any(|e| e.action == "person.sign-out-everywhere"), "audited");
});

/// Submit the form that changes one's password.
async fn change_password(
    app: &TestApp,
    b: &reqwest::Client,
    current: &str,
    new: &str,
    confirm: &str,
) -> reqwest::Response {
    let fields = [("current_password", current), ("new_password", new), ("new_password_confirm", confirm)];
    app.submit_form(b, "/account/password", &fields).await
}

on_both!(changing_the_password_checks_the_current_one_and_ends_other_access, |app: TestApp| async move {
    let email = app.person("holder@example.org", Some(Role::CityMember), "riga").await;
    let token = app.token(&email).await;
    let here = app.signed_in(&email).await;
    let elsewhere = app.signed_in(&email).await;
    let status = |b: &reqwest::Client| {
        let r = b.get(app.url("/account")).send();
        async move { r.await.unwrap().status() }
    };
    let me = |t: &str| app.client().get(app.url("/api/v1/me")).bearer_auth(t.to_string()).send();
    let new = "a brand new password";
    assert!(app.page(&here, "/account").await.contains("href=\"/account/password\""));
    // A wrong current password is refused, naming the field; nothing changes.
    let r = change_password(&app, &here, "not my password", new, new).await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("The current password is not correct.") && body.contains("#field-current_password"));
    // The new password follows the rules of a new account, and must be typed twice alike.
    let r = change_password(&app, &here, PASSWORD, "short", "other").await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("#field-new_password\"") && body.contains("#field-new_password_confirm\""), "{body}");
    assert_eq!(status(&elsewhere).await, 200, "nothing changed");
    assert_eq!(me(&token).await.unwrap().status(), 200);
    assert_eq!(app.request_token(&email, PASSWORD).await.status(), 200, "the old password still works");
    // Right: this browser stays signed in (with a new session), every other session and token ends.
    let r = change_password(&app, &here, PASSWORD, new, new).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/account?password=1");
    assert!(app.page(&here, "/account?password=1").await.contains("Your password has been changed."));
    assert_eq!(status(&here).await, 200, "still signed in here");
    assert_eq!(status(&elsewhere).await, 303, "signed out elsewhere");
    assert_eq!(me(&token).await.unwrap().status(), 401, "tokens revoked");
    assert_eq!(app.request_token(&email, PASSWORD).await.status(), 401, "the old password no longer works");
    assert_eq!(app.request_token(&email, new).await.status(), 200, "the new one does");
    let id = app.store.credentials(&email).await.unwrap().unwrap().person_id;
    let log = app.store.audit_for("person", &id.to_string()).await.unwrap();
    assert!(log.iter().any(|e| e.action == "person.password"), "audited");
    // Guessing the current password here is throttled like signing in: after the free failures,
    // even the right password is refused for a while, and nothing changes.
    let mut last = reqwest::StatusCode::OK;
    for _ in 0..=throttle::ACCOUNT_FREE_FAILURES {
        last = change_password(&app, &here, "a wrong guess at it", "yet another password", "yet another password")
            .await
            .status();
        if last == 429 {
            break;
        }
        assert_eq!(last, 422);
    }
    assert_eq!(last, 429, "throttled");
    let r = change_password(&app, &here, new, "yet another password", "yet another password").await;
    assert_eq!(r.status(), 429, "locked: not even the right password is checked");
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(status(&here).await, 200, "nothing changed");
});
