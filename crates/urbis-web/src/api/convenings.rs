//! The `convenings` capability: a programme's events (public, also as CSV and iCalendar), their
//! agendas, registration for oneself with a waiting list, and offers of freed places.

use crate::api::{Api, ApiJson, IfMatch, List, PageQuery, created, created_with_etag, paged, with_etag};
use crate::download::csv;
use crate::error::{
    BodyErrors, NotFoundErrors, Problem, QueryErrors, ReadErrors, RuleErrors, StaleErrors, TokenErrors, VersionErrors,
};
use axum::Json;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use urbis_app::convenings as ops;
use urbis_app::network as net;
use urbis_domain::convenings::{RawEvent, RawSession, local_time};
use urbis_domain::policy::Action;
use urbis_store::convenings::{Event, EventFilter, MyRegistration, Registration, Session};
use utoipa::ToSchema;
use uuid::Uuid;

/// An event as everyone sees it (no join link).
#[derive(Serialize, ToSchema)]
pub struct EventOut {
    pub id: Uuid,
    pub programme: String,
    pub title: String,
    pub description: String,
    /// `kick-off`, `cohort-meeting`, `workshop`, `study-visit`, `webinar` or `launch`.
    pub kind: String,
    /// `in-person`, `online` or `mixed`.
    pub attendance_mode: String,
    pub venue_name: String,
    pub venue_address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// The event's IANA time zone, e.g. `Europe/Lisbon`.
    pub time_zone: String,
    /// UTC instants.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Start and end as local date-times in `time_zone` (`YYYY-MM-DDTHH:MM`).
    pub local_starts_at: String,
    pub local_ends_at: String,
    /// Null: unlimited.
    pub capacity: Option<i64>,
    /// Places per organisation; null: no limit.
    pub organisation_quota: Option<i64>,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    /// Hours a waiting person has to accept a freed place.
    pub offer_hours: i64,
    /// `scheduled`, `postponed`, `cancelled` or `held`.
    pub status: String,
    /// Places held (confirmed or offered) and people waiting: counts only.
    pub places_held: i64,
    pub waiting: i64,
    pub sample: bool,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<&Event> for EventOut {
    fn from(e: &Event) -> Self {
        let local = |t| local_time(t, &e.time_zone).format("%Y-%m-%dT%H:%M").to_string();
        EventOut {
            id: e.id,
            programme: e.programme_slug.clone(),
            title: e.title.clone(),
            description: e.description.clone(),
            kind: e.kind.as_str().into(),
            attendance_mode: e.attendance_mode.as_str().into(),
            venue_name: e.venue_name.clone(),
            venue_address: e.venue_address.clone(),
            latitude: e.latitude,
            longitude: e.longitude,
            time_zone: e.time_zone.clone(),
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            local_starts_at: local(e.starts_at),
            local_ends_at: local(e.ends_at),
            capacity: e.capacity,
            organisation_quota: e.organisation_quota,
            registration_opens_at: e.registration_opens_at,
            registration_closes_at: e.registration_closes_at,
            offer_hours: e.offer_hours,
            status: e.status.as_str().into(),
            places_held: e.places_held,
            waiting: e.waiting,
            sample: e.is_sample,
            version: e.version,
            updated_at: e.updated_at,
        }
    }
}

/// An event read by one caller: what everyone sees, the join link when the caller holds a place
/// (or manages the event), and the caller's own registration.
#[derive(Serialize, ToSchema)]
pub struct EventDetailOut {
    #[serde(flatten)]
    pub event: EventOut,
    /// Only for people holding a confirmed place and the event's managers; otherwise absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join_url: Option<String>,
    /// The caller's current registration, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_registration: Option<RegistrationOut>,
}

/// A registration.
#[derive(Serialize, ToSchema)]
pub struct RegistrationOut {
    pub id: Uuid,
    pub event: Uuid,
    pub person: Uuid,
    pub person_name: String,
    /// `confirmed`, `offered`, `waiting`, `cancelled` or `lapsed`.
    pub state: String,
    /// Position on the waiting list (1 = next), while waiting.
    pub position: Option<i64>,
    /// When the offer of a place expires, while offered.
    pub offer_expires_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

impl From<&Registration> for RegistrationOut {
    fn from(r: &Registration) -> Self {
        RegistrationOut {
            id: r.id,
            event: r.event_id,
            person: r.person_id,
            person_name: r.person_name.clone(),
            state: r.state.as_str().into(),
            position: r.position,
            offer_expires_at: r.offer_expires_at,
            version: r.version,
            created_at: r.created_at,
        }
    }
}

/// One of my registrations, with its event.
#[derive(Serialize, ToSchema)]
pub struct MyRegistrationOut {
    #[serde(flatten)]
    pub registration: RegistrationOut,
    pub event_title: String,
    pub event_starts_at: DateTime<Utc>,
    pub event_time_zone: String,
    pub event_status: String,
}

impl From<&MyRegistration> for MyRegistrationOut {
    fn from(m: &MyRegistration) -> Self {
        MyRegistrationOut {
            registration: (&m.registration).into(),
            event_title: m.event_title.clone(),
            event_starts_at: m.event_starts_at,
            event_time_zone: m.event_time_zone.clone(),
            event_status: m.event_status.as_str().into(),
        }
    }
}

/// A session of an agenda.
#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    pub id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub room: String,
    pub speakers: String,
    pub material_url: String,
}

impl From<&Session> for SessionOut {
    fn from(s: &Session) -> Self {
        SessionOut {
            id: s.id,
            title: s.title.clone(),
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            room: s.room.clone(),
            speakers: s.speakers.clone(),
            material_url: s.material_url.clone(),
        }
    }
}

/// An event to add, or every field of a change (PATCH sends only what changes). Times are local
/// date-times in `time_zone` (`YYYY-MM-DDTHH:MM`); a time skipped by a daylight-saving change is
/// refused (`nonexistent-local-time`).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct EventIn {
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<String>,
    pub attendance_mode: Option<String>,
    pub venue_name: Option<String>,
    pub venue_address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub join_url: Option<String>,
    pub time_zone: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub capacity: Option<i64>,
    pub organisation_quota: Option<i64>,
    pub registration_opens_at: Option<String>,
    pub registration_closes_at: Option<String>,
    pub offer_hours: Option<i64>,
}

impl EventIn {
    /// `raw` with the fields this body sends.
    fn apply(self, raw: &mut RawEvent) {
        macro_rules! text {
            ($($f:ident),*) => { $(if let Some(v) = self.$f { raw.$f = v; })* };
        }
        macro_rules! num {
            ($($f:ident),*) => { $(if let Some(v) = self.$f { raw.$f = v.to_string(); })* };
        }
        text!(
            title,
            description,
            kind,
            attendance_mode,
            venue_name,
            venue_address,
            join_url,
            time_zone,
            starts_at,
            ends_at,
            registration_opens_at,
            registration_closes_at
        );
        num!(latitude, longitude, capacity, organisation_quota, offer_hours);
    }
}

/// A change of status.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusIn {
    /// `scheduled`, `postponed`, `cancelled` or `held`.
    pub status: String,
}

/// A session to add to an agenda (local times in the event's zone).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SessionIn {
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    pub room: String,
    pub speakers: String,
    pub material_url: String,
}

fn filter_of(q: &PageQuery) -> Result<EventFilter, Problem> {
    Ok(ops::filter(q.get("kind"), q.get("mode"), q.get("status"), q.get("when"))?)
}

async fn detail(api: &Api, loaded: &ops::Loaded) -> Result<EventDetailOut, Problem> {
    let mine = ops::my_registration(&api.state, &api.caller, &loaded.event).await?;
    Ok(EventDetailOut {
        event: (&loaded.event).into(),
        join_url: ops::join_link(&api.caller, loaded, mine.as_ref()),
        my_registration: mine.as_ref().map(Into::into),
    })
}

/// A programme's events (public), paged, soonest first (`when=past`: latest first). Filters:
/// `kind`, `mode` (attendance mode), `status`, `when` (`upcoming`, `past`, `all`).
#[utoipa::path(get, path = "/programmes/{slug}/events", tag = "convenings",
    params(("slug" = String, Path, description = "the programme's slug"), ("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100),
           ("kind" = Option<String>, Query), ("mode" = Option<String>, Query), ("status" = Option<String>, Query),
           ("when" = Option<String>, Query, description = "upcoming, past or all")),
    responses((status = 200, body = List<EventOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), TokenErrors, QueryErrors, NotFoundErrors))]
pub async fn list_events(api: Api, Path(slug): Path<String>, q: PageQuery) -> Result<Response, Problem> {
    let f = filter_of(&q)?;
    let p = net::programme(&api.state, &slug).await?;
    let page = ops::events(&api.state, &p, &f, q.page).await?;
    Ok(paged(
        &q,
        &format!("/api/v1/programmes/{slug}/events"),
        List::<EventOut> {
            items: page.items.iter().map(Into::into).collect(),
            page: page.page,
            per_page: page.per_page,
            total: page.total,
        },
    ))
}

/// Add an event to a programme (its managers and admins).
#[utoipa::path(post, path = "/programmes/{slug}/events", tag = "convenings", security(("bearer" = [])), request_body = EventIn,
    params(("slug" = String, Path, description = "the programme's slug")),
    responses((status = 201, body = EventDetailOut, headers(("ETag" = String))), ReadErrors, BodyErrors))]
pub async fn create_event(
    api: Api,
    Path(slug): Path<String>,
    ApiJson(b): ApiJson<EventIn>,
) -> Result<Response, Problem> {
    let p = net::programme(&api.state, &slug).await?;
    let mut raw = RawEvent::default();
    b.apply(&mut raw);
    let e = ops::create(&api.state, &api.caller, &p, &raw).await?;
    let loaded = ops::load_for(&api.state, &api.caller, &e.id.to_string(), Action::Read).await?;
    Ok(created_with_etag(e.version, detail(&api, &loaded).await?))
}

/// A programme's events as CSV (public; the list's filters apply; at most 1,000 rows).
#[utoipa::path(get, path = "/programmes/{slug}/events.csv", tag = "convenings",
    params(("slug" = String, Path, description = "the programme's slug"), ("kind" = Option<String>, Query), ("mode" = Option<String>, Query),
           ("status" = Option<String>, Query), ("when" = Option<String>, Query)),
    responses((status = 200, content_type = "text/csv", body = String), TokenErrors, QueryErrors, NotFoundErrors))]
pub async fn events_csv(api: Api, Path(slug): Path<String>, q: PageQuery) -> Result<Response, Problem> {
    let f = filter_of(&q)?;
    let p = net::programme(&api.state, &slug).await?;
    let page = urbis_store::Page { page: 1, per_page: ops::FEED_LIMIT };
    let events = ops::events(&api.state, &p, &f, page).await?;
    let c = urbis_app::csv::field;
    let mut out = String::from(
        "id,title,kind,attendance_mode,status,time_zone,local_start,local_end,starts_at_utc,ends_at_utc,venue_name,venue_address,latitude,longitude,capacity,places_held,waiting\n",
    );
    for e in &events.items {
        let o = EventOut::from(e);
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            o.id,
            c(&o.title),
            o.kind,
            o.attendance_mode,
            o.status,
            o.time_zone,
            o.local_starts_at,
            o.local_ends_at,
            o.starts_at.to_rfc3339(),
            o.ends_at.to_rfc3339(),
            c(&o.venue_name),
            c(&o.venue_address),
            o.latitude.map(|v| v.to_string()).unwrap_or_default(),
            o.longitude.map(|v| v.to_string()).unwrap_or_default(),
            o.capacity.map(|v| v.to_string()).unwrap_or_default(),
            o.places_held,
            o.waiting
        );
    }
    Ok(csv(&format!("events-{slug}.csv"), out))
}

fn ics(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

/// A programme's calendar feed (RFC 5545; public; the list's filters apply).
#[utoipa::path(get, path = "/programmes/{slug}/events.ics", tag = "convenings",
    params(("slug" = String, Path, description = "the programme's slug"), ("kind" = Option<String>, Query), ("mode" = Option<String>, Query),
           ("status" = Option<String>, Query), ("when" = Option<String>, Query)),
    responses((status = 200, content_type = "text/calendar", body = String), TokenErrors, QueryErrors, NotFoundErrors))]
pub async fn events_ics(api: Api, Path(slug): Path<String>, q: PageQuery) -> Result<Response, Problem> {
    let f = filter_of(&q)?;
    let p = net::programme(&api.state, &slug).await?;
    Ok(ics(&format!("{slug}.ics"), ops::programme_ics(&api.state, &p, &f).await?))
}

/// An event (public), with the join link for people holding a place and the caller's own
/// registration. The `ETag` is its version.
#[utoipa::path(get, path = "/events/{id}", tag = "convenings",
    params(("id" = String, Path, description = "the event's id (a UUID)")),
    responses((status = 200, body = EventDetailOut, headers(("ETag" = String))), TokenErrors, NotFoundErrors))]
pub async fn get_event(api: Api, Path(id): Path<String>) -> Result<Response, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::Read).await?;
    Ok(with_etag(loaded.event.version, detail(&api, &loaded).await?))
}

/// Change an event (its managers). Needs `If-Match` with its `ETag`.
#[utoipa::path(patch, path = "/events/{id}", tag = "convenings", security(("bearer" = [])), request_body = EventIn,
    params(("id" = String, Path, description = "the event's id (a UUID)"), ("If-Match" = String, Header, description = "the event's ETag")),
    responses((status = 200, body = EventDetailOut, headers(("ETag" = String))), ReadErrors, BodyErrors, VersionErrors, RuleErrors))]
pub async fn patch_event(
    api: Api,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(b): ApiJson<EventIn>,
) -> Result<Response, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::ManageEvents).await?;
    let version = if_match.version_of(loaded.event.version)?;
    let mut raw = loaded.event.input().raw();
    b.apply(&mut raw);
    let e = ops::update(&api.state, &api.caller, &loaded, version, &raw).await?;
    let loaded = loaded.with(e);
    Ok(with_etag(loaded.event.version, detail(&api, &loaded).await?))
}

/// Postpone, cancel, reschedule or mark an event held (its managers). Cancelling cancels every
/// registration and e-mails each person. Needs `If-Match`.
#[utoipa::path(post, path = "/events/{id}/status", tag = "convenings", security(("bearer" = [])), request_body = StatusIn,
    params(("id" = String, Path, description = "the event's id (a UUID)"), ("If-Match" = String, Header, description = "the event's ETag")),
    responses((status = 200, body = EventDetailOut, headers(("ETag" = String))), ReadErrors, BodyErrors, VersionErrors, RuleErrors))]
pub async fn set_status(
    api: Api,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(b): ApiJson<StatusIn>,
) -> Result<Response, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::ManageEvents).await?;
    let version = if_match.version_of(loaded.event.version)?;
    let e = ops::set_status(&api.state, &api.caller, &loaded, version, &b.status).await?;
    let loaded = loaded.with(e);
    Ok(with_etag(loaded.event.version, detail(&api, &loaded).await?))
}

/// One event as an iCalendar file (RFC 5545; public; never the join link).
#[utoipa::path(get, path = "/events/{id}/calendar.ics", tag = "convenings",
    params(("id" = String, Path, description = "the event's id (a UUID)")),
    responses((status = 200, content_type = "text/calendar", body = String), TokenErrors, NotFoundErrors))]
pub async fn event_ics(api: Api, Path(id): Path<String>) -> Result<Response, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::Read).await?;
    Ok(ics(&format!("event-{}.ics", loaded.event.id), ops::event_ics(&api.state, &loaded.event)))
}

/// An event's agenda, in time order (public; at most 200 sessions).
#[utoipa::path(get, path = "/events/{id}/sessions", tag = "convenings",
    params(("id" = String, Path, description = "the event's id (a UUID)")),
    responses((status = 200, body = Vec<SessionOut>), TokenErrors, NotFoundErrors))]
pub async fn list_sessions(api: Api, Path(id): Path<String>) -> Result<Json<Vec<SessionOut>>, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::Read).await?;
    let all = ops::sessions(&api.state, &loaded.event).await?;
    Ok(Json(all.iter().take(200).map(Into::into).collect()))
}

/// Add a session to an event's agenda (its managers).
#[utoipa::path(post, path = "/events/{id}/sessions", tag = "convenings", security(("bearer" = [])), request_body = SessionIn,
    params(("id" = String, Path, description = "the event's id (a UUID)")),
    responses((status = 201, body = SessionOut), ReadErrors, BodyErrors))]
pub async fn create_session(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SessionIn>,
) -> Result<Response, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::ManageEvents).await?;
    let raw = RawSession {
        title: b.title,
        starts_at: b.starts_at,
        ends_at: b.ends_at,
        room: b.room,
        speakers: b.speakers,
        material_url: b.material_url,
    };
    let s = ops::add_session(&api.state, &api.caller, &loaded, &raw).await?;
    Ok(created(SessionOut::from(&s)))
}

/// Register yourself for an event: a place while capacity and your city's quota allow, else the
/// waiting list (with your position).
#[utoipa::path(post, path = "/events/{id}/registrations", tag = "convenings", security(("bearer" = [])),
    params(("id" = String, Path, description = "the event's id (a UUID)")),
    responses((status = 201, body = RegistrationOut, headers(("ETag" = String))), ReadErrors, RuleErrors))]
pub async fn register(api: Api, Path(id): Path<String>) -> Result<Response, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::RegisterForEvent).await?;
    let r = ops::register(&api.state, &api.caller, &loaded).await?;
    Ok(created_with_etag(r.version, RegistrationOut::from(&r)))
}

/// An event's current registrations (its managers): places first, then the waiting list in order.
#[utoipa::path(get, path = "/events/{id}/registrations", tag = "convenings", security(("bearer" = [])),
    params(("id" = String, Path, description = "the event's id (a UUID)"), ("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, body = List<RegistrationOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), ReadErrors, QueryErrors))]
pub async fn list_registrations(api: Api, Path(id): Path<String>, q: PageQuery) -> Result<Response, Problem> {
    let page = q.page;
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::ReadRegistrations).await?;
    let p = ops::registrations(&api.state, &api.caller, &loaded, page).await?;
    Ok(paged(
        &q,
        &format!("/api/v1/events/{id}/registrations"),
        List::<RegistrationOut> {
            items: p.items.iter().map(Into::into).collect(),
            page: p.page,
            per_page: p.per_page,
            total: p.total,
        },
    ))
}

/// Cancel one of your registrations. A place it held is offered to the first person waiting.
/// `If-Match` with the registration's `ETag` is checked when sent.
#[utoipa::path(delete, path = "/registrations/{id}", tag = "convenings", security(("bearer" = [])),
    params(("id" = String, Path, description = "the registration's id (a UUID)"), ("If-Match" = Option<String>, Header, description = "the registration's ETag")),
    responses((status = 200, body = RegistrationOut), ReadErrors, StaleErrors, RuleErrors))]
pub async fn cancel_registration(api: Api, Path(id): Path<String>, if_match: IfMatch) -> Result<Response, Problem> {
    let own = ops::own_registration(&api.state, &api.caller, &id).await?;
    let version = if_match.sent_of(own.registration.version)?;
    let r = ops::cancel_registration(&api.state, &api.caller, &own, version).await?;
    Ok(with_etag(r.version, RegistrationOut::from(&r)))
}

/// Your registrations, newest event first.
#[utoipa::path(get, path = "/me/registrations", tag = "convenings", security(("bearer" = [])),
    params(("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, body = List<MyRegistrationOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), TokenErrors, QueryErrors))]
pub async fn my_registrations(api: Api, q: PageQuery) -> Result<Response, Problem> {
    let page = q.page;
    let p = ops::my_registrations(&api.state, &api.caller, page).await?;
    Ok(paged(
        &q,
        "/api/v1/me/registrations",
        List::<MyRegistrationOut> {
            items: p.items.iter().map(Into::into).collect(),
            page: p.page,
            per_page: p.per_page,
            total: p.total,
        },
    ))
}

/// An offer of a place, by the secret of its link (only for the person it was made to).
#[derive(Serialize, ToSchema)]
pub struct OfferOut {
    pub registration: RegistrationOut,
    pub event: EventOut,
}

/// The offer behind a link: the registration and event (the person it was made to only).
#[utoipa::path(get, path = "/offers/{token}", tag = "convenings", security(("bearer" = [])),
    params(("token" = String, Path, description = "the secret of the offer's link")),
    responses((status = 200, body = OfferOut), ReadErrors))]
pub async fn get_offer(api: Api, Path(token): Path<String>) -> Result<Json<OfferOut>, Problem> {
    let o = ops::offer(&api.state, &api.caller, &token).await?;
    Ok(Json(OfferOut { registration: (&o.registration).into(), event: (&o.event).into() }))
}

/// Accept an offered place: once, before it expires, by the person it was made to.
#[utoipa::path(post, path = "/offers/{token}/accept", tag = "convenings", security(("bearer" = [])),
    params(("token" = String, Path, description = "the secret of the offer's link")),
    responses((status = 200, body = RegistrationOut), ReadErrors, RuleErrors))]
pub async fn accept_offer(api: Api, Path(token): Path<String>) -> Result<Response, Problem> {
    let o = ops::offer(&api.state, &api.caller, &token).await?;
    let r = ops::accept_offer(&api.state, &api.caller, &o).await?;
    Ok(with_etag(r.version, RegistrationOut::from(&r)))
}
