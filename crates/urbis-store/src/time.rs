use chrono::{DateTime, SecondsFormat, Utc};

/// The current time, truncated to microseconds so that stored and in-memory values compare equal.
pub fn now() -> DateTime<Utc> {
    let n = Utc::now();
    DateTime::from_timestamp_micros(n.timestamp_micros()).unwrap_or(n)
}

/// Format a time for storage: fixed-width UTC RFC 3339 with microseconds, which sorts as text.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parse a stored time.
pub fn parse_ts(s: &str) -> Result<DateTime<Utc>, crate::StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| crate::StoreError::Corrupt(format!("bad timestamp {s:?}: {e}")))
}
