//! Convenings over HTTP, on SQLite and PostgreSQL: registration, the waiting list, cancellation and
//! the offer of the freed place, accepting it once, expiry, the join link's privacy, stale
//! `If-Match`, status changes, the calendar feed across daylight saving, and the pages.

mod common;

use common::{TestApp, json_of};
use reqwest::Method;
use serde_json::{Value, json};
use urbis_domain::convenings::ical;
use urbis_domain::policy::Role;

const EVENTS: &str = "/api/v1/programmes/digital-innovation-initiative/events";

fn event(title: &str, kind: &str, day: &str, capacity: Option<u32>) -> Value {
    let mut e = json!({"title": title, "kind": kind, "attendance_mode": "online", "time_zone": "Europe/Berlin",
        "starts_at": format!("{day}T10:00"), "ends_at": format!("{day}T11:30"), "join_url": "https://meet.example.org/secret-room"});
    if let Some(c) = capacity {
        e["capacity"] = c.into();
    }
    e
}

async fn offer_token(app: &TestApp, email: &str) -> String {
    let mail = app.store.queued_mail(email).await.unwrap();
    let body = &mail.iter().rev().find(|m| m.0 == "event-offer").expect("an offer e-mail").2;
    body[body.find("/offers/").unwrap() + 8..].chars().take_while(|c| c.is_ascii_hexdigit()).collect()
}

on_both!(registration_waiting_list_offers_and_privacy, |app: TestApp| async move {
    let pm = app.token_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    let a = app.token_as("a@riga.example", Role::CityMember, "riga").await;
    let b = app.token_as("b@riga.example", Role::CityMember, "riga").await;
    let c = app.token_as("c@helsinki.example", Role::CityLead, "helsinki").await;
    let created = app.created(&pm, EVENTS, &event("Webinar on data", "webinar", "2030-06-04", Some(1))).await;
    let id = created["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/events/{id}");
    assert!(created.get("join_url").is_some(), "managers see the join link");
    // Anonymous: no join link, and writes are 401 before anything else.
    let public = app.get_json(&path).await;
    assert!(public.get("join_url").is_none());
    assert!(!app.get_text(&path).await.contains("secret-room"));
    let r = app.client().post(app.url(&format!("{path}/registrations"))).send().await.unwrap();
    assert_eq!(r.status(), 401);
    // A gets the place; B and C wait, in order.
    let ra = app.created(&a, &format!("{path}/registrations"), &json!({})).await;
    assert_eq!(ra["state"], "confirmed");
    let rb = app.created(&b, &format!("{path}/registrations"), &json!({})).await;
    let rc = app.created(&c, &format!("{path}/registrations"), &json!({})).await;
    assert_eq!((rb["state"].as_str(), rb["position"].as_i64()), (Some("waiting"), Some(1)));
    assert_eq!(rc["position"], 2);
    let again = app.post_json(&b, &format!("{path}/registrations"), &json!({})).await;
    assert_eq!(again.status(), 409);
    assert_eq!(json_of(again).await["type"], "https://urbis.dev/problems/already-registered");
    // The join link: A (a place) sees it; B (waiting) does not.
    assert_eq!(app.get_json_as(&a, &path).await["join_url"], "https://meet.example.org/secret-room");
    let seen_by_b = app.get_json_as(&b, &path).await;
    assert!(seen_by_b.get("join_url").is_none());
    assert_eq!(seen_by_b["my_registration"]["position"], 1);
    let public = app.get_json(&path).await;
    assert_eq!((public["places_held"].as_i64(), public["waiting"].as_i64()), (Some(1), Some(2)));
    // Nobody cancels somebody else's registration; a stale If-Match is 412.
    let a_reg = format!("/api/v1/registrations/{}", ra["id"].as_str().unwrap());
    let r = app.api_json(&b, Method::DELETE, &a_reg, &json!({})).await;
    assert_eq!(r.status(), 403);
    let r = app.api_if_match(&a, Method::DELETE, &a_reg, "\"7\"", &json!({})).await;
    assert_eq!(r.status(), 412);
    let r = app.api_if_match(&a, Method::DELETE, &a_reg, "\"1\"", &json!({})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await["state"], "cancelled");
    // B is offered the freed place by e-mail; the link is B's only.
    let token = offer_token(&app, "b@riga.example").await;
    let offer = format!("/api/v1/offers/{token}");
    let r = app.client().get(app.url(&offer)).bearer_auth(&c).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = app.client().post(app.url(&format!("{offer}/accept"))).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let o = app.get_json_as(&b, &offer).await;
    assert_eq!(o["registration"]["state"], "offered");
    assert!(o["registration"]["offer_expires_at"].is_string());
    let mine = app.get_json_as(&b, "/api/v1/me/registrations").await;
    assert_eq!(mine["items"][0]["state"], "offered");
    // C stays first in line while the place is offered to B.
    assert_eq!(app.get_json_as(&c, &path).await["my_registration"]["position"], 1);
    let r = app.post_json(&b, &format!("{offer}/accept"), &json!({})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await["state"], "confirmed");
    let r = app.post_json(&b, &format!("{offer}/accept"), &json!({})).await;
    assert_eq!(r.status(), 409, "an offer's link works once");
    assert_eq!(app.get_json_as(&b, &path).await["join_url"], "https://meet.example.org/secret-room");
    // B cancels: C is offered the place, lets it expire (the sweep), and the link then says so.
    let b_reg = format!("/api/v1/registrations/{}", rb["id"].as_str().unwrap());
    assert_eq!(app.api_json(&b, Method::DELETE, &b_reg, &json!({})).await.status(), 200);
    let token_c = offer_token(&app, "c@helsinki.example").await;
    let later = urbis_store::now() + chrono::Duration::hours(49);
    let lapsed = app.store.sweep_offers(later, &urbis_store::convenings::no_notices).await.unwrap();
    assert_eq!(lapsed, 1);
    let r = app.post_json(&c, &format!("/api/v1/offers/{token_c}/accept"), &json!({})).await;
    assert_eq!(r.status(), 409);
    assert_eq!(json_of(r).await["type"], "https://urbis.dev/problems/offer-expired");
    assert_eq!(app.get_json_as(&c, "/api/v1/me/registrations").await["items"][0]["state"], "lapsed");
    // The managers' list of registrations; nobody else's.
    let list = app.get_json_as(&pm, &format!("{path}/registrations")).await;
    assert_eq!(list["total"], 0);
    let r = app.client().get(app.url(&format!("{path}/registrations"))).bearer_auth(&a).send().await.unwrap();
    assert_eq!(r.status(), 403);
});

on_both!(event_writes_validation_status_and_calendars, |app: TestApp| async move {
    let pm = app.token_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    let member = app.token_as("m@riga.example", Role::CityMember, "riga").await;
    // The spring-forward gap is refused, naming the field.
    let mut gap = event("Night webinar", "webinar", "2030-03-31", None);
    gap["starts_at"] = "2030-03-31T02:30".into();
    let r = app.post_json(&pm, EVENTS, &gap).await;
    assert_eq!(r.status(), 422);
    let p = json_of(r).await;
    assert_eq!(
        (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()),
        (Some("starts_at"), Some("nonexistent-local-time"))
    );
    let r = app.post_json(&member, EVENTS, &event("Mine", "webinar", "2030-03-30", None)).await;
    assert_eq!(r.status(), 403);
    // Two webinars at 10:00 Berlin, each side of the change on 31 March 2030, and a workshop.
    let before = app.created(&pm, EVENTS, &event("Before", "webinar", "2030-03-30", None)).await;
    let after = app.created(&pm, EVENTS, &event("After", "webinar", "2030-04-01", Some(10))).await;
    app.created(&pm, EVENTS, &event("Workshop", "workshop", "2030-04-02", None)).await;
    let after_path = format!("/api/v1/events/{}", after["id"].as_str().unwrap());
    // A change: the ETag moves on; a stale If-Match is refused.
    let r = app.patch_if_match(&pm, &after_path, "\"1\"", &json!({"title": "After the change"})).await;
    assert_eq!(r.status(), 200);
    let r = app.patch_if_match(&pm, &after_path, "\"1\"", &json!({"title": "Lost update"})).await;
    assert_eq!(r.status(), 412);
    let r = app.patch_if_match(&pm, &after_path, "\"2\"", &json!({"ends_at": "2030-04-01T09:00"})).await;
    assert_eq!(r.status(), 422);
    // Cancelling (If-Match) keeps the event in the feed as cancelled.
    let r = app
        .api_if_match(&pm, Method::POST, &format!("{after_path}/status"), "\"2\"", &json!({"status": "cancelled"}))
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .api_if_match(&pm, Method::POST, &format!("{after_path}/status"), "\"3\"", &json!({"status": "scheduled"}))
        .await;
    assert_eq!(r.status(), 409);
    // The feed, filtered to webinars (the filter survives the export).
    let ics = app.get_text(&format!("{EVENTS}.ics?kind=webinar&when=all")).await;
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && !ics.contains("secret-room"));
    let events = ical::parse(&ics).unwrap();
    assert_eq!(events.len(), 2, "{ics}");
    let by_title = |t: &str| events.iter().find(|e| ical::value(e, "SUMMARY") == Some(t)).unwrap();
    let (b, a) = (by_title("Before"), by_title("After the change"));
    assert_eq!(ical::value(b, "DTSTART"), Some("20300330T090000Z"));
    // 10:00 CET (UTC+1) on 30 March, 10:00 CEST (UTC+2) on 1 April.
    assert_eq!(ical::parse_utc(ical::value(b, "DTSTART").unwrap()).unwrap().to_rfc3339(), "2030-03-30T09:00:00+00:00");
    assert_eq!(ical::parse_utc(ical::value(a, "DTSTART").unwrap()).unwrap().to_rfc3339(), "2030-04-01T08:00:00+00:00");
    assert_eq!((ical::value(b, "SEQUENCE"), ical::value(a, "SEQUENCE")), (Some("0"), Some("2")));
    assert_eq!((ical::value(b, "STATUS"), ical::value(a, "STATUS")), (Some("CONFIRMED"), Some("CANCELLED")));
    assert_eq!(ical::value(a, "UID").unwrap(), format!("{}@urbis", after["id"].as_str().unwrap()));
    let one = app.get_text(&format!("/api/v1/events/{}/calendar.ics", before["id"].as_str().unwrap())).await;
    assert_eq!(ical::parse(&one).unwrap().len(), 1);
    // The same list as JSON and CSV, with its filters.
    let list = app.get_json(&format!("{EVENTS}?kind=webinar&when=all")).await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["local_starts_at"], "2030-03-30T10:00");
    let csv = app.get_text(&format!("{EVENTS}.csv?kind=workshop")).await;
    assert_eq!(csv.lines().count(), 2, "{csv}");
    let r = app.client().get(app.url(&format!("{EVENTS}?when=someday"))).send().await.unwrap();
    assert_eq!(r.status(), 400);
    // A session of the agenda, within the event.
    let path = format!("/api/v1/events/{}/sessions", before["id"].as_str().unwrap());
    let s = json!({"title": "Welcome", "starts_at": "2030-03-30T10:00", "ends_at": "2030-03-30T10:15", "room": "Main"});
    app.created(&pm, &path, &s).await;
    let r = app
        .post_json(
            &pm,
            &path,
            &json!({"title": "Late", "starts_at": "2030-03-30T12:00", "ends_at": "2030-03-30T13:00"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.get_json(&path).await.as_array().unwrap().len(), 1);
});

on_both!(event_pages_work_without_javascript, |app: TestApp| async move {
    let pm = app.token_as("pm@example.org", Role::ProgrammeManager, "riga").await;
    let created = app.created(&pm, EVENTS, &event("Cohort webinar", "webinar", "2030-06-04", Some(1))).await;
    let id = created["id"].as_str().unwrap();
    let anon = app.browser();
    let list = app.page(&anon, "/programmes/digital-innovation-initiative/events").await;
    assert!(list.contains("Cohort webinar"));
    let page = app.page(&anon, &format!("/events/{id}")).await;
    assert!(
        page.contains("application/ld+json") && page.contains("\"@type\":\"Event\"") && !page.contains("secret-room")
    );
    // Two people register through the form: a place, then the waiting list with its position.
    let first = app.signed_in_as("one@riga.example", Role::CityMember, "riga").await;
    let csrf = app.csrf(&first, &format!("/events/{id}")).await;
    let r = app.post_form(&first, &format!("/events/{id}/register"), &csrf, &[]).await;
    assert_eq!(r.status(), 303);
    assert!(app.page(&first, &format!("/events/{id}")).await.contains("secret-room"));
    let second = app.signed_in_as("two@riga.example", Role::CityMember, "riga").await;
    let csrf = app.csrf(&second, &format!("/events/{id}")).await;
    assert_eq!(app.post_form(&second, &format!("/events/{id}/register"), &csrf, &[]).await.status(), 303);
    let page = app.page(&second, &format!("/events/{id}")).await;
    assert!(page.contains("position 1") && !page.contains("secret-room"), "{page}");
    // The manager's form shows an error summary naming the field.
    let manager = app.signed_in("pm@example.org").await;
    let r = app
        .submit_form(
            &manager,
            "/programmes/digital-innovation-initiative/events/new",
            &[
                ("title", "X"),
                ("kind", "webinar"),
                ("attendance_mode", "online"),
                ("time_zone", "Europe/Berlin"),
                ("starts_at", "2030-03-31T02:30"),
                ("ends_at", "2030-03-31T04:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("error-summary") && html.contains("href=\"#field-starts_at\""), "{html}");
    // Cancelling asks first.
    let confirm = app.page(&manager, &format!("/events/{id}/status?to=cancelled")).await;
    assert!(confirm.contains("cannot be undone"));
});
