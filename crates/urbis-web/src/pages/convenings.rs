//! The `convenings` pages: a programme's events (upcoming and past, filtered), an event with its
//! agenda and registration, the managers' event form and status changes (cancelling asks first),
//! and the page that accepts an offered place.

use crate::AppState;
use crate::pages::{Ctx, PageForm, ShownError, redirect, urlencode};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use std::collections::HashMap;
use urbis_app::AppError;
use urbis_app::convenings as ops;
use urbis_app::network as net;
use urbis_domain::convenings::{AttendanceMode, EventKind, EventStatus, RawEvent, RegistrationState, local_time};
use urbis_domain::policy::Action;
use urbis_store::Page;
use urbis_store::convenings::{Event, Registration, Session};
use urbis_store::network::Programme;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programmes/{slug}/events", get(list))
        .route("/programmes/{slug}/events/new", get(new).post(new_post))
        .route("/events/{id}", get(show))
        .route("/events/{id}/edit", get(edit).post(edit_post))
        .route("/events/{id}/status", get(status).post(status_post))
        .route("/events/{id}/register", post(register_post))
        .route("/registrations/{id}/cancel", post(cancel_post))
        .route("/offers/{token}", get(offer).post(offer_post))
}

/// An event as a row or a heading shows it: local times in its zone, labels translated.
pub struct EventView {
    pub event: Event,
    pub kind: String,
    pub mode: String,
    pub status: String,
    pub when: String,
    pub places: String,
}

impl EventView {
    fn of(ctx: &Ctx, e: Event) -> EventView {
        let start = local_time(e.starts_at, &e.time_zone);
        let end = local_time(e.ends_at, &e.time_zone);
        let end_fmt = if start.date() == end.date() { "%H:%M" } else { "%Y-%m-%d %H:%M" };
        let places = match e.capacity {
            Some(c) => {
                ctx.t.with("events-places-of", &[("held", &e.places_held.to_string()), ("capacity", &c.to_string())])
            }
            None => ctx.t.with("events-places-unlimited", &[("held", &e.places_held.to_string())]),
        };
        EventView {
            kind: ctx.t.get(&format!("event-kind-{}", e.kind)),
            mode: ctx.t.get(&format!("event-mode-{}", e.attendance_mode)),
            status: ctx.t.get(&format!("event-status-{}", e.status)),
            when: format!("{}–{} ({})", start.format("%Y-%m-%d %H:%M"), end.format(end_fmt), e.time_zone),
            places,
            event: e,
        }
    }
}

/// An option of a filter or choice: value, label, chosen.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(ctx: &Ctx, prefix: &str, values: &[&str], current: &str, any: Option<&str>) -> Vec<Choice> {
    let mut out = vec![];
    if let Some(any) = any {
        out.push(Choice { value: String::new(), label: ctx.t.get(any), selected: current.is_empty() });
    }
    out.extend(values.iter().map(|v| Choice {
        value: v.to_string(),
        label: ctx.t.get(&format!("{prefix}-{v}")),
        selected: *v == current,
    }));
    out
}

// ---- the list -------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "events.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    programme: Programme,
    events: Vec<EventView>,
    kinds: Vec<Choice>,
    modes: Vec<Choice>,
    whens: Vec<Choice>,
    query: String,
    list_path: String,
    page: u32,
    pages: u32,
    can_manage: bool,
}

async fn list(ctx: Ctx, Path(slug): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    ctx.respond(async {
        let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
        let when = if get("when").is_empty() { "upcoming" } else { get("when") };
        let f = ops::filter(Some(get("kind")), Some(get("mode")), None, Some(when))?;
        let programme = net::programme(&ctx.state, &slug).await?;
        let page_no = get("page").parse::<u32>().unwrap_or(1).clamp(1, 100_000);
        let page = ops::events(&ctx.state, &programme, &f, Page::new(page_no, 20)).await?;
        let pages = (page.total as u32).div_ceil(20).max(1);
        let query = format!("when={}&kind={}&mode={}", urlencode(when), urlencode(get("kind")), urlencode(get("mode")));
        let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        let modes: Vec<&str> = AttendanceMode::ALL.iter().map(|k| k.as_str()).collect();
        let can_manage = ops::can_manage(&ctx.state, &ctx.caller, &programme).await?;
        Ok(ctx.render(ListPage {
            kinds: choices(&ctx, "event-kind", &kinds, get("kind"), Some("events-any")),
            modes: choices(&ctx, "event-mode", &modes, get("mode"), Some("events-any")),
            whens: choices(&ctx, "events-when", &["upcoming", "past", "all"], when, None),
            events: page.items.into_iter().map(|e| EventView::of(&ctx, e)).collect(),
            query,
            list_path: format!("/programmes/{slug}/events"),
            page: page.page,
            pages,
            can_manage,
            programme,
            ctx: &ctx,
        }))
    })
    .await
}

// ---- one event ------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage<'a> {
    ctx: &'a Ctx,
    view: EventView,
    sessions: Vec<(String, Session)>,
    mine: Option<Registration>,
    join_url: Option<String>,
    can_register: bool,
    can_manage: bool,
    open: bool,
    json_ld: String,
    notice: Option<String>,
    /// The status changes the managers may make: (status, link label).
    transitions: Vec<(String, String)>,
}

impl EventPage<'_> {
    fn waiting(&self) -> bool {
        self.mine.as_ref().is_some_and(|r| r.state == RegistrationState::Waiting)
    }
    fn confirmed(&self) -> bool {
        self.mine.as_ref().is_some_and(|r| r.state == RegistrationState::Confirmed)
    }
    fn offered(&self) -> bool {
        self.mine.as_ref().is_some_and(|r| r.state == RegistrationState::Offered)
    }
    fn position(&self) -> String {
        self.mine.as_ref().and_then(|r| r.position).map(|p| p.to_string()).unwrap_or_default()
    }
    fn offer_until(&self) -> String {
        let e = &self.view.event;
        self.mine
            .as_ref()
            .and_then(|r| r.offer_expires_at)
            .map(|t| ops::local_label(t, &e.time_zone))
            .unwrap_or_default()
    }
}

/// schema.org `Event` as JSON-LD (safe inside a `<script>` element).
fn json_ld(ctx: &Ctx, e: &Event) -> String {
    let mode = match e.attendance_mode {
        AttendanceMode::InPerson => "https://schema.org/OfflineEventAttendanceMode",
        AttendanceMode::Online => "https://schema.org/OnlineEventAttendanceMode",
        AttendanceMode::Mixed => "https://schema.org/MixedEventAttendanceMode",
    };
    let status = match e.status {
        EventStatus::Scheduled | EventStatus::Held => "https://schema.org/EventScheduled",
        EventStatus::Postponed => "https://schema.org/EventPostponed",
        EventStatus::Cancelled => "https://schema.org/EventCancelled",
    };
    let local = |t| {
        use chrono::TimeZone as _;
        let tz: chrono_tz::Tz = e.time_zone.parse().unwrap_or(chrono_tz::Tz::UTC);
        tz.from_utc_datetime(&chrono::DateTime::<chrono::Utc>::naive_utc(&t)).to_rfc3339()
    };
    let mut locations = vec![];
    if e.attendance_mode.has_venue() {
        let mut place = serde_json::json!({"@type": "Place", "name": e.venue_name, "address": e.venue_address});
        if let (Some(lat), Some(lon)) = (e.latitude, e.longitude) {
            place["geo"] = serde_json::json!({"@type": "GeoCoordinates", "latitude": lat, "longitude": lon});
        }
        locations.push(place);
    }
    if e.attendance_mode.is_online() {
        locations
            .push(serde_json::json!({"@type": "VirtualLocation", "url": ctx.state.link(&format!("/events/{}", e.id))}));
    }
    let mut doc = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": e.title,
        "description": e.description,
        "startDate": local(e.starts_at),
        "endDate": local(e.ends_at),
        "eventAttendanceMode": mode,
        "eventStatus": status,
        "location": locations,
        "organizer": {"@type": "Organization", "name": e.programme_name},
        "url": ctx.state.link(&format!("/events/{}", e.id)),
    });
    if let Some(c) = e.capacity {
        doc["maximumAttendeeCapacity"] = c.into();
        doc["remainingAttendeeCapacity"] = (c - e.places_held).max(0).into();
    }
    serde_json::to_string(&doc).unwrap_or_default().replace("</", "<\\/")
}

async fn event_page(ctx: &Ctx, loaded: ops::Loaded, notice: Option<String>) -> Result<EventPage<'_>, AppError> {
    let mine = ops::my_registration(&ctx.state, &ctx.caller, &loaded.event).await?;
    let join_url = ops::join_link(&ctx.caller, &loaded, mine.as_ref());
    let e = &loaded.event;
    let sessions = ops::sessions(&ctx.state, e)
        .await?
        .into_iter()
        .map(|s| {
            let label = format!(
                "{}–{}",
                local_time(s.starts_at, &e.time_zone).format("%H:%M"),
                local_time(s.ends_at, &e.time_zone).format("%H:%M")
            );
            (label, s)
        })
        .collect();
    let now = urbis_store::now();
    let open = e.status.takes_registrations()
        && e.registration_opens_at.is_none_or(|o| o <= now)
        && now < e.registration_closes_at.unwrap_or(e.starts_at);
    let transitions = EventStatus::ALL
        .iter()
        .filter(|s| e.status.can_become(**s))
        .map(|s| (s.as_str().to_string(), ctx.t.get(&format!("events-status-to-{s}"))))
        .collect();
    Ok(EventPage {
        ctx,
        transitions,
        json_ld: json_ld(ctx, e),
        can_register: ops::can_register(&ctx.caller, &loaded),
        can_manage: loaded.check(&ctx.caller, Action::ManageEvents).is_ok(),
        view: EventView::of(ctx, loaded.event),
        sessions,
        mine,
        join_url,
        open,
        notice,
    })
}

use urbis_app::Loaded as _;

async fn show(ctx: Ctx, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    ctx.respond(async {
        let loaded = ops::load_for(&ctx.state, &ctx.caller, &id, Action::Read).await?;
        let notice = q
            .get("done")
            .filter(|d| ["registered", "cancelled", "saved", "status", "accepted"].contains(&d.as_str()))
            .map(|d| ctx.t.get(&format!("events-done-{d}")));
        Ok(ctx.render(event_page(&ctx, loaded, notice).await?))
    })
    .await
}

async fn register_post(ctx: Ctx, Path(id): Path<String>, _form: PageForm) -> Response {
    ctx.respond(async {
        let loaded = ops::load_for(&ctx.state, &ctx.caller, &id, Action::RegisterForEvent).await?;
        match ops::register(&ctx.state, &ctx.caller, &loaded).await {
            Ok(_) => Ok(redirect(&format!("/events/{id}?done=registered"))),
            Err(e @ AppError::Refused { .. }) => {
                let notice = e.field_errors().first().map(|f| ctx.error_message("event", f.code));
                let loaded = ops::load_for(&ctx.state, &ctx.caller, &id, Action::Read).await?;
                Ok(ctx.render_status(axum::http::StatusCode::CONFLICT, event_page(&ctx, loaded, notice).await?))
            }
            Err(e) => Err(e),
        }
    })
    .await
}

async fn cancel_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let own = ops::own_registration(&ctx.state, &ctx.caller, &id).await?;
        let event = own.event.event.id;
        ops::cancel_registration(&ctx.state, &ctx.caller, &own, form.version()).await?;
        Ok(redirect(&format!("/events/{event}?done=cancelled")))
    })
    .await
}

// ---- the managers' form ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "event_form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    title: String,
    action: String,
    back: String,
    version: Option<i64>,
    conflict: bool,
    errors: Vec<ShownError>,
    form: HashMap<String, String>,
    kinds: Vec<Choice>,
    modes: Vec<Choice>,
}
form_errors!(FormPage, typed);

const FIELDS: [&str; 17] = [
    "title",
    "description",
    "kind",
    "attendance_mode",
    "venue_name",
    "venue_address",
    "latitude",
    "longitude",
    "join_url",
    "time_zone",
    "starts_at",
    "ends_at",
    "capacity",
    "organisation_quota",
    "registration_opens_at",
    "registration_closes_at",
    "offer_hours",
];

fn form_of(raw: &RawEvent) -> HashMap<String, String> {
    let values = [
        &raw.title,
        &raw.description,
        &raw.kind,
        &raw.attendance_mode,
        &raw.venue_name,
        &raw.venue_address,
        &raw.latitude,
        &raw.longitude,
        &raw.join_url,
        &raw.time_zone,
        &raw.starts_at,
        &raw.ends_at,
        &raw.capacity,
        &raw.organisation_quota,
        &raw.registration_opens_at,
        &raw.registration_closes_at,
        &raw.offer_hours,
    ];
    FIELDS.iter().zip(values).map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn raw_of(form: &PageForm) -> RawEvent {
    let g = |k: &str| form.get(k).to_string();
    RawEvent {
        title: g("title"),
        description: g("description"),
        kind: g("kind"),
        attendance_mode: g("attendance_mode"),
        venue_name: g("venue_name"),
        venue_address: g("venue_address"),
        latitude: g("latitude"),
        longitude: g("longitude"),
        join_url: g("join_url"),
        time_zone: g("time_zone"),
        starts_at: g("starts_at"),
        ends_at: g("ends_at"),
        capacity: g("capacity"),
        organisation_quota: g("organisation_quota"),
        registration_opens_at: g("registration_opens_at"),
        registration_closes_at: g("registration_closes_at"),
        offer_hours: g("offer_hours"),
    }
}

#[allow(clippy::too_many_arguments)]
fn form_page<'a>(
    ctx: &'a Ctx,
    title: String,
    action: String,
    back: String,
    version: Option<i64>,
    form: HashMap<String, String>,
    errors: Vec<ShownError>,
    conflict: bool,
) -> FormPage<'a> {
    let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
    let modes: Vec<&str> = AttendanceMode::ALL.iter().map(|k| k.as_str()).collect();
    let kind = form.get("kind").cloned().unwrap_or_default();
    let mode = form.get("attendance_mode").cloned().unwrap_or_default();
    FormPage {
        kinds: choices(ctx, "event-kind", &kinds, &kind, None),
        modes: choices(ctx, "event-mode", &modes, &mode, None),
        ctx,
        title,
        action,
        back,
        version,
        conflict,
        errors,
        form,
    }
}

async fn new(ctx: Ctx, Path(slug): Path<String>) -> Response {
    ctx.respond(async {
        let p = net::programme(&ctx.state, &slug).await?;
        ops::may_create(&ctx.state, &ctx.caller, &p).await?;
        let raw = RawEvent {
            kind: "cohort-meeting".into(),
            attendance_mode: "in-person".into(),
            time_zone: "Europe/Brussels".into(),
            offer_hours: "48".into(),
            ..RawEvent::default()
        };
        let title = ctx.t.get("events-new-title");
        let back = format!("/programmes/{slug}/events");
        let action = format!("/programmes/{slug}/events/new");
        Ok(ctx.render(form_page(&ctx, title, action, back, None, form_of(&raw), vec![], false)))
    })
    .await
}

async fn new_post(ctx: Ctx, Path(slug): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let p = net::programme(&ctx.state, &slug).await?;
        let done = ops::create(&ctx.state, &ctx.caller, &p, &raw_of(&form))
            .await
            .map(|e| redirect(&format!("/events/{}", e.id)));
        ctx.after_form(done, async |errors| {
            let title = ctx.t.get("events-new-title");
            let back = format!("/programmes/{slug}/events");
            let action = format!("/programmes/{slug}/events/new");
            Ok(form_page(&ctx, title, action, back, None, form.0.clone(), errors, false))
        })
        .await
    })
    .await
}

async fn edit(ctx: Ctx, Path(id): Path<String>) -> Response {
    ctx.respond(async {
        let loaded = ops::load_for(&ctx.state, &ctx.caller, &id, Action::ManageEvents).await?;
        let e = &loaded.event;
        let title = ctx.t.with("events-edit-title", &[("event", &e.title)]);
        let page = form_page(
            &ctx,
            title,
            format!("/events/{id}/edit"),
            format!("/events/{id}"),
            Some(e.version),
            form_of(&e.input().raw()),
            vec![],
            false,
        );
        Ok(ctx.render(page))
    })
    .await
}

async fn edit_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let loaded = ops::load_for(&ctx.state, &ctx.caller, &id, Action::ManageEvents).await?;
        let sent = form.version().unwrap_or(0);
        let done = ops::update(&ctx.state, &ctx.caller, &loaded, sent, &raw_of(&form))
            .await
            .map(|e| redirect(&format!("/events/{}?done=saved", e.id)));
        let title = ctx.t.with("events-edit-title", &[("event", &loaded.event.title)]);
        ctx.after_versioned_form(done, (sent, loaded.event.version), async |errors, conflict, version| {
            let form = if conflict { form_of(&loaded.event.input().raw()) } else { form.0.clone() };
            Ok(form_page(
                &ctx,
                title,
                format!("/events/{id}/edit"),
                format!("/events/{id}"),
                Some(version),
                form,
                errors,
                conflict,
            ))
        })
        .await
    })
    .await
}

// ---- status changes (cancelling asks first) -------------------------------------------------------

#[derive(Template)]
#[template(path = "event_status.html")]
struct StatusPage<'a> {
    ctx: &'a Ctx,
    view: EventView,
    to: String,
    to_label: String,
    warning: String,
}

async fn status(ctx: Ctx, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    ctx.respond(async {
        let loaded = ops::load_for(&ctx.state, &ctx.caller, &id, Action::ManageEvents).await?;
        let to = EventStatus::parse(q.get("to").map(String::as_str).unwrap_or(""))
            .map_err(|e| AppError::bad_parameter("to", e.code, e.message))?;
        let warning = ctx.t.get(&format!("events-status-warning-{to}"));
        Ok(ctx.render(StatusPage {
            to_label: ctx.t.get(&format!("events-status-to-{to}")),
            to: to.as_str().into(),
            warning,
            view: EventView::of(&ctx, loaded.event),
            ctx: &ctx,
        }))
    })
    .await
}

async fn status_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let loaded = ops::load_for(&ctx.state, &ctx.caller, &id, Action::ManageEvents).await?;
        let version = form.version().unwrap_or(0);
        ops::set_status(&ctx.state, &ctx.caller, &loaded, version, form.get("status")).await?;
        Ok(redirect(&format!("/events/{id}?done=status")))
    })
    .await
}

// ---- accepting an offered place -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "event_offer.html")]
struct OfferPage<'a> {
    ctx: &'a Ctx,
    view: EventView,
    token: String,
    offered: bool,
    until: String,
}

async fn offer(ctx: Ctx, Path(token): Path<String>) -> Response {
    ctx.respond(async {
        let o = ops::offer(&ctx.state, &ctx.caller, &token).await?;
        let offered = o.registration.state == RegistrationState::Offered;
        let until =
            o.registration.offer_expires_at.map(|t| ops::local_label(t, &o.event.time_zone)).unwrap_or_default();
        Ok(ctx.render(OfferPage { view: EventView::of(&ctx, o.event), token, offered, until, ctx: &ctx }))
    })
    .await
}

async fn offer_post(ctx: Ctx, Path(token): Path<String>, _form: PageForm) -> Response {
    ctx.respond(async {
        let o = ops::offer(&ctx.state, &ctx.caller, &token).await?;
        ops::accept_offer(&ctx.state, &ctx.caller, &o).await?;
        Ok(redirect(&format!("/events/{}?done=accepted", o.event.id)))
    })
    .await
}
