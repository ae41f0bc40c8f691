//! The `convenings` capability's operations shared by pages and API: a programme's events and
//! their agendas (managed by programme staff), registration for oneself with a waiting list and
//! offers of freed places, and calendars. Rules in `docs/convenings.md`.

use crate::i18n::Tr;
use crate::{App, AppError, Caller, Loaded as _, Result, authorise, parse_id};
use chrono::{DateTime, Utc};
use urbis_domain::convenings::ical::{self, CalendarEvent};
use urbis_domain::convenings::{
    AttendanceMode, EventInput, EventKind, EventStatus, RawEvent, RawSession, RegistrationState, SessionInput,
    local_time,
};
use urbis_domain::policy::{Action, Resource, Scope};
use urbis_store::convenings::{Event, EventFilter, MyRegistration, Notice, Registration, Session};
use urbis_store::network::{Mail, Programme};
use urbis_store::{Page, Paged, now};
use uuid::Uuid;

/// An event with the policy's view of it, loaded for an action.
#[derive(Clone)]
pub struct Loaded {
    pub event: Event,
    pub resource: Resource,
    granted: Action,
}

crate::loaded!(Loaded);

impl Loaded {
    /// The same event as changed by an operation (authorised as it was loaded).
    pub fn with(self, event: Event) -> Loaded {
        Loaded { event, ..self }
    }
}

/// The policy's view of a programme's events: the programme and its cohort's organisations.
pub async fn programme_resource(state: &App, programme_id: Uuid) -> Result<Resource> {
    let cohort = state.store.cohort(programme_id, None, Page::all()).await?;
    Ok(Resource::Convening {
        programme: programme_id,
        organisations: cohort.items.into_iter().map(|m| m.organisation.id).collect(),
    })
}

/// The e-mails of registration notices, in the person's language, with links on this installation.
pub fn notices(state: &App) -> impl Fn(Notice<'_>) -> Option<Mail> + Send + Sync + '_ {
    move |n| {
        Some(match n {
            Notice::Offer { name, locale, event, token, expires_at, .. } => {
                let t = Tr::new(locale);
                let link = state.link(&format!("/offers/{token}"));
                let when = local_label(event.starts_at, &event.time_zone);
                let until = local_label(expires_at, &event.time_zone);
                Mail {
                    kind: "event-offer",
                    subject: t.with("mail-event-offer-subject", &[("event", &event.title)]),
                    body: t.with(
                        "mail-event-offer-body",
                        &[("name", name), ("event", &event.title), ("when", &when), ("until", &until), ("link", &link)],
                    ),
                    link,
                }
            }
            Notice::Cancelled { name, locale, event, .. } => {
                let t = Tr::new(locale);
                let when = local_label(event.starts_at, &event.time_zone);
                Mail {
                    kind: "event-cancelled",
                    subject: t.with("mail-event-cancelled-subject", &[("event", &event.title)]),
                    body: t
                        .with("mail-event-cancelled-body", &[("name", name), ("event", &event.title), ("when", &when)]),
                    link: String::new(),
                }
            }
        })
    }
}

/// `2026-03-29 09:00 (Europe/Lisbon)`.
pub fn local_label(t: DateTime<Utc>, zone: &str) -> String {
    format!("{} ({zone})", local_time(t, zone).format("%Y-%m-%d %H:%M"))
}

/// An event, if the caller may do `action` on it (`Read`: anyone). Offers of the event that
/// expired are settled first, so what is read is current.
pub async fn load_for(state: &App, caller: &Caller, id: &str, action: Action) -> Result<Loaded> {
    let id = parse_id("event", id)?;
    let event = state.store.event(id).await.map_err(AppError::or_not_found("event"))?;
    let resource = programme_resource(state, event.programme_id).await?;
    authorise(caller, action, &resource)?;
    let event = if state.store.settle_event(id, now(), &notices(state)).await? > 0 {
        state.store.event(id).await?
    } else {
        event
    };
    Ok(Loaded { event, resource, granted: action })
}

/// The filters of a programme's event list, parsed from query parameters (a 400 naming a bad one).
pub fn filter(kind: Option<&str>, mode: Option<&str>, status: Option<&str>, when: Option<&str>) -> Result<EventFilter> {
    fn opt(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|v| !v.is_empty())
    }
    let bad = |field: &str, e: urbis_domain::FieldError| AppError::bad_parameter(field, e.code, e.message);
    Ok(EventFilter {
        kind: opt(kind).map(EventKind::parse).transpose().map_err(|e| bad("kind", e))?,
        attendance_mode: opt(mode).map(AttendanceMode::parse).transpose().map_err(|e| bad("mode", e))?,
        status: opt(status).map(EventStatus::parse).transpose().map_err(|e| bad("status", e))?,
        upcoming: match opt(when) {
            None | Some("all") => None,
            Some("upcoming") => Some(true),
            Some("past") => Some(false),
            Some(_) => return Err(AppError::bad_parameter("when", "invalid-choice", "must be upcoming, past or all")),
        },
        at: None,
    })
}

/// A page of a programme's events (public).
pub async fn events(state: &App, programme: &Programme, f: &EventFilter, page: Page) -> Result<Paged<Event>> {
    Ok(state.store.programme_events(programme.id, f, page).await?)
}

/// May the caller manage the programme's events (for showing links)?
pub async fn can_manage(state: &App, caller: &Caller, programme: &Programme) -> Result<bool> {
    Ok(caller.can(Action::ManageEvents, &programme_resource(state, programme.id).await?))
}

/// May the caller add events to the programme (the new-event form)? `Unauthenticated` or `Denied`
/// when not.
pub async fn may_create(state: &App, caller: &Caller, programme: &Programme) -> Result<()> {
    authorise(caller, Action::ManageEvents, &programme_resource(state, programme.id).await?)
}

/// Add an event to a programme (its staff).
pub async fn create(state: &App, caller: &Caller, programme: &Programme, raw: &RawEvent) -> Result<Event> {
    authorise(caller, Action::ManageEvents, &programme_resource(state, programme.id).await?)?;
    let input = EventInput::parse(raw)?;
    Ok(state.store.create_event(caller.actor.person, programme.id, &input, false).await?)
}

/// Change an event if it is still at `version`.
pub async fn update(state: &App, caller: &Caller, loaded: &Loaded, version: i64, raw: &RawEvent) -> Result<Event> {
    loaded.check(caller, Action::ManageEvents)?;
    let input = EventInput::parse(raw)?;
    Ok(state.store.update_event(caller.person_id()?, loaded.event.id, version, &input, &notices(state)).await?)
}

/// Postpone, cancel, reschedule or mark held. Cancelling tells every registered person.
pub async fn set_status(state: &App, caller: &Caller, loaded: &Loaded, version: i64, status: &str) -> Result<Event> {
    loaded.check(caller, Action::ManageEvents)?;
    let status = EventStatus::parse(status)?;
    Ok(state.store.set_event_status(caller.person_id()?, loaded.event.id, version, status, &notices(state)).await?)
}

/// Add a session to an event's agenda.
pub async fn add_session(state: &App, caller: &Caller, loaded: &Loaded, raw: &RawSession) -> Result<Session> {
    loaded.check(caller, Action::ManageEvents)?;
    let e = &loaded.event;
    let input = SessionInput::parse(raw, &e.time_zone, e.starts_at, e.ends_at)?;
    Ok(state.store.add_session(caller.person_id()?, e.id, &input).await?)
}

/// The agenda of an event the caller was given.
pub async fn sessions(state: &App, event: &Event) -> Result<Vec<Session>> {
    Ok(state.store.sessions(event.id).await?)
}

/// The organisation a caller registers for (for the quota): the first of their city roles in the
/// programme's cohort, if any.
fn organisation_of(caller: &Caller, resource: &Resource) -> Option<Uuid> {
    let Resource::Convening { organisations, .. } = resource else { return None };
    caller.actor.grants.iter().find_map(|g| match g.scope {
        Scope::Organisation(o) if organisations.contains(&o) => Some(o),
        _ => None,
    })
}

/// Register the caller for the event: a place, or the waiting list.
pub async fn register(state: &App, caller: &Caller, loaded: &Loaded) -> Result<Registration> {
    loaded.check(caller, Action::RegisterForEvent)?;
    let me = caller.person_id()?;
    let org = organisation_of(caller, &loaded.resource);
    Ok(state.store.register(me, org, loaded.event.id, now(), &notices(state)).await?)
}

/// A registration of the caller's own, with its event loaded for registering.
pub struct OwnRegistration {
    pub registration: Registration,
    pub event: Loaded,
}

/// One of the caller's own registrations (someone else's is `Denied`: people manage their own).
pub async fn own_registration(state: &App, caller: &Caller, id: &str) -> Result<OwnRegistration> {
    let me = caller.person_id()?;
    let registration = state
        .store
        .registration(parse_id("registration", id)?)
        .await
        .map_err(AppError::or_not_found("registration"))?;
    if registration.person_id != me {
        return Err(AppError::Denied);
    }
    let event = load_for(state, caller, &registration.event_id.to_string(), Action::RegisterForEvent).await?;
    let registration = state.store.registration(registration.id).await?;
    Ok(OwnRegistration { registration, event })
}

/// Cancel one's own registration (at `version` when given); a place it held goes to the next
/// person waiting.
pub async fn cancel_registration(
    state: &App,
    caller: &Caller,
    own: &OwnRegistration,
    version: Option<i64>,
) -> Result<Registration> {
    own.event.check(caller, Action::RegisterForEvent)?;
    let me = caller.person_id()?;
    Ok(state.store.cancel_registration(me, own.registration.id, version, now(), &notices(state)).await?)
}

/// The caller's current registration for an event, if signed in and registered.
pub async fn my_registration(state: &App, caller: &Caller, event: &Event) -> Result<Option<Registration>> {
    match caller.actor.person {
        Some(me) => Ok(state.store.registration_of(event.id, me).await?),
        None => Ok(None),
    }
}

/// The join link, for those who may see it: people holding a confirmed place, and the event's
/// managers. Everybody else gets `None`.
pub fn join_link(caller: &Caller, loaded: &Loaded, mine: Option<&Registration>) -> Option<String> {
    let e = &loaded.event;
    if e.join_url.is_empty() || !e.attendance_mode.is_online() {
        return None;
    }
    let holds = mine.is_some_and(|r| r.state == RegistrationState::Confirmed);
    (holds || loaded.check(caller, Action::ManageEvents).is_ok()).then(|| e.join_url.clone())
}

/// May the caller register for this event (for showing the button)?
pub fn can_register(caller: &Caller, loaded: &Loaded) -> bool {
    loaded.check(caller, Action::RegisterForEvent).is_ok()
}

/// The caller's registrations, newest event first.
pub async fn my_registrations(state: &App, caller: &Caller, page: Page) -> Result<Paged<MyRegistration>> {
    let me = caller.person_id()?;
    Ok(state.store.my_registrations(me, page).await?)
}

/// An event's registrations (its managers): places, then the waiting list in order.
pub async fn registrations(state: &App, caller: &Caller, loaded: &Loaded, page: Page) -> Result<Paged<Registration>> {
    loaded.check(caller, Action::ReadRegistrations)?;
    Ok(state.store.event_registrations(loaded.event.id, page).await?)
}

/// An offer behind a link, for the signed-in person it was made to (anyone else: `Denied`).
pub struct Offer {
    pub id: Uuid,
    pub registration: Registration,
    pub event: Event,
}

pub async fn offer(state: &App, caller: &Caller, token: &str) -> Result<Offer> {
    let me = caller.person_id()?;
    let (id, registration) = state.store.offer_by_token(token).await.map_err(AppError::or_not_found("offer"))?;
    if registration.person_id != me {
        return Err(AppError::Denied);
    }
    state.store.settle_event(registration.event_id, now(), &notices(state)).await?;
    let registration = state.store.registration(registration.id).await?;
    let event = state.store.event(registration.event_id).await?;
    Ok(Offer { id, registration, event })
}

/// Accept an offer: once, by its person, before it expires.
pub async fn accept_offer(state: &App, caller: &Caller, offer: &Offer) -> Result<Registration> {
    let me = caller.person_id()?;
    let resource = programme_resource(state, offer.event.programme_id).await?;
    authorise(caller, Action::RegisterForEvent, &resource)?;
    Ok(state.store.accept_offer(me, offer.id, now(), &notices(state)).await?)
}

/// Lapse every offer that expired and offer the places again (run periodically by `serve`).
pub async fn sweep(state: &App) -> Result<u64> {
    Ok(state.store.sweep_offers(now(), &notices(state)).await?)
}

/// An event as a calendar entry, linking to its page on this installation. Never the join link.
pub fn calendar_event(state: &App, e: &Event) -> CalendarEvent {
    let location = [e.venue_name.as_str(), e.venue_address.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    CalendarEvent {
        uid: format!("{}@urbis", e.id),
        sequence: e.version - 1,
        stamp: e.updated_at,
        created: e.created_at,
        starts_at: e.starts_at,
        ends_at: e.ends_at,
        time_zone: e.time_zone.clone(),
        summary: e.title.clone(),
        description: e.description.clone(),
        location,
        geo: e.latitude.zip(e.longitude),
        url: state.link(&format!("/events/{}", e.id)),
        status: match e.status {
            EventStatus::Cancelled => "CANCELLED",
            EventStatus::Postponed => "TENTATIVE",
            EventStatus::Scheduled | EventStatus::Held => "CONFIRMED",
        },
        category: e.kind.as_str().to_string(),
    }
}

/// One event's iCalendar file.
pub fn event_ics(state: &App, e: &Event) -> String {
    ical::calendar(&e.title, &[calendar_event(state, e)])
}

/// The most events a calendar feed holds (the newest by start when a programme has more).
pub const FEED_LIMIT: u32 = 1000;

/// A programme's calendar feed, with the list's filters.
pub async fn programme_ics(state: &App, programme: &Programme, f: &EventFilter) -> Result<String> {
    let events = state.store.programme_events(programme.id, f, Page { page: 1, per_page: FEED_LIMIT }).await?;
    let entries: Vec<CalendarEvent> = events.items.iter().map(|e| calendar_event(state, e)).collect();
    Ok(ical::calendar(&programme.name, &entries))
}
