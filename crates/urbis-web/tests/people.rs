//! Deactivating and reactivating a person (issue 9 item 7, issue 16): their sessions and tokens end
//! at once, they cannot sign in, reactivation brings none of them back, nobody deactivates
//! themself, stale versions are refused, and both are audited.

mod common;

use common::{PASSWORD, TestApp, json_of};
use reqwest::StatusCode;
use serde_json::{Value, json};
use urbis_domain::policy::Role;

/// The id of the person with this e-mail.
async fn id_of(app: &TestApp, email: &str) -> String {
    app.store.person_by_email(email).await.unwrap().unwrap().id.to_string()
}

/// `POST /api/v1/people/{id}/{action}` as `token`'s holder with `If-Match: etag`.
async fn act(app: &TestApp, token: &str, id: &str, action: &str, etag: &str) -> reqwest::Response {
    let path = format!("/api/v1/people/{id}/{action}");
    app.client().post(app.url(&path)).bearer_auth(token).header("If-Match", etag).send().await.unwrap()
}

on_both!(a_deactivated_persons_sessions_and_tokens_end_at_once, |app: TestApp| async move {
    let admin = app.token_as("admin@example.org", Role::Admin, "riga").await;
    let email = app.person("lead@riga.example", Some(Role::CityLead), "riga").await;
    let token = app.token(&email).await;
    let browser = app.signed_in(&email).await;
    let id = id_of(&app, &email).await;
    // An invitation the person sent before being deactivated.
    let inv = app
        .created(
            &token,
            "/api/v1/programmes/digital-innovation-initiative/invitations",
            &json!({"email": "new@riga.example", "city": "riga", "role": "city-member"}),
        )
        .await;
    let me = |t: &str| app.client().get(app.url("/api/v1/me")).bearer_auth(t.to_string()).send();
    let me_now: Value = json_of(me(&token).await.unwrap()).await;
    assert_eq!(me_now["active"], true);
    assert_eq!(browser.get(app.url("/account")).send().await.unwrap().status(), 200);

    // The admin reads the account (active, with its ETag) and deactivates it.
    let r = app.client().get(app.url(&format!("/api/v1/people/{id}"))).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let read = json_of(r).await;
    assert_eq!(read["active"], true);
    assert_eq!(read["roles"][0]["role"], "city-lead");
    let r = act(&app, &admin, &id, "deactivate", &etag).await;
    assert_eq!(r.status(), 200);
    let new_etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(new_etag, etag, "the version moved");
    let after = json_of(r).await;
    assert_eq!(after["active"], false);
    assert!(after["deactivated_at"].is_string());
    assert_eq!(after["deactivated_by"], id_of(&app, "admin@example.org").await.as_str());

    // The very next request: the token is refused, the session is anonymous.
    assert_eq!(me(&token).await.unwrap().status(), 401, "the token stopped working at once");
    let r = browser.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), 303, "the session ended: the account page asks to sign in");
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));
    // Signing in is refused, by the form and by the API (as a wrong password: nothing told).
    assert_eq!(app.request_token(&email, PASSWORD).await.status(), 401);
    let b = app.browser();
    let csrf = app.csrf(&b, "/login").await;
    let r =
        app.post_form(&b, "/login", &csrf, &[("email", &email), ("password", PASSWORD), ("next", "/account")]).await;
    assert_ne!(r.status(), 303, "no session for a deactivated person");
    // Invitations the person sent stay valid.
    let link = inv["link"].as_str().unwrap();
    let token_of_link = link.rsplit('/').next().unwrap();
    let invitation = app.get_json(&format!("/api/v1/invitations/{token_of_link}")).await;
    assert_eq!(invitation["state"], "pending");

    // Deactivating again is refused; a stale ETag is 412.
    let r = act(&app, &admin, &id, "deactivate", &new_etag).await;
    assert_eq!(r.status(), 409);
    assert_eq!(json_of(r).await["errors"][0]["code"], "already-deactivated");
    assert_eq!(act(&app, &admin, &id, "reactivate", &etag).await.status(), 412, "stale If-Match");
    assert_eq!(
        app.client()
            .post(app.url(&format!("/api/v1/people/{id}/reactivate")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .status(),
        428
    );

    // Reactivated: the old token and session stay dead; a fresh sign-in works.
    let r = act(&app, &admin, &id, "reactivate", &new_etag).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await["active"], true);
    assert_eq!(me(&token).await.unwrap().status(), 401, "old tokens do not come back");
    assert_eq!(browser.get(app.url("/account")).send().await.unwrap().status(), 303, "nor old sessions");
    let fresh = app.token(&email).await;
    assert_eq!(me(&fresh).await.unwrap().status(), 200);
    assert_eq!(app.signed_in(&email).await.get(app.url("/account")).send().await.unwrap().status(), 200);

    // Both are in the audit log, with the admin as actor and the person before and after.
    let log = app.store.audit_for("person", &id).await.unwrap();
    let admin_id = id_of(&app, "admin@example.org").await;
    for action in ["person.deactivate", "person.reactivate"] {
        let e = log.iter().find(|e| e.action == action).unwrap_or_else(|| panic!("{action} audited"));
        assert_eq!(e.actor_id.as_deref(), Some(admin_id.as_str()));
        assert!(e.before.is_some() && e.after.is_some());
    }
});

on_both!(nobody_deactivates_themself_and_only_admins_deactivate, |app: TestApp| async move {
    let admin = app.token_as("admin@example.org", Role::Admin, "riga").await;
    let pm = app.token_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    let admin_id = id_of(&app, "admin@example.org").await;
    let pm_id = id_of(&app, "pm@example.org").await;
    let etag = app.etag(Some(&admin), &format!("/api/v1/people/{admin_id}")).await;
    let r = act(&app, &admin, &admin_id, "deactivate", &etag).await;
    assert_eq!(r.status(), 409);
    let problem = json_of(r).await;
    assert_eq!(problem["errors"][0]["code"], "cannot-deactivate-self");
    assert!(problem["detail"].as_str().unwrap().contains("another admin"), "{problem}");
    assert_eq!(app.get_json_as(&admin, "/api/v1/me").await["active"], true, "still active");
    // A programme manager may not, whoever the target (403 before the id is looked up).
    assert_eq!(act(&app, &pm, &admin_id, "deactivate", "*").await.status(), 403);
    assert_eq!(act(&app, &pm, "00000000-0000-0000-0000-000000000000", "deactivate", "*").await.status(), 403);
    let r = app.client().get(app.url("/api/v1/admin/people")).bearer_auth(&pm).send().await.unwrap();
    assert_eq!(r.status(), 403);
    // An admin's unknown id is a 404.
    assert_eq!(act(&app, &admin, "00000000-0000-0000-0000-000000000000", "deactivate", "*").await.status(), 404);
    // The list: every account with its status, searchable, paged, with Link fields.
    let etag = app.etag(Some(&admin), &format!("/api/v1/people/{pm_id}")).await;
    assert_eq!(act(&app, &admin, &pm_id, "deactivate", &etag).await.status(), 200);
    let r =
        app.client().get(app.url("/api/v1/admin/people?q=PM%40&per_page=1")).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["link"].to_str().unwrap().contains("rel=\"first\""));
    let list = json_of(r).await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["email"], "pm@example.org");
    assert_eq!(list["items"][0]["active"], false);
    let all = app.get_json_as(&admin, "/api/v1/admin/people?per_page=1").await;
    assert_eq!(all["total"], 2);
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    // A search pattern's wildcards are taken literally.
    assert_eq!(app.get_json_as(&admin, "/api/v1/admin/people?q=%25").await["total"], 0);
});

on_both!(admins_deactivate_and_reactivate_on_pages_after_confirming, |app: TestApp| async move {
    app.person("admin@example.org", Some(Role::Admin), "riga").await;
    let admin = app.signed_in("admin@example.org").await;
    let email = app.person("member@riga.example", Some(Role::CityMember), "riga").await;
    let member = app.signed_in(&email).await;
    let id = id_of(&app, &email).await;
    let admin_id = id_of(&app, "admin@example.org").await;

    let list = app.page(&admin, "/admin/people?q=riga").await;
    assert!(list.contains("<td>member@riga.example</td>") && !list.contains("<td>admin@example.org</td>"), "searched");
    let all = app.page(&admin, "/admin/people").await;
    assert!(all.contains(&format!("href=\"/admin/people/{id}/deactivate\"")));
    assert!(!all.contains(&format!("href=\"/admin/people/{admin_id}/deactivate\"")), "no link to deactivate oneself");
    assert!(app.page(&admin, "/").await.contains("href=\"/admin/people\""), "admins find the list");
    assert!(!app.page(&member, "/").await.contains("href=\"/admin/people\""));
    assert_eq!(member.get(app.url("/admin/people")).send().await.unwrap().status(), 403);

    // Looking at the confirmation page changes nothing.
    let confirm = format!("/admin/people/{id}/deactivate");
    let page = app.page(&admin, &confirm).await;
    assert!(page.contains("Deactivate this person?") && page.contains("do not come back"));
    assert!(page.contains("name=\"version\" value=\"1\""));
    assert_eq!(member.get(app.url("/account")).send().await.unwrap().status(), 200);
    // Confirmed: back to the list, which says so; the member's session ended at once.
    let r = app.submit_form(&admin, &confirm, &[("version", "1")]).await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/admin/people?deactivated="), "{to}");
    assert!(app.page(&admin, &to).await.contains("has been deactivated"));
    assert_eq!(member.get(app.url("/account")).send().await.unwrap().status(), 303);
    // A stale form shows the conflict notice.
    let again = format!("/admin/people/{id}/reactivate");
    let r = app.submit_form(&admin, &again, &[("version", "1")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("Someone changed this account"));
    let r = app.submit_form(&admin, &again, &[("version", "2")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(member.get(app.url("/account")).send().await.unwrap().status(), 303, "the old session stays ended");
    // Deactivating oneself is refused on the page too, with the reason.
    let mine = format!("/admin/people/{admin_id}/deactivate");
    let r = app.submit_form(&admin, &mine, &[("version", "1")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let text = r.text().await.unwrap();
    assert!(text.contains("You cannot deactivate yourself"), "{text}");
    assert!(text.contains("href=\"#field-person\"") && text.contains("id=\"field-person\""));
});

on_both!(a_deactivated_person_leaves_the_public_directory_and_team, |app: TestApp| async move {
    let admin = app.token_as("admin@example.org", Role::Admin, "riga").await;
    let email = app.person("listed@riga.example", Some(Role::CityMember), "riga").await;
    let p = app.store.person_by_email(&email).await.unwrap().unwrap();
    let update = urbis_store::network::AccountUpdate {
        name: "Listed Member".into(),
        job_title: "Data lead".into(),
        listed: true,
        locale: "en".into(),
    };
    app.store.update_account(p.id, p.version, update).await.unwrap();
    let app = &app;
    let public =
        |path: &'static str| async move { app.client().get(app.url(path)).send().await.unwrap().text().await.unwrap() };
    assert!(public("/api/v1/people").await.contains("Listed Member"), "listed while active");
    assert!(public("/api/v1/cities/riga/team").await.contains("Listed Member"));
    let id = id_of(app, &email).await;
    let r = app.client().get(app.url(&format!("/api/v1/people/{id}"))).bearer_auth(&admin).send().await.unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(act(app, &admin, &id, "deactivate", &etag).await.status(), 200);
    for path in ["/api/v1/people", "/api/v1/cities/riga/team", "/people", "/cities/riga"] {
        assert!(!public(path).await.contains("Listed Member"), "{path} no longer lists a deactivated person");
    }
});
