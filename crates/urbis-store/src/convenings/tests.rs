//! Store tests of convenings, on SQLite and PostgreSQL: no overbooking under concurrent
//! registrations, the waiting list, offers (accept once, expiry), cancelling an event.

use super::*;
use crate::network::{Mail, NewPerson};
use crate::testing::TestDb;
use crate::tests::fixtures::{admin, programme_id, riga};
use crate::{Page, StoreError, both_backends, now};
use chrono::{Duration, Utc};
use urbis_domain::convenings::{EventInput, EventStatus, RawEvent, RegistrationState};
use uuid::Uuid;

/// An event in Lisbon in a year's time with `capacity` places.
pub(crate) fn event_input(capacity: &str) -> EventInput {
    let day = (Utc::now() + Duration::days(365)).format("%Y-%m-%d");
    EventInput::parse(&RawEvent {
        title: "Cohort meeting".into(),
        kind: "cohort-meeting".into(),
        attendance_mode: "mixed".into(),
        venue_name: "Câmara Municipal".into(),
        join_url: "https://meet.example.org/abc".into(),
        time_zone: "Europe/Lisbon".into(),
        starts_at: format!("{day}T09:00"),
        ends_at: format!("{day}T17:00"),
        capacity: capacity.into(),
        ..RawEvent::default()
    })
    .unwrap()
}

async fn people(db: &TestDb, n: usize) -> Vec<Uuid> {
    let mut out = vec![];
    for i in 0..n {
        let new = NewPerson {
            email: format!("p{i}@example.org"),
            name: format!("Person {i}"),
            job_title: String::new(),
            password_hash: None,
            listed: false,
            locale: "en".into(),
        };
        out.push(db.store.create_person(None, new, &[]).await.unwrap().id);
    }
    out
}

fn mailer(n: Notice<'_>) -> Option<Mail> {
    Some(match n {
        Notice::Offer { token, name, .. } => Mail {
            kind: "event-offer",
            subject: format!("A place for {name}"),
            body: format!("Accept: https://x/offers/{token}"),
            link: format!("https://x/offers/{token}"),
        },
        Notice::Cancelled { event, .. } => Mail {
            kind: "event-cancelled",
            subject: format!("{} is cancelled", event.title),
            body: "Cancelled.".into(),
            link: String::new(),
        },
    })
}

both_backends!(concurrent_registrations_never_overbook, true, |db: TestDb| async move {
    let me = admin(&db).await;
    let ev = db.store.create_event(Some(me), programme_id(&db).await, &event_input("5"), false).await.unwrap();
    let who = people(&db, 20).await;
    let mut tasks = vec![];
    for p in who {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move { store.register(p, None, ev.id, now(), &no_notices).await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let regs = db.store.event_registrations(ev.id, Page::new(1, 100)).await.unwrap();
    let places = regs.items.iter().filter(|r| r.state == RegistrationState::Confirmed).count();
    let mut positions: Vec<i64> = regs.items.iter().filter_map(|r| r.position).collect();
    let mut queue: Vec<i64> = regs.items.iter().filter_map(|r| r.queue_number).collect();
    positions.sort();
    queue.sort();
    assert_eq!((places, positions.len()), (5, 15));
    assert_eq!(positions, (1..=15).collect::<Vec<_>>());
    assert_eq!(queue, (1..=15).collect::<Vec<_>>());
    let e = db.store.event(ev.id).await.unwrap();
    assert_eq!((e.places_held, e.waiting), (5, 15));
});

both_backends!(cancellation_offers_the_place_and_offers_expire, true, |db: TestDb| async move {
    let me = admin(&db).await;
    let s = &db.store;
    let ev = s.create_event(Some(me), programme_id(&db).await, &event_input("1"), false).await.unwrap();
    let p = people(&db, 3).await;
    let a = s.register(p[0], None, ev.id, now(), &mailer).await.unwrap();
    let b = s.register(p[1], None, ev.id, now(), &mailer).await.unwrap();
    let c = s.register(p[2], None, ev.id, now(), &mailer).await.unwrap();
    assert_eq!((a.state, b.position, c.position), (RegistrationState::Confirmed, Some(1), Some(2)));
    assert!(matches!(
        s.register(p[0], None, ev.id, now(), &mailer).await,
        Err(StoreError::Refused { code: "already-registered", .. })
    ));
    // A cancels: B is offered the place for 48 hours, by e-mail with a link.
    s.cancel_registration(p[0], a.id, Some(a.version), now(), &mailer).await.unwrap();
    let b = s.registration(b.id).await.unwrap();
    assert_eq!(b.state, RegistrationState::Offered);
    let expires = b.offer_expires_at.unwrap();
    assert!((expires - now() - Duration::hours(48)).num_seconds().abs() < 60);
    let mail = s.queued_mail("p1@example.org").await.unwrap();
    assert_eq!(mail.len(), 1);
    let token = mail[0].2.rsplit('/').next().unwrap().to_string();
    let (offer, reg) = s.offer_by_token(&token).await.unwrap();
    assert_eq!(reg.id, b.id);
    // Nobody else gets the offered place; C is still first waiting.
    assert_eq!(s.registration(c.id).await.unwrap().position, Some(1));
    // B lets it expire: read after the expiry, the offer lapses and C is offered the place.
    let later = now() + Duration::hours(49);
    assert!(matches!(
        s.accept_offer(p[1], offer, later, &mailer).await,
        Err(StoreError::Refused { code: "offer-expired", .. })
    ));
    assert_eq!(s.registration(b.id).await.unwrap().state, RegistrationState::Lapsed);
    assert_eq!(s.registration(c.id).await.unwrap().state, RegistrationState::Offered);
    // C accepts once; a second use of the link is refused.
    let token_c = s.queued_mail("p2@example.org").await.unwrap()[0].2.rsplit('/').next().unwrap().to_string();
    let (offer_c, _) = s.offer_by_token(&token_c).await.unwrap();
    let c2 = s.accept_offer(p[2], offer_c, later, &mailer).await.unwrap();
    assert_eq!(c2.state, RegistrationState::Confirmed);
    assert!(matches!(
        s.accept_offer(p[2], offer_c, later, &mailer).await,
        Err(StoreError::Refused { code: "offer-used", .. })
    ));
    let e = s.event(ev.id).await.unwrap();
    assert_eq!((e.places_held, e.waiting), (1, 0));
});

both_backends!(sweeping_expired_offers_and_cancelling_events, true, |db: TestDb| async move {
    let me = admin(&db).await;
    let s = &db.store;
    let riga = riga(&db).await.id;
    let mut input = event_input("2");
    input.organisation_quota = Some(1);
    let ev = s.create_event(Some(me), programme_id(&db).await, &input, false).await.unwrap();
    let p = people(&db, 3).await;
    let a = s.register(p[0], Some(riga), ev.id, now(), &mailer).await.unwrap();
    let b = s.register(p[1], Some(riga), ev.id, now(), &mailer).await.unwrap();
    let c = s.register(p[2], None, ev.id, now(), &mailer).await.unwrap();
    // Riga is at its quota: B waits, C (no city) takes the second place.
    assert_eq!(
        (a.state, b.state, c.state),
        (RegistrationState::Confirmed, RegistrationState::Waiting, RegistrationState::Confirmed)
    );
    s.cancel_registration(p[0], a.id, None, now(), &mailer).await.unwrap();
    assert_eq!(s.registration(b.id).await.unwrap().state, RegistrationState::Offered);
    assert_eq!(s.sweep_offers(now(), &mailer).await.unwrap(), 0);
    assert_eq!(s.sweep_offers(now() + Duration::hours(48), &mailer).await.unwrap(), 1);
    assert_eq!(s.registration(b.id).await.unwrap().state, RegistrationState::Lapsed);
    // Cancelling the event cancels every registration and tells each person.
    let ev = s.event(ev.id).await.unwrap();
    let stale = s.set_event_status(me, ev.id, ev.version - 1, EventStatus::Cancelled, &mailer).await;
    assert!(matches!(stale, Err(StoreError::Conflict { .. })));
    let done = s.set_event_status(me, ev.id, ev.version, EventStatus::Cancelled, &mailer).await.unwrap();
    assert_eq!((done.status, done.places_held, done.version), (EventStatus::Cancelled, 0, ev.version + 1));
    assert_eq!(s.registration(c.id).await.unwrap().state, RegistrationState::Cancelled);
    let mail = s.queued_mail("p2@example.org").await.unwrap();
    assert!(mail.iter().any(|m| m.1.contains("is cancelled")), "{mail:?}");
    assert!(matches!(
        s.register(p[0], None, ev.id, now(), &mailer).await,
        Err(StoreError::Refused { code: "registration-closed", .. })
    ));
    assert!(matches!(
        s.set_event_status(me, ev.id, done.version, EventStatus::Scheduled, &mailer).await,
        Err(StoreError::Refused { code: "status-change", .. })
    ));
});
