//! iCalendar (RFC 5545) for events: one event's file and a programme's feed.
//!
//! Times are written as UTC instants (`DTSTART:20260329T080000Z`), which RFC 5545 §3.3.5 allows
//! for any event and which every client converts to the reader's zone exactly, whatever daylight
//! saving does (no VTIMEZONE is then needed, and none can be wrong). The event's own zone is named
//! in `X-URBIS-TZID` for readers who want it. Each event keeps its UID for life; SEQUENCE is the
//! number of changes since it was created (its version − 1), so it grows on every change; a
//! cancelled event stays in the feed with `STATUS:CANCELLED`. Lines end with CRLF and are folded
//! at 75 octets without splitting a UTF-8 character. No METHOD: a feed is not an iTIP message.

use chrono::{DateTime, Utc};

/// One event as a calendar shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarEvent {
    /// Stable for the event's life, e.g. `<uuid>@urbis`.
    pub uid: String,
    pub sequence: i64,
    /// When the event was last changed (DTSTAMP and LAST-MODIFIED).
    pub stamp: DateTime<Utc>,
    pub created: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub geo: Option<(f64, f64)>,
    /// The event's page.
    pub url: String,
    /// `CONFIRMED`, `TENTATIVE` (postponed) or `CANCELLED`.
    pub status: &'static str,
    pub category: String,
}

/// `YYYYMMDDTHHMMSSZ`.
pub fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value escaped (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded at 75 octets (continuations start with a space), ending with CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// A calendar named `name` holding `events`.
pub fn calendar(name: &str, events: &[CalendarEvent]) -> String {
    let mut out = String::new();
    for l in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Urbis//Convenings//EN", "CALSCALE:GREGORIAN"] {
        line(&mut out, l);
    }
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    for e in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", escape(&e.uid)));
        line(&mut out, &format!("DTSTAMP:{}", utc(e.stamp)));
        line(&mut out, &format!("CREATED:{}", utc(e.created)));
        line(&mut out, &format!("LAST-MODIFIED:{}", utc(e.stamp)));
        line(&mut out, &format!("SEQUENCE:{}", e.sequence.max(0)));
        line(&mut out, &format!("DTSTART:{}", utc(e.starts_at)));
        line(&mut out, &format!("DTEND:{}", utc(e.ends_at)));
        line(&mut out, &format!("X-URBIS-TZID:{}", escape(&e.time_zone)));
        line(&mut out, &format!("SUMMARY:{}", escape(&e.summary)));
        if !e.description.is_empty() {
            line(&mut out, &format!("DESCRIPTION:{}", escape(&e.description)));
        }
        if !e.location.is_empty() {
            line(&mut out, &format!("LOCATION:{}", escape(&e.location)));
        }
        if let Some((lat, lon)) = e.geo {
            line(&mut out, &format!("GEO:{lat:.6};{lon:.6}"));
        }
        line(&mut out, &format!("CATEGORIES:{}", escape(&e.category)));
        line(&mut out, &format!("STATUS:{}", e.status));
        if !e.url.is_empty() {
            line(&mut out, &format!("URL:{}", e.url));
        }
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// A property of a parsed calendar: name, parameters (as written) and value (unescaped).
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub name: String,
    pub params: String,
    pub value: String,
}

/// Read a calendar back (for tests and checks): the properties of each VEVENT, after checking
/// that every line ends with CRLF, no line is longer than 75 octets, and the components nest.
pub fn parse(text: &str) -> Result<Vec<Vec<Property>>, String> {
    if !text.ends_with("\r\n") {
        return Err("the calendar must end with CRLF".into());
    }
    let mut lines: Vec<String> = vec![];
    for raw in text.split("\r\n").take_while(|_| true) {
        if raw.contains('\n') || raw.contains('\r') {
            return Err(format!("a bare line break in {raw:?}"));
        }
        if raw.len() > 75 {
            return Err(format!("a line of {} octets: {raw:?}", raw.len()));
        }
        if let Some(rest) = raw.strip_prefix(' ') {
            lines.last_mut().ok_or("a continuation before any line")?.push_str(rest);
        } else if !raw.is_empty() {
            lines.push(raw.to_string());
        }
    }
    let mut events = vec![];
    let mut current: Option<Vec<Property>> = None;
    let mut depth = vec![];
    for l in lines {
        let (head, value) = l.split_once(':').ok_or_else(|| format!("no colon in {l:?}"))?;
        let (name, params) = head.split_once(';').unwrap_or((head, ""));
        match (name, value) {
            ("BEGIN", comp) => {
                depth.push(comp.to_string());
                if comp == "VEVENT" {
                    current = Some(vec![]);
                }
            }
            ("END", comp) => {
                if depth.pop().as_deref() != Some(comp) {
                    return Err(format!("END:{comp} does not close what was begun"));
                }
                if comp == "VEVENT" {
                    events.push(current.take().ok_or("END:VEVENT without BEGIN")?);
                }
            }
            _ => {
                if let Some(props) = current.as_mut() {
                    props.push(Property { name: name.into(), params: params.into(), value: unescape(value) });
                }
            }
        }
    }
    if !depth.is_empty() {
        return Err(format!("unclosed {depth:?}"));
    }
    Ok(events)
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The value of property `name` of a parsed event.
pub fn value<'a>(event: &'a [Property], name: &str) -> Option<&'a str> {
    event.iter().find(|p| p.name == name).map(|p| p.value.as_str())
}

/// A `DTSTART`/`DTEND` value in UTC (`…Z`) as an instant.
pub fn parse_utc(s: &str) -> Option<DateTime<Utc>> {
    chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ").ok().map(|n| n.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convenings::event::{EventInput, RawEvent};

    fn event(raw: &RawEvent, sequence: i64) -> CalendarEvent {
        let e = EventInput::parse(raw).unwrap();
        CalendarEvent {
            uid: "0190-abc@urbis".into(),
            sequence,
            stamp: e.starts_at,
            created: e.starts_at,
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            time_zone: e.time_zone,
            summary: e.title,
            description: "Line one\nwith; a comma, and a backslash \\".into(),
            location: "Câmara Municipal, Praça do Município".into(),
            geo: Some((38.7077, -9.1365)),
            url: "https://urbis.example.org/events/x".into(),
            status: "CONFIRMED",
            category: "cohort-meeting".into(),
        }
    }

    /// Two Berlin events at 10:00 local, one each side of the spring change: 09:00 Z, then 08:00 Z.
    #[test]
    fn times_are_exact_across_daylight_saving() {
        let raw = |day: &str| RawEvent {
            title: format!("Webinar {day} — a long title that will need folding because it is longer than the line"),
            kind: "webinar".into(),
            attendance_mode: "online".into(),
            time_zone: "Europe/Berlin".into(),
            starts_at: format!("{day}T10:00"),
            ends_at: format!("{day}T11:30"),
            ..RawEvent::default()
        };
        let text = calendar("Programme, events", &[event(&raw("2026-03-28"), 0), event(&raw("2026-03-30"), 3)]);
        assert!(text.split("\r\n").all(|l| l.len() <= 75));
        let events = parse(&text).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(value(&events[0], "DTSTART"), Some("20260328T090000Z"));
        assert_eq!(value(&events[1], "DTSTART"), Some("20260330T080000Z"));
        assert_eq!(value(&events[1], "DTEND"), Some("20260330T093000Z"));
        assert_eq!(value(&events[1], "SEQUENCE"), Some("3"));
        assert!(value(&events[0], "SUMMARY").unwrap().ends_with("longer than the line"));
        assert_eq!(value(&events[0], "DESCRIPTION"), Some("Line one\nwith; a comma, and a backslash \\"));
        assert_eq!(value(&events[0], "LOCATION"), Some("Câmara Municipal, Praça do Município"));
        let start = parse_utc(value(&events[1], "DTSTART").unwrap()).unwrap();
        assert_eq!(crate::convenings::local_time(start, "Europe/Berlin").to_string(), "2026-03-30 10:00:00");
    }

    #[test]
    fn folding_never_splits_a_character() {
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", "é".repeat(100)));
        for l in out.split("\r\n") {
            assert!(l.len() <= 75);
        }
        let unfolded: String = out.trim_end().split("\r\n").map(|l| l.strip_prefix(' ').unwrap_or(l)).collect();
        assert_eq!(unfolded, format!("SUMMARY:{}", "é".repeat(100)));
    }
}
