//! An event of a programme and the sessions of its agenda: what a manager types, checked field by
//! field. Times are typed as local date-times in the event's IANA zone and stored as UTC instants
//! with that zone (see "Times" in `docs/convenings.md`).

use crate::choice::choice;
use crate::network::{optional_text, required_name};
use crate::{FieldError, Invalid};
use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// How long a waiting person has to accept a freed place when the event does not say.
pub const DEFAULT_OFFER_HOURS: i64 = 48;

choice!(
    /// What kind of gathering an event is.
    EventKind in "kebab-case", "kind", "invalid-choice",
    "must be one of kick-off, cohort-meeting, workshop, study-visit, webinar, launch",
    {
        KickOff => "kick-off",
        CohortMeeting => "cohort-meeting",
        Workshop => "workshop",
        StudyVisit => "study-visit",
        Webinar => "webinar",
        Launch => "launch",
    }
);

choice!(
    /// Where people attend: at the venue, online, or either.
    AttendanceMode in "kebab-case", "attendance_mode", "invalid-choice", "must be one of in-person, online, mixed",
    { InPerson => "in-person", Online => "online", Mixed => "mixed" }
);

impl AttendanceMode {
    pub fn has_venue(self) -> bool {
        matches!(self, AttendanceMode::InPerson | AttendanceMode::Mixed)
    }
    pub fn is_online(self) -> bool {
        matches!(self, AttendanceMode::Online | AttendanceMode::Mixed)
    }
}

choice!(
    /// Where an event stands.
    EventStatus in "kebab-case", "status", "invalid-choice", "must be one of scheduled, postponed, cancelled, held",
    { Scheduled => "scheduled", Postponed => "postponed", Cancelled => "cancelled", Held => "held" }
);

impl EventStatus {
    /// May an event in this status move to `next`? Scheduled events are postponed, cancelled or
    /// held; a postponed one is scheduled again (with new times) or cancelled; cancelled and held
    /// are final.
    pub fn can_become(self, next: EventStatus) -> bool {
        use EventStatus::*;
        matches!((self, next), (Scheduled, Postponed | Cancelled | Held) | (Postponed, Scheduled | Cancelled))
    }

    /// Are registrations taken (or cancelled) in this status?
    pub fn takes_registrations(self) -> bool {
        self == EventStatus::Scheduled
    }
}

/// Is `name` an IANA time zone this build knows (e.g. `Europe/Lisbon`)?
pub fn parse_zone(field: &str, name: &str) -> Result<Tz, FieldError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(FieldError::new(field, "required", "must not be empty"));
    }
    name.parse::<Tz>()
        .map_err(|_| FieldError::new(field, "unknown-time-zone", "must be an IANA time zone such as Europe/Berlin"))
}

/// A local date-time typed as `YYYY-MM-DDTHH:MM` (seconds and a space instead of `T` allowed),
/// resolved in `zone`.
///
/// A local time that does not exist (skipped when the clocks go forward, e.g. 02:30 on the last
/// Sunday of March in Europe/Berlin) is refused with `nonexistent-local-time`; a local time that
/// happens twice (when the clocks go back) is the earlier instant, the one still on summer time.
pub fn parse_local(field: &str, s: &str, zone: Tz) -> Result<DateTime<Utc>, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, "required", "must not be empty"));
    }
    let naive = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .ok_or_else(|| {
            FieldError::new(field, "invalid-datetime", "must be a date and time written as YYYY-MM-DDTHH:MM")
        })?;
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(earlier, _) => Ok(earlier.with_timezone(&Utc)),
        LocalResult::None => Err(FieldError::new(
            field,
            "nonexistent-local-time",
            format!(
                "{} does not exist in {} (the clocks go forward then); choose a time an hour later",
                naive.format("%Y-%m-%d %H:%M"),
                zone.name()
            ),
        )),
    }
}

/// An instant as the local date-time of `zone` (the zone's name is checked when the event is
/// written; an unknown one shows UTC).
pub fn local_time(t: DateTime<Utc>, zone: &str) -> NaiveDateTime {
    match zone.parse::<Tz>() {
        Ok(tz) => t.with_timezone(&tz).naive_local(),
        Err(_) => t.naive_utc(),
    }
}

/// An event as typed (form or API): text fields, checked by [`EventInput::parse`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawEvent {
    pub title: String,
    pub description: String,
    pub kind: String,
    pub attendance_mode: String,
    pub venue_name: String,
    pub venue_address: String,
    pub latitude: String,
    pub longitude: String,
    pub join_url: String,
    pub time_zone: String,
    /// Local date-times in `time_zone`, `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    pub ends_at: String,
    /// Empty: unlimited.
    pub capacity: String,
    /// Empty: no per-organisation limit.
    pub organisation_quota: String,
    /// Empty: registration opens at once / closes when the event starts.
    pub registration_opens_at: String,
    pub registration_closes_at: String,
    /// Hours a waiting person has to accept a freed place; empty is 48.
    pub offer_hours: String,
}

/// A checked event: times as UTC instants with the zone they were typed in.
#[derive(Debug, Clone, PartialEq)]
pub struct EventInput {
    pub title: String,
    pub description: String,
    pub kind: EventKind,
    pub attendance_mode: AttendanceMode,
    pub venue_name: String,
    pub venue_address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Empty when there is none (yet).
    pub join_url: String,
    pub time_zone: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: Option<i64>,
    pub organisation_quota: Option<i64>,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub offer_hours: i64,
}

/// The largest capacity an event can have.
pub const MAX_CAPACITY: i64 = 100_000;

fn whole(field: &str, s: &str, min: i64, max: i64) -> Result<Option<i64>, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(FieldError::new(field, "out-of-range", format!("must be a whole number from {min} to {max}"))),
    }
}

fn coordinate(field: &str, s: &str, limit: f64) -> Result<Option<f64>, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (-limit..=limit).contains(&v) => Ok(Some(v)),
        Ok(_) => Err(FieldError::new(field, "out-of-range", format!("must be between -{limit} and {limit}"))),
        Err(_) => Err(FieldError::new(field, "invalid-number", "must be a decimal number such as 38.7223")),
    }
}

/// An http(s) link (join link, material), or empty.
pub fn optional_url(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    let invalid = || FieldError::new(field, "invalid-url", "enter a web address starting with https:// or http://");
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")).ok_or_else(invalid)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if s.len() > 500 || host.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control() || "\"<>".contains(c))
    {
        return Err(invalid());
    }
    Ok(s.to_string())
}

impl EventInput {
    /// Check every field, naming each one that is wrong and why.
    pub fn parse(raw: &RawEvent) -> Result<EventInput, Invalid> {
        let mut bad = Invalid::default();
        let title = bad.take("title", required_name("title", &raw.title, 200));
        let description = bad.take("description", optional_text("description", &raw.description, 10_000));
        let kind = bad.take("kind", EventKind::parse(&raw.kind));
        let mode = bad.take("attendance_mode", AttendanceMode::parse(&raw.attendance_mode));
        let venue_name = bad.take("venue_name", optional_text("venue_name", &raw.venue_name, 200));
        let venue_address = bad.take("venue_address", optional_text("venue_address", &raw.venue_address, 500));
        let latitude = bad.take("latitude", coordinate("latitude", &raw.latitude, 90.0));
        let longitude = bad.take("longitude", coordinate("longitude", &raw.longitude, 180.0));
        let join_url = bad.take("join_url", optional_url("join_url", &raw.join_url));
        let zone = bad.take("time_zone", parse_zone("time_zone", &raw.time_zone));
        let capacity = bad.take("capacity", whole("capacity", &raw.capacity, 1, MAX_CAPACITY));
        let quota =
            bad.take("organisation_quota", whole("organisation_quota", &raw.organisation_quota, 1, MAX_CAPACITY));
        let offer_hours = bad.take("offer_hours", whole("offer_hours", &raw.offer_hours, 1, 14 * 24));
        let (mut starts_at, mut ends_at, mut opens, mut closes) = (None, None, None, None);
        if let Some(zone) = zone {
            starts_at = bad.take("starts_at", parse_local("starts_at", &raw.starts_at, zone));
            ends_at = bad.take("ends_at", parse_local("ends_at", &raw.ends_at, zone));
            let optional = |field: &str, s: &str| {
                if s.trim().is_empty() { Ok(None) } else { parse_local(field, s, zone).map(Some) }
            };
            opens = bad.take("registration_opens_at", optional("registration_opens_at", &raw.registration_opens_at));
            closes =
                bad.take("registration_closes_at", optional("registration_closes_at", &raw.registration_closes_at));
        }
        if let (Some(s), Some(e)) = (starts_at, ends_at)
            && e <= s
        {
            bad.0.push(FieldError::new("ends_at", "ends-before-start", "must be after the start"));
        }
        if let (Some(Some(c)), Some(e)) = (closes, ends_at)
            && c > e
        {
            bad.0.push(FieldError::new(
                "registration_closes_at",
                "closes-after-end",
                "registration must close before the event ends",
            ));
        }
        if let (Some(Some(o)), Some(Some(c))) = (opens, closes)
            && o >= c
        {
            bad.0.push(FieldError::new(
                "registration_opens_at",
                "opens-after-close",
                "registration must open before it closes",
            ));
        }
        match (latitude, longitude) {
            (Some(None), Some(Some(_))) => {
                bad.0.push(FieldError::new("latitude", "required", "give both coordinates or neither"))
            }
            (Some(Some(_)), Some(None)) => {
                bad.0.push(FieldError::new("longitude", "required", "give both coordinates or neither"))
            }
            _ => {}
        }
        if let (Some(m), Some(v)) = (mode, &venue_name)
            && m.has_venue()
            && v.is_empty()
        {
            bad.0.push(FieldError::new("venue_name", "required", "an event held in person needs its venue"));
        }
        if let (Some(Some(c)), Some(Some(q))) = (capacity, quota)
            && q > c
        {
            bad.0.push(FieldError::new("organisation_quota", "quota-above-capacity", "must not exceed the capacity"));
        }
        bad.into_result()?;
        let (Some(kind), Some(mode)) = (kind, mode) else { return Err(Invalid::default()) };
        Ok(EventInput {
            title: title.unwrap_or_default(),
            description: description.unwrap_or_default(),
            kind,
            attendance_mode: mode,
            venue_name: venue_name.unwrap_or_default(),
            venue_address: venue_address.unwrap_or_default(),
            latitude: latitude.flatten(),
            longitude: longitude.flatten(),
            join_url: join_url.unwrap_or_default(),
            time_zone: zone.map(|z| z.name().to_string()).unwrap_or_default(),
            starts_at: starts_at.unwrap_or_default(),
            ends_at: ends_at.unwrap_or_default(),
            capacity: capacity.flatten(),
            organisation_quota: quota.flatten(),
            registration_opens_at: opens.flatten(),
            registration_closes_at: closes.flatten(),
            offer_hours: offer_hours.flatten().unwrap_or(DEFAULT_OFFER_HOURS),
        })
    }

    /// The event as typed (for an edit form or a PATCH): times back in its zone.
    pub fn raw(&self) -> RawEvent {
        let local = |t: DateTime<Utc>| local_time(t, &self.time_zone).format("%Y-%m-%dT%H:%M").to_string();
        let num = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        RawEvent {
            title: self.title.clone(),
            description: self.description.clone(),
            kind: self.kind.as_str().into(),
            attendance_mode: self.attendance_mode.as_str().into(),
            venue_name: self.venue_name.clone(),
            venue_address: self.venue_address.clone(),
            latitude: self.latitude.map(|v| v.to_string()).unwrap_or_default(),
            longitude: self.longitude.map(|v| v.to_string()).unwrap_or_default(),
            join_url: self.join_url.clone(),
            time_zone: self.time_zone.clone(),
            starts_at: local(self.starts_at),
            ends_at: local(self.ends_at),
            capacity: num(self.capacity),
            organisation_quota: num(self.organisation_quota),
            registration_opens_at: self.registration_opens_at.map(local).unwrap_or_default(),
            registration_closes_at: self.registration_closes_at.map(local).unwrap_or_default(),
            offer_hours: self.offer_hours.to_string(),
        }
    }

    /// When registration closes: the closing time given, else the start.
    pub fn closes(&self) -> DateTime<Utc> {
        self.registration_closes_at.unwrap_or(self.starts_at)
    }
}

/// A session of an event's agenda as typed: local times in the event's zone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawSession {
    pub title: String,
    pub starts_at: String,
    pub ends_at: String,
    /// Room or track.
    pub room: String,
    /// Speakers: people of the directory or named guests, one per line or comma-separated.
    pub speakers: String,
    pub material_url: String,
}

/// A checked session of an agenda.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionInput {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub room: String,
    pub speakers: String,
    pub material_url: String,
}

impl SessionInput {
    /// Check a session of an event held from `event_start` to `event_end` in `zone`: it must lie
    /// within the event.
    pub fn parse(
        raw: &RawSession,
        zone: &str,
        event_start: DateTime<Utc>,
        event_end: DateTime<Utc>,
    ) -> Result<SessionInput, Invalid> {
        let mut bad = Invalid::default();
        let title = bad.take("title", required_name("title", &raw.title, 200));
        let room = bad.take("room", optional_text("room", &raw.room, 200));
        let speakers = bad.take("speakers", optional_text("speakers", &raw.speakers, 1000));
        let material_url = bad.take("material_url", optional_url("material_url", &raw.material_url));
        let zone = parse_zone("time_zone", zone).map_err(|e| Invalid(vec![e]))?;
        let starts_at = bad.take("starts_at", parse_local("starts_at", &raw.starts_at, zone));
        let ends_at = bad.take("ends_at", parse_local("ends_at", &raw.ends_at, zone));
        if let (Some(s), Some(e)) = (starts_at, ends_at) {
            if e <= s {
                bad.0.push(FieldError::new("ends_at", "ends-before-start", "must be after the start"));
            } else if s < event_start || e > event_end {
                bad.0.push(FieldError::new("starts_at", "outside-event", "a session must lie within its event"));
            }
        }
        bad.into_result()?;
        Ok(SessionInput {
            title: title.unwrap_or_default(),
            starts_at: starts_at.unwrap_or_default(),
            ends_at: ends_at.unwrap_or_default(),
            room: room.unwrap_or_default(),
            speakers: speakers.unwrap_or_default(),
            material_url: material_url.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn raw() -> RawEvent {
        RawEvent {
            title: "Cohort meeting in Lisbon".into(),
            kind: "cohort-meeting".into(),
            attendance_mode: "mixed".into(),
            venue_name: "Câmara Municipal".into(),
            time_zone: "Europe/Lisbon".into(),
            starts_at: "2026-03-29T09:00".into(),
            ends_at: "2026-03-29T17:00".into(),
            capacity: "5".into(),
            ..RawEvent::default()
        }
    }

    fn codes(e: Invalid) -> Vec<(String, &'static str)> {
        e.0.into_iter().map(|f| (f.field, f.code)).collect()
    }

    #[test]
    fn a_valid_event_parses_and_round_trips() {
        let e = EventInput::parse(&raw()).unwrap();
        // Lisbon is on WEST (UTC+1) from 01:00 UTC on 29 March 2026.
        assert_eq!(e.starts_at.to_rfc3339(), "2026-03-29T08:00:00+00:00");
        assert_eq!(e.offer_hours, 48);
        assert_eq!(e.capacity, Some(5));
        assert_eq!(EventInput::parse(&e.raw()).unwrap(), e);
    }

    #[test]
    fn validation_names_each_field() {
        let mut r = raw();
        r.ends_at = "2026-03-29T08:00".into();
        assert_eq!(codes(EventInput::parse(&r).unwrap_err()), [("ends_at".into(), "ends-before-start")]);
        let mut r = raw();
        r.registration_closes_at = "2026-03-30T08:00".into();
        assert_eq!(codes(EventInput::parse(&r).unwrap_err()), [("registration_closes_at".into(), "closes-after-end")]);
        let mut r = raw();
        r.latitude = "91".into();
        r.longitude = "-9.14".into();
        assert_eq!(codes(EventInput::parse(&r).unwrap_err()), [("latitude".into(), "out-of-range")]);
        let mut r = raw();
        r.latitude = "38.7".into();
        assert_eq!(codes(EventInput::parse(&r).unwrap_err()), [("longitude".into(), "required")]);
        let mut r = raw();
        r.time_zone = "Europe/Atlantis".into();
        assert_eq!(codes(EventInput::parse(&r).unwrap_err()), [("time_zone".into(), "unknown-time-zone")]);
        let mut r = raw();
        r.venue_name = String::new();
        r.capacity = "0".into();
        r.organisation_quota = "x".into();
        r.join_url = "javascript:alert(1)".into();
        r.kind = "party".into();
        assert_eq!(
            codes(EventInput::parse(&r).unwrap_err()),
            [
                ("kind".into(), "invalid-choice"),
                ("join_url".into(), "invalid-url"),
                ("capacity".into(), "out-of-range"),
                ("organisation_quota".into(), "out-of-range"),
                ("venue_name".into(), "required"),
            ]
        );
        let mut r = raw();
        r.organisation_quota = "6".into();
        assert_eq!(codes(EventInput::parse(&r).unwrap_err()), [("organisation_quota".into(), "quota-above-capacity")]);
    }

    /// Spring forward: Berlin skips 02:00–03:00 on 29 March 2026, Lisbon skips 01:00–02:00.
    #[test]
    fn nonexistent_local_times_are_refused_and_repeated_ones_are_the_earlier() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let lisbon: Tz = "Europe/Lisbon".parse().unwrap();
        let e = parse_local("starts_at", "2026-03-29T02:30", berlin).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("starts_at", "nonexistent-local-time"));
        assert!(e.message.contains("2026-03-29 02:30") && e.message.contains("Europe/Berlin"), "{}", e.message);
        // 02:30 exists in Lisbon that day (summer time already): 01:30 UTC.
        assert_eq!(parse_local("s", "2026-03-29T02:30", lisbon).unwrap().to_rfc3339(), "2026-03-29T01:30:00+00:00");
        assert_eq!(parse_local("s", "2026-03-29T01:30", lisbon).unwrap_err().code, "nonexistent-local-time");
        // Fall back: 02:30 happens twice in Berlin on 25 October 2026; the first (CEST, UTC+2) counts.
        assert_eq!(parse_local("s", "2026-10-25T02:30", berlin).unwrap().to_rfc3339(), "2026-10-25T00:30:00+00:00");
        assert_eq!(parse_local("s", "2026-10-25T03:30", berlin).unwrap().to_rfc3339(), "2026-10-25T02:30:00+00:00");
        // An event across the change lasts an hour less than its wall clock says.
        let mut r = raw();
        r.time_zone = "Europe/Berlin".into();
        r.starts_at = "2026-03-29T01:00".into();
        r.ends_at = "2026-03-29T04:00".into();
        let ev = EventInput::parse(&r).unwrap();
        assert_eq!((ev.ends_at - ev.starts_at).num_hours(), 2);
        r.starts_at = "2026-03-29T02:30".into();
        assert_eq!(codes(EventInput::parse(&r).unwrap_err()), [("starts_at".into(), "nonexistent-local-time")]);
    }

    #[test]
    fn statuses_move_forward_only() {
        use EventStatus::*;
        assert!(Scheduled.can_become(Cancelled) && Postponed.can_become(Scheduled));
        assert!(!Cancelled.can_become(Scheduled) && !Held.can_become(Cancelled) && !Scheduled.can_become(Scheduled));
    }

    #[test]
    fn sessions_lie_within_their_event() {
        let ev = EventInput::parse(&raw()).unwrap();
        let s = RawSession {
            title: "Opening".into(),
            starts_at: "2026-03-29T09:00".into(),
            ends_at: "2026-03-29T09:30".into(),
            ..RawSession::default()
        };
        assert!(SessionInput::parse(&s, &ev.time_zone, ev.starts_at, ev.ends_at).is_ok());
        let late = RawSession { ends_at: "2026-03-29T18:00".into(), ..s };
        let e = SessionInput::parse(&late, &ev.time_zone, ev.starts_at, ev.ends_at).unwrap_err();
        assert_eq!(e.0[0].code, "outside-event");
    }
}
