//! Events and the sessions of their agendas.

use super::registrations::{Notices, cancel_all_in, fill_in, lock_event};
use crate::audit::{commit_change, commit_created};
use crate::query::{all, by_id, insert_versioned, select, update_versioned};
use crate::row::{Record, record};
use crate::value::{ToFields, stored_fields};
use crate::{Page, Paged, Result, Store, StoreError, now};
use chrono::{DateTime, Utc};
use serde::Serialize;
use urbis_domain::convenings::{AttendanceMode, EventInput, EventKind, EventStatus, SessionInput};
use uuid::Uuid;

record! {
    /// An event as stored, with its programme and the places held and people waiting now.
    #[derive(Debug, Clone, Serialize)]
    pub struct Event {
        pub id: Uuid,
        pub programme_id: Uuid,
        pub programme_slug: String,
        pub programme_name: String,
        pub title: String,
        pub description: String,
        pub kind: EventKind,
        pub attendance_mode: AttendanceMode,
        pub venue_name: String,
        pub venue_address: String,
        pub latitude: Option<f64>,
        pub longitude: Option<f64>,
        pub join_url: String,
        pub time_zone: String,
        pub starts_at: DateTime<Utc>,
        pub ends_at: DateTime<Utc>,
        pub capacity: Option<i64>,
        pub organisation_quota: Option<i64>,
        pub registration_opens_at: Option<DateTime<Utc>>,
        pub registration_closes_at: Option<DateTime<Utc>>,
        pub offer_hours: i64,
        pub status: EventStatus,
        pub is_sample: bool,
        pub places_held: i64,
        pub waiting: i64,
        pub version: i64,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

impl Record for Event {
    const TABLE: &'static str = "convening_events";
    const COLUMNS: &'static str = "e.*, p.slug AS programme_slug, p.name AS programme_name, \
         (SELECT COUNT(*) FROM convening_registrations r WHERE r.event_id = e.id \
            AND r.state IN ('confirmed', 'offered')) AS places_held, \
         (SELECT COUNT(*) FROM convening_registrations r WHERE r.event_id = e.id AND r.state = 'waiting') AS waiting";
    const FROM: &'static str = "convening_events e JOIN programmes p ON p.id = e.programme_id";
    const ID: &'static str = "e.id";
}

impl Event {
    /// The event as checked input (to be changed field by field).
    pub fn input(&self) -> EventInput {
        EventInput {
            title: self.title.clone(),
            description: self.description.clone(),
            kind: self.kind,
            attendance_mode: self.attendance_mode,
            venue_name: self.venue_name.clone(),
            venue_address: self.venue_address.clone(),
            latitude: self.latitude,
            longitude: self.longitude,
            join_url: self.join_url.clone(),
            time_zone: self.time_zone.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            capacity: self.capacity,
            organisation_quota: self.organisation_quota,
            registration_opens_at: self.registration_opens_at,
            registration_closes_at: self.registration_closes_at,
            offer_hours: self.offer_hours,
        }
    }

    /// The event's limits for the registration rules.
    pub fn limits(&self) -> urbis_domain::convenings::Limits {
        urbis_domain::convenings::Limits { capacity: self.capacity, quota: self.organisation_quota }
    }

    /// Free places now (`None`: unlimited).
    pub fn free_places(&self) -> Option<i64> {
        self.capacity.map(|c| (c - self.places_held).max(0))
    }
}

stored_fields!(EventInput {
    title,
    description,
    kind,
    attendance_mode,
    venue_name,
    venue_address,
    latitude,
    longitude,
    join_url,
    time_zone,
    starts_at,
    ends_at,
    capacity,
    organisation_quota,
    registration_opens_at,
    registration_closes_at,
    offer_hours,
});

record! {
    /// A session of an event's agenda.
    #[derive(Debug, Clone, Serialize)]
    pub struct Session in "convening_sessions" {
        pub id: Uuid,
        pub event_id: Uuid,
        pub title: String,
        pub starts_at: DateTime<Utc>,
        pub ends_at: DateTime<Utc>,
        pub room: String,
        pub speakers: String,
        pub material_url: String,
        pub version: i64,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

stored_fields!(SessionInput { title, starts_at, ends_at, room, speakers, material_url });

/// Which of a programme's events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub kind: Option<EventKind>,
    pub attendance_mode: Option<AttendanceMode>,
    pub status: Option<EventStatus>,
    /// `Some(true)`: upcoming (not ended at `at`), soonest first; `Some(false)`: past, latest first;
    /// `None`: all, by start.
    pub upcoming: Option<bool>,
    pub at: Option<DateTime<Utc>>,
}

impl crate::row::Versioned for Event {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Store {
    /// Add an event to a programme.
    pub async fn create_event(
        &self,
        actor: Option<Uuid>,
        programme_id: Uuid,
        input: &EventInput,
        is_sample: bool,
    ) -> Result<Event> {
        let mut tx = self.begin_write().await?;
        let fields =
            input.fields().set("programme_id", programme_id).set("created_by", actor).set("is_sample", is_sample);
        let after: Event = insert_versioned(&mut tx, fields).await?;
        commit_created(tx, actor, "event.create", "event", after.id, after).await
    }

    pub async fn event(&self, id: Uuid) -> Result<Event> {
        by_id(&self.pool, id).await
    }

    /// Change an event if it is still at `expected`; a larger capacity or quota offers the places
    /// it frees to the people waiting (in the same transaction).
    pub async fn update_event(
        &self,
        actor: Uuid,
        id: Uuid,
        expected: i64,
        input: &EventInput,
        notices: Notices<'_>,
    ) -> Result<Event> {
        let (mut tx, before) = self.begin_change::<Event>(id, expected).await?;
        if matches!(before.status, EventStatus::Cancelled | EventStatus::Held) {
            return Err(StoreError::refused("status", "event-closed", "a cancelled or held event cannot be changed"));
        }
        lock_event(&mut tx, id).await?;
        let mid: Event = update_versioned(&mut tx, id, expected, input.fields()).await?;
        fill_in(&mut tx, self, &mid, now(), notices).await?;
        let after = by_id(&mut *tx, id).await?;
        commit_change(tx, Some(actor), "event.update", "event", id, &before, after).await
    }

    /// Move an event to `status` (see `EventStatus::can_become`). Cancelling cancels every current
    /// registration and tells each person, in the same transaction.
    pub async fn set_event_status(
        &self,
        actor: Uuid,
        id: Uuid,
        expected: i64,
        status: EventStatus,
        notices: Notices<'_>,
    ) -> Result<Event> {
        let (mut tx, before) = self.begin_change::<Event>(id, expected).await?;
        if !before.status.can_become(status) {
            return Err(StoreError::refused(
                "status",
                "status-change",
                format!("an event that is {} cannot become {}", before.status, status),
            ));
        }
        lock_event(&mut tx, id).await?;
        let mid: Event =
            update_versioned(&mut tx, id, expected, crate::value::Fields::new().set("status", status)).await?;
        if status == EventStatus::Cancelled {
            cancel_all_in(&mut tx, self, &mid, notices).await?;
        }
        let after = by_id(&mut *tx, id).await?;
        commit_change(tx, Some(actor), "event.status", "event", id, &before, after).await
    }

    /// A page of a programme's events, filtered.
    pub async fn programme_events(&self, programme_id: Uuid, f: &EventFilter, page: Page) -> Result<Paged<Event>> {
        let at = f.at.unwrap_or_else(now);
        let when = match f.upcoming {
            Some(true) => "up",
            Some(false) => "past",
            None => "",
        };
        let kind = f.kind.map(|k| k.as_str()).unwrap_or("");
        let mode = f.attendance_mode.map(|k| k.as_str()).unwrap_or("");
        let status = f.status.map(|k| k.as_str()).unwrap_or("");
        const WHERE: &str = "WHERE e.programme_id = $1 AND ($2 = '' OR e.kind = $2) AND ($3 = '' OR e.attendance_mode = $3) \
             AND ($4 = '' OR e.status = $4) AND ($5 = '' OR ($5 = 'up' AND e.ends_at > $6) OR ($5 = 'past' AND e.ends_at <= $6))";
        let total: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM convening_events e {WHERE}")))
                .bind(programme_id.to_string())
                .bind(kind)
                .bind(mode)
                .bind(status)
                .bind(when)
                .bind(crate::ts(at))
                .fetch_one(&self.pool)
                .await?;
        let order =
            if f.upcoming == Some(false) { "ORDER BY e.starts_at DESC, e.id" } else { "ORDER BY e.starts_at, e.id" };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM {} {WHERE} {order} LIMIT $7 OFFSET $8",
            Event::COLUMNS,
            Event::FROM
        ));
        let rows = sqlx::query(sql)
            .bind(programme_id.to_string())
            .bind(kind)
            .bind(mode)
            .bind(status)
            .bind(when)
            .bind(crate::ts(at))
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&self.pool)
            .await?;
        let items = rows.iter().map(<Event as crate::row::Decode>::decode).collect::<Result<Vec<_>>>()?;
        Ok(page.of(items, total))
    }

    /// Add a session to an event's agenda.
    pub async fn add_session(&self, actor: Uuid, event_id: Uuid, input: &SessionInput) -> Result<Session> {
        let mut tx = self.begin_write().await?;
        let after: Session = insert_versioned(&mut tx, input.fields().set("event_id", event_id)).await?;
        commit_created(tx, Some(actor), "event.session.create", "event_session", after.id, after).await
    }

    /// An event's agenda, in time order.
    pub async fn sessions(&self, event_id: Uuid) -> Result<Vec<Session>> {
        all(&self.pool, select::<Session>("WHERE event_id = $1 ORDER BY starts_at, id"), event_id).await
    }
}
