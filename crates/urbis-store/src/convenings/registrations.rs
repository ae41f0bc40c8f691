//! Registrations, the waiting list and offers of freed places. Every write locks the event's row
//! first, so the rules of `urbis_domain::convenings::registration` are applied to what is stored,
//! one writer at a time: concurrent registrations cannot overbook.

use super::events::Event;
use crate::audit::{commit_change, commit_created, record as audit};
use crate::auth::{hash_token, new_token};
use crate::network::Mail;
use crate::network::outbox::{Secret, enqueue_mail_in};
use crate::query::{all, by_id, insert, insert_record, optional, select};
use crate::row::{Record, RowExt, record};
use crate::value::Fields;
use crate::{Page, Paged, Result, Store, StoreError, WriteTx, now, ts};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use urbis_domain::convenings::{Admission, EventStatus, Holder, RegistrationState, admit, offers_to_make};
use uuid::Uuid;

record! {
    /// A person's registration for an event, with their position while waiting and the expiry of
    /// the offer they hold.
    #[derive(Debug, Clone, Serialize)]
    pub struct Registration {
        pub id: Uuid,
        pub event_id: Uuid,
        pub person_id: Uuid,
        pub person_name: String,
        pub organisation_id: Option<Uuid>,
        pub state: RegistrationState,
        pub queue_number: Option<i64>,
        pub position: Option<i64>,
        pub offer_expires_at: Option<DateTime<Utc>>,
        pub version: i64,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

impl Record for Registration {
    const TABLE: &'static str = "convening_registrations";
    const COLUMNS: &'static str = "r.*, pe.name AS person_name, \
         CASE WHEN r.state = 'waiting' THEN (SELECT COUNT(*) FROM convening_registrations w \
            WHERE w.event_id = r.event_id AND w.state = 'waiting' AND w.queue_number <= r.queue_number) END AS position, \
         (SELECT MAX(o.expires_at) FROM convening_offers o WHERE o.registration_id = r.id \
            AND o.accepted_at IS NULL AND o.lapsed_at IS NULL) AS offer_expires_at";
    const FROM: &'static str = "convening_registrations r JOIN people pe ON pe.id = r.person_id";
    const ID: &'static str = "r.id";
}

impl crate::row::Versioned for Registration {
    fn version(&self) -> i64 {
        self.version
    }
}

record! {
    /// One of a person's registrations with its event (for "my events").
    #[derive(Debug, Clone, Serialize)]
    pub struct MyRegistration {
        #[serde(flatten)]
        pub registration: Registration,
        pub event_title: String,
        pub event_starts_at: DateTime<Utc>,
        pub event_ends_at: DateTime<Utc>,
        pub event_time_zone: String,
        pub event_status: EventStatus,
    }
}

/// What a person is told by e-mail about their registration.
#[derive(Debug, Clone, Copy)]
pub enum Notice<'a> {
    /// A freed place is theirs if they accept it through the link holding `token` by `expires_at`.
    Offer {
        email: &'a str,
        name: &'a str,
        locale: &'a str,
        event: &'a Event,
        token: &'a str,
        expires_at: DateTime<Utc>,
    },
    /// The event was cancelled.
    Cancelled { email: &'a str, name: &'a str, locale: &'a str, event: &'a Event },
}

/// Writes the e-mail of a notice (`None`: send nothing).
pub type Notices<'a> = &'a (dyn Fn(Notice<'_>) -> Option<Mail> + Send + Sync);

/// Send nothing (tests, the demo).
pub fn no_notices(_: Notice<'_>) -> Option<Mail> {
    None
}

/// Lock the event's row for the rest of the transaction (PostgreSQL: a row lock that the next
/// registration of the same event waits for; SQLite: the write transaction already holds the lock).
pub(crate) async fn lock_event(tx: &mut WriteTx, id: Uuid) -> Result<()> {
    let n = sqlx::query("UPDATE convening_events SET lock_seq = lock_seq + 1 WHERE id = $1")
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// The current registrations (holding a place or waiting) of an event, as the rules see them.
async fn holders_in(tx: &mut WriteTx, event_id: Uuid) -> Result<Vec<Holder>> {
    let rows = sqlx::query(
        "SELECT id, organisation_id, state, queue_number FROM convening_registrations \
         WHERE event_id = $1 AND state IN ('confirmed', 'offered', 'waiting')",
    )
    .bind(event_id.to_string())
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Holder {
                id: r.uuid("id")?,
                organisation: r.opt_uuid("organisation_id")?,
                state: r.parsed("state", RegistrationState::parse)?,
                queue: r.opt_int("queue_number")?,
            })
        })
        .collect()
}

/// Move a registration to `state` (and its next version).
async fn set_state(tx: &mut WriteTx, id: Uuid, state: RegistrationState) -> Result<()> {
    sqlx::query("UPDATE convening_registrations SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3")
        .bind(state.as_str())
        .bind(ts(now()))
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Who a registration belongs to: e-mail, name, language.
async fn recipient(tx: &mut WriteTx, registration: Uuid) -> Result<(String, String, String)> {
    let r = sqlx::query(
        "SELECT pe.email, pe.name, pe.locale FROM convening_registrations r JOIN people pe ON pe.id = r.person_id \
         WHERE r.id = $1",
    )
    .bind(registration.to_string())
    .fetch_one(&mut **tx)
    .await?;
    Ok((r.text("email")?, r.text("name")?, r.text("locale")?))
}

/// Lapse the offers of an event that expired by `at`; returns how many.
async fn lapse_expired_in(tx: &mut WriteTx, event_id: Uuid, at: DateTime<Utc>) -> Result<u64> {
    let rows = sqlx::query(
        "SELECT o.id, o.registration_id FROM convening_offers o JOIN convening_registrations r ON r.id = o.registration_id \
         WHERE r.event_id = $1 AND r.state = 'offered' AND o.accepted_at IS NULL AND o.lapsed_at IS NULL \
         AND o.expires_at <= $2",
    )
    .bind(event_id.to_string())
    .bind(ts(at))
    .fetch_all(&mut **tx)
    .await?;
    for r in &rows {
        let (offer, reg) = (r.uuid("id")?, r.uuid("registration_id")?);
        sqlx::query("UPDATE convening_offers SET lapsed_at = $1 WHERE id = $2")
            .bind(ts(at))
            .bind(offer.to_string())
            .execute(&mut **tx)
            .await?;
        set_state(tx, reg, RegistrationState::Lapsed).await?;
        audit::<(), _>(tx, None, "registration.lapse", "registration", &reg.to_string(), None, Some(&offer)).await?;
    }
    Ok(rows.len() as u64)
}

/// Offer the free places of `event` to the people waiting for them (see `offers_to_make`), each
/// with a link valid for the event's offer time, and queue their e-mails.
pub(crate) async fn fill_in(
    tx: &mut WriteTx,
    store: &Store,
    event: &Event,
    at: DateTime<Utc>,
    notices: Notices<'_>,
) -> Result<()> {
    if !event.status.takes_registrations() {
        return Ok(());
    }
    let holders = holders_in(tx, event.id).await?;
    for reg in offers_to_make(event.limits(), &holders) {
        set_state(tx, reg, RegistrationState::Offered).await?;
        let token = new_token();
        let expires_at = at + Duration::hours(event.offer_hours);
        let fields = Fields::new()
            .set("id", Uuid::now_v7())
            .set("registration_id", reg)
            .set("token_hash", hash_token(&token))
            .set("created_at", at)
            .set("expires_at", expires_at);
        insert(tx, "convening_offers", fields, "").await?;
        audit::<(), _>(tx, None, "registration.offer", "registration", &reg.to_string(), None, Some(&expires_at))
            .await?;
        let (email, name, locale) = recipient(tx, reg).await?;
        let notice = Notice::Offer { email: &email, name: &name, locale: &locale, event, token: &token, expires_at };
        if let Some(m) = notices(notice) {
            let secret = Secret { link: &m.link, expires_at };
            enqueue_mail_in(tx, store, m.kind, &email, &m.subject, &m.body, Some(secret)).await?;
        }
    }
    Ok(())
}

/// Cancel every current registration of a cancelled event and tell each person.
pub(crate) async fn cancel_all_in(tx: &mut WriteTx, store: &Store, event: &Event, notices: Notices<'_>) -> Result<()> {
    let holders = holders_in(tx, event.id).await?;
    sqlx::query(
        "UPDATE convening_offers SET lapsed_at = $1 WHERE accepted_at IS NULL AND lapsed_at IS NULL AND registration_id IN \
         (SELECT id FROM convening_registrations WHERE event_id = $2)",
    )
    .bind(ts(now()))
    .bind(event.id.to_string())
    .execute(&mut **tx)
    .await?;
    for h in holders {
        set_state(tx, h.id, RegistrationState::Cancelled).await?;
        let (email, name, locale) = recipient(tx, h.id).await?;
        if let Some(m) = notices(Notice::Cancelled { email: &email, name: &name, locale: &locale, event }) {
            enqueue_mail_in(tx, store, m.kind, &email, &m.subject, &m.body, None).await?;
        }
    }
    Ok(())
}

impl Store {
    /// Register `person` (of `organisation`, for the quota) for an event at `at`: a place or the
    /// waiting list, decided and written in one transaction on the locked event.
    pub async fn register(
        &self,
        person: Uuid,
        organisation: Option<Uuid>,
        event_id: Uuid,
        at: DateTime<Utc>,
        notices: Notices<'_>,
    ) -> Result<Registration> {
        let mut tx = self.begin_write().await?;
        lock_event(&mut tx, event_id).await?;
        let event: Event = by_id(&mut *tx, event_id).await?;
        if !event.status.takes_registrations() {
            return Err(StoreError::refused(
                "event",
                "registration-closed",
                format!("registration is closed: the event is {}", event.status),
            ));
        }
        if event.registration_opens_at.is_some_and(|o| at < o) {
            return Err(StoreError::refused("event", "registration-not-open", "registration has not opened yet"));
        }
        if at >= event.registration_closes_at.unwrap_or(event.starts_at) {
            return Err(StoreError::refused("event", "registration-closed", "registration has closed"));
        }
        if lapse_expired_in(&mut tx, event_id, at).await? > 0 {
            fill_in(&mut tx, self, &event, at, notices).await?;
        }
        let holders = holders_in(&mut tx, event_id).await?;
        let mine: Option<Registration> = optional(
            &mut *tx,
            select::<Registration>(
                "WHERE r.event_id = $1 AND r.person_id = $2 AND r.state IN ('confirmed', 'offered', 'waiting')",
            ),
            (event_id, person),
        )
        .await?;
        if mine.is_some() {
            return Err(StoreError::refused(
                "event",
                "already-registered",
                "you are already registered for this event",
            ));
        }
        let (state, queue) = match admit(event.limits(), &holders, organisation) {
            Admission::Place => (RegistrationState::Confirmed, None),
            // Queue numbers are never reused: one more than any given for this event.
            Admission::Wait { .. } => {
                let last: Option<i64> =
                    sqlx::query_scalar("SELECT MAX(queue_number) FROM convening_registrations WHERE event_id = $1")
                        .bind(event_id.to_string())
                        .fetch_one(&mut *tx)
                        .await?;
                (RegistrationState::Waiting, Some(last.unwrap_or(0) + 1))
            }
        };
        let at_s = now();
        let fields = Fields::new()
            .set("event_id", event_id)
            .set("person_id", person)
            .set("organisation_id", organisation)
            .set("state", state)
            .set("queue_number", queue)
            .set("version", 1_i64)
            .set("created_at", at_s)
            .set("updated_at", at_s);
        let after: Registration = insert_record(&mut tx, fields).await?;
        commit_created(tx, Some(person), "registration.create", "registration", after.id, after).await
    }

    pub async fn registration(&self, id: Uuid) -> Result<Registration> {
        by_id(&self.pool, id).await
    }

    /// The person's current registration for an event, if any.
    pub async fn registration_of(&self, event_id: Uuid, person: Uuid) -> Result<Option<Registration>> {
        let sql = select::<Registration>(
            "WHERE r.event_id = $1 AND r.person_id = $2 AND r.state IN ('confirmed', 'offered', 'waiting')",
        );
        optional(&self.pool, sql, (event_id, person)).await
    }

    /// An event's current registrations: places first, then the waiting list in order.
    pub async fn event_registrations(&self, event_id: Uuid, page: Page) -> Result<Paged<Registration>> {
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM convening_registrations WHERE event_id = $1 AND state IN ('confirmed', 'offered', 'waiting')",
        )
        .bind(event_id.to_string())
        .fetch_one(&self.pool)
        .await?;
        let sql = select::<Registration>(
            "WHERE r.event_id = $1 AND r.state IN ('confirmed', 'offered', 'waiting') \
             ORDER BY CASE WHEN r.state = 'waiting' THEN 1 ELSE 0 END, r.queue_number, r.created_at, r.id \
             LIMIT $2 OFFSET $3",
        );
        Ok(page.of(all(&self.pool, sql, (event_id, page.limit(), page.offset())).await?, total))
    }

    /// A person's registrations (current and past), newest event first.
    pub async fn my_registrations(&self, person: Uuid, page: Page) -> Result<Paged<MyRegistration>> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM convening_registrations WHERE person_id = $1")
            .bind(person.to_string())
            .fetch_one(&self.pool)
            .await?;
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {}, e.title AS event_title, e.starts_at AS event_starts_at, e.ends_at AS event_ends_at, \
             e.time_zone AS event_time_zone, e.status AS event_status FROM {} \
             JOIN convening_events e ON e.id = r.event_id WHERE r.person_id = $1 \
             ORDER BY e.starts_at DESC, r.id DESC LIMIT $2 OFFSET $3",
            Registration::COLUMNS,
            Registration::FROM
        ));
        Ok(page.of(all(&self.pool, sql, (person, page.limit(), page.offset())).await?, total))
    }

    /// Cancel a registration (if still at `expected`, when given). A place it held is offered to
    /// the people waiting, in the same transaction.
    pub async fn cancel_registration(
        &self,
        actor: Uuid,
        id: Uuid,
        expected: Option<i64>,
        at: DateTime<Utc>,
        notices: Notices<'_>,
    ) -> Result<Registration> {
        let mut tx = self.begin_write().await?;
        let before: Registration = by_id(&mut *tx, id).await?;
        lock_event(&mut tx, before.event_id).await?;
        let before: Registration = by_id(&mut *tx, id).await?;
        if let Some(v) = expected {
            crate::check_version(v, before.version)?;
        }
        if !before.state.is_active() {
            return Err(StoreError::refused("registration", "not-registered", "this registration is already over"));
        }
        let event: Event = by_id(&mut *tx, before.event_id).await?;
        sqlx::query(
            "UPDATE convening_offers SET lapsed_at = $1 WHERE registration_id = $2 AND accepted_at IS NULL AND lapsed_at IS NULL",
        )
        .bind(ts(at))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        set_state(&mut tx, id, RegistrationState::Cancelled).await?;
        lapse_expired_in(&mut tx, event.id, at).await?;
        fill_in(&mut tx, self, &event, at, notices).await?;
        let after: Registration = by_id(&mut *tx, id).await?;
        commit_change(tx, Some(actor), "registration.cancel", "registration", id, &before, after).await
    }

    /// The registration an offer's link (`token`) is for, with the offer's id.
    pub async fn offer_by_token(&self, token: &str) -> Result<(Uuid, Registration)> {
        let r = sqlx::query("SELECT id, registration_id FROM convening_offers WHERE token_hash = $1")
            .bind(hash_token(token))
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let reg = self.registration(r.uuid("registration_id")?).await?;
        Ok((r.uuid("id")?, reg))
    }

    /// Accept an offer at `at`: once, before it expires. An expired offer lapses (and its place is
    /// offered to the next person) and is refused.
    pub async fn accept_offer(
        &self,
        actor: Uuid,
        offer: Uuid,
        at: DateTime<Utc>,
        notices: Notices<'_>,
    ) -> Result<Registration> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query("SELECT registration_id FROM convening_offers WHERE id = $1")
            .bind(offer.to_string())
            .fetch_one(&mut *tx)
            .await?;
        let reg_id = r.uuid("registration_id")?;
        let first: Registration = by_id(&mut *tx, reg_id).await?;
        lock_event(&mut tx, first.event_id).await?;
        let o = sqlx::query("SELECT expires_at, accepted_at, lapsed_at FROM convening_offers WHERE id = $1")
            .bind(offer.to_string())
            .fetch_one(&mut *tx)
            .await?;
        if o.opt_ts("accepted_at")?.is_some() {
            return Err(StoreError::refused("offer", "offer-used", "this offer was accepted already"));
        }
        if o.opt_ts("lapsed_at")?.is_some() {
            return Err(StoreError::refused("offer", "offer-expired", "this offer has expired"));
        }
        if o.ts("expires_at")? <= at {
            let event: Event = by_id(&mut *tx, first.event_id).await?;
            lapse_expired_in(&mut tx, event.id, at).await?;
            fill_in(&mut tx, self, &event, at, notices).await?;
            tx.commit().await?;
            return Err(StoreError::refused("offer", "offer-expired", "this offer has expired"));
        }
        let before: Registration = by_id(&mut *tx, reg_id).await?;
        sqlx::query("UPDATE convening_offers SET accepted_at = $1 WHERE id = $2 AND accepted_at IS NULL")
            .bind(ts(at))
            .bind(offer.to_string())
            .execute(&mut *tx)
            .await?;
        set_state(&mut tx, reg_id, RegistrationState::Confirmed).await?;
        let after: Registration = by_id(&mut *tx, reg_id).await?;
        commit_change(tx, Some(actor), "registration.accept", "registration", reg_id, &before, after).await
    }

    /// Apply the offers of an event that expired by `at` (lapse them, offer the places again):
    /// what every read of an event's registrations does first, so that no job is needed.
    pub async fn settle_event(&self, event_id: Uuid, at: DateTime<Utc>, notices: Notices<'_>) -> Result<u64> {
        let due: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM convening_offers o JOIN convening_registrations r ON r.id = o.registration_id \
             WHERE r.event_id = $1 AND r.state = 'offered' AND o.accepted_at IS NULL AND o.lapsed_at IS NULL \
             AND o.expires_at <= $2",
        )
        .bind(event_id.to_string())
        .bind(ts(at))
        .fetch_one(&self.pool)
        .await?;
        if due == 0 {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        lock_event(&mut tx, event_id).await?;
        let event: Event = by_id(&mut *tx, event_id).await?;
        let n = lapse_expired_in(&mut tx, event_id, at).await?;
        fill_in(&mut tx, self, &event, at, notices).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Settle every event with offers expired by `at` (the periodic sweep); returns how many
    /// offers lapsed.
    pub async fn sweep_offers(&self, at: DateTime<Utc>, notices: Notices<'_>) -> Result<u64> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT r.event_id FROM convening_offers o JOIN convening_registrations r ON r.id = o.registration_id \
             WHERE r.state = 'offered' AND o.accepted_at IS NULL AND o.lapsed_at IS NULL AND o.expires_at <= $1",
        )
        .bind(ts(at))
        .fetch_all(&self.pool)
        .await?;
        let mut n = 0;
        for id in ids {
            n += self.settle_event(crate::row::parse_uuid(&id)?, at, notices).await?;
        }
        Ok(n)
    }
}
