//! The `convenings` capability: the programme's events (kick-off, cohort meetings, workshops, study
//! visits, webinars, launches), their agenda, registration with a waiting list and offers of freed
//! places, and their calendars (iCalendar, RFC 5545).
//!
//! Every rule is documented with worked examples in `docs/convenings.md`.

pub mod event;
pub mod ical;
pub mod registration;

pub use event::{
    AttendanceMode, DEFAULT_OFFER_HOURS, EventInput, EventKind, EventStatus, RawEvent, RawSession, SessionInput,
    local_time, parse_local, parse_zone,
};
pub use registration::{Admission, Holder, Limits, RegistrationState, admit, offers_to_make, waiting_position};
