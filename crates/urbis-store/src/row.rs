//! Decoding stored rows: one helper per stored type, written once for every repository; the
//! [`Column`] of each type a record's field can have, and the [`Decode`] of each record, which
//! [`record!`] writes from the record's declaration.
//!
//! The store writes identifiers as hyphenated UUID text, times as fixed-width RFC 3339 UTC text
//! (see [`crate::ts`]), dates as `YYYY-MM-DD` text, flags as BIGINT 0/1 and lists as
//! comma-separated text. A column the database cannot hand over as the asked type is a database
//! error (sqlx names the column); a value that does not parse as what the store wrote is
//! [`StoreError::Corrupt`] naming the column.

use crate::diagnostic::pulse::Campaign;
use crate::diagnostic::{Assessment, PlanItem, Wave};
use crate::network::{Invitation, Organisation, Person};
use crate::services::{Indicator, Milestone, Phase, Service};
use crate::{Result, StoreError, parse_ts};
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::fmt::Display;
use uuid::Uuid;

/// Parse a stored identifier.
pub(crate) fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("bad id {s:?}: {e}")))
}

/// Parse a stored date (`YYYY-MM-DD`).
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(format!("bad date {s:?}: {e}")))
}

/// Split a stored comma-separated list (empty text is the empty list).
pub(crate) fn split_list(s: &str) -> Vec<String> {
    s.split(',').filter(|p| !p.is_empty()).map(str::to_string).collect()
}

/// Name the column in a decoding error about its value.
fn in_column(col: &str, e: StoreError) -> StoreError {
    match e {
        StoreError::Corrupt(m) => StoreError::Corrupt(format!("column {col}: {m}")),
        other => other,
    }
}

fn bad_value(col: &str, value: &str, e: impl Display) -> StoreError {
    StoreError::Corrupt(format!("column {col}: bad value {value:?}: {e}"))
}

/// Typed access to the columns of a row, as the store writes them.
pub(crate) trait RowExt {
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn int(&self, col: &str) -> Result<i64>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>>;
    fn float(&self, col: &str) -> Result<f64>;
    fn opt_float(&self, col: &str) -> Result<Option<f64>>;
    /// A flag stored as BIGINT 0/1 (any non-zero value is true).
    fn flag(&self, col: &str) -> Result<bool>;
    fn uuid(&self, col: &str) -> Result<Uuid>;
    fn opt_uuid(&self, col: &str) -> Result<Option<Uuid>>;
    fn ts(&self, col: &str) -> Result<DateTime<Utc>>;
    fn opt_ts(&self, col: &str) -> Result<Option<DateTime<Utc>>>;
    fn date(&self, col: &str) -> Result<NaiveDate>;
    fn opt_date(&self, col: &str) -> Result<Option<NaiveDate>>;
    /// A comma-separated list.
    fn list(&self, col: &str) -> Result<Vec<String>>;
    /// A comma-separated list whose items each parse with `parse`.
    fn list_of<T, E: Display>(&self, col: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<Vec<T>>;
    /// A text column parsed by a domain type's parser (an enumeration, a specification).
    fn parsed<T, E: Display>(&self, col: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<T>;
    /// A JSON document stored as text.
    fn json<T: DeserializeOwned>(&self, col: &str) -> Result<T>;
    /// A value of any type with a [`Column`].
    fn read<T: Column>(&self, col: &str) -> Result<T>;
}

impl RowExt for AnyRow {
    fn text(&self, col: &str) -> Result<String> {
        Ok(self.try_get(col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        Ok(self.try_get(col)?)
    }
    fn int(&self, col: &str) -> Result<i64> {
        Ok(self.try_get(col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        Ok(self.try_get(col)?)
    }
    fn float(&self, col: &str) -> Result<f64> {
        Ok(self.try_get(col)?)
    }
    fn opt_float(&self, col: &str) -> Result<Option<f64>> {
        Ok(self.try_get(col)?)
    }
    fn flag(&self, col: &str) -> Result<bool> {
        Ok(self.int(col)? != 0)
    }
    fn uuid(&self, col: &str) -> Result<Uuid> {
        parse_uuid(&self.text(col)?).map_err(|e| in_column(col, e))
    }
    fn opt_uuid(&self, col: &str) -> Result<Option<Uuid>> {
        self.opt_text(col)?.as_deref().map(parse_uuid).transpose().map_err(|e| in_column(col, e))
    }
    fn ts(&self, col: &str) -> Result<DateTime<Utc>> {
        parse_ts(&self.text(col)?).map_err(|e| in_column(col, e))
    }
    fn opt_ts(&self, col: &str) -> Result<Option<DateTime<Utc>>> {
        self.opt_text(col)?.as_deref().map(parse_ts).transpose().map_err(|e| in_column(col, e))
    }
    fn date(&self, col: &str) -> Result<NaiveDate> {
        parse_date(&self.text(col)?).map_err(|e| in_column(col, e))
    }
    fn opt_date(&self, col: &str) -> Result<Option<NaiveDate>> {
        self.opt_text(col)?.as_deref().map(parse_date).transpose().map_err(|e| in_column(col, e))
    }
    fn list(&self, col: &str) -> Result<Vec<String>> {
        Ok(split_list(&self.text(col)?))
    }
    fn list_of<T, E: Display>(&self, col: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<Vec<T>> {
        self.list(col)?.iter().map(|item| parse(item).map_err(|e| bad_value(col, item, e))).collect()
    }
    fn parsed<T, E: Display>(&self, col: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<T> {
        let s = self.text(col)?;
        parse(&s).map_err(|e| bad_value(col, &s, e))
    }
    fn json<T: DeserializeOwned>(&self, col: &str) -> Result<T> {
        let s = self.text(col)?;
        serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("column {col}: {e}")))
    }
    fn read<T: Column>(&self, col: &str) -> Result<T> {
        T::read(self, col)
    }
}

/// A value read from the column of a row it is stored in (see [`crate::value::Value`] for how it
/// is written).
pub(crate) trait Column: Sized {
    fn read(r: &AnyRow, col: &str) -> Result<Self>;
}

/// `Column` for the types [`RowExt`] reads with one of its methods.
macro_rules! columns_by {
    ($($t:ty => $read:ident),+ $(,)?) => {
        $(impl Column for $t {
            fn read(r: &AnyRow, col: &str) -> Result<Self> {
                r.$read(col)
            }
        })+
    };
}

columns_by! {
    String => text,
    Option<String> => opt_text,
    i64 => int,
    Option<i64> => opt_int,
    f64 => float,
    Option<f64> => opt_float,
    bool => flag,
    Uuid => uuid,
    Option<Uuid> => opt_uuid,
    DateTime<Utc> => ts,
    Option<DateTime<Utc>> => opt_ts,
    NaiveDate => date,
    Option<NaiveDate> => opt_date,
    Vec<String> => list,
}

impl Column for u32 {
    fn read(r: &AnyRow, col: &str) -> Result<Self> {
        let n = r.int(col)?;
        u32::try_from(n).map_err(|e| bad_value(col, &n.to_string(), e))
    }
}

impl Column for Option<u64> {
    fn read(r: &AnyRow, col: &str) -> Result<Self> {
        let n = r.opt_int(col)?;
        n.map(|n| u64::try_from(n).map_err(|e| bad_value(col, &n.to_string(), e))).transpose()
    }
}

impl Column for Vec<u8> {
    fn read(r: &AnyRow, col: &str) -> Result<Self> {
        r.list_of(col, str::parse::<u8>)
    }
}

impl Column for Vec<urbis_domain::services::Channel> {
    fn read(r: &AnyRow, col: &str) -> Result<Self> {
        r.list_of(col, urbis_domain::services::Channel::parse)
    }
}

impl Column for urbis_domain::services::BreakdownSpec {
    fn read(r: &AnyRow, col: &str) -> Result<Self> {
        r.parsed(col, Self::parse)
    }
}

impl Column for urbis_domain::diagnostic::Answer {
    fn read(r: &AnyRow, col: &str) -> Result<Self> {
        r.json(col)
    }
}

/// A record read from a row: every query helper of [`crate::query`] decodes its rows with this.
pub(crate) trait Decode: Sized {
    fn decode(r: &AnyRow) -> Result<Self>;
}

/// A record held inside another (`#[serde(flatten)]`, or a group of columns such as an
/// indicator's goal) is read from the same row's columns.
impl<T: Decode> Column for T {
    fn read(r: &AnyRow, _col: &str) -> Result<Self> {
        T::decode(r)
    }
}

/// Declare a stored record: the struct as written, and its [`Decode`], which reads each field
/// from the column of the same name, as the field's type is stored (its [`Column`]).
/// `struct Milestone in "service_milestones" { … }` also makes it the [`Record`] of that table
/// with every default (all columns, `id`, `updated_at`); a record read with other tables' columns
/// implements [`Record`] itself.
macro_rules! record {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident $(in $table:literal)? {
            $($(#[$field_meta:meta])* $field_vis:vis $field:ident: $ty:ty),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $($(#[$field_meta])* $field_vis $field: $ty),+
        }

        impl $crate::row::Decode for $name {
            fn decode(r: &sqlx::any::AnyRow) -> $crate::Result<Self> {
                Ok($name { $($field: $crate::row::Column::read(r, stringify!($field))?),+ })
            }
        }

        $(impl $crate::row::Record for $name {
            const TABLE: &'static str = $table;
        })?
    };
}
pub(crate) use record;

/// Where a record with an identifier is stored and how it is read: every read of the record
/// selects [`Record::COLUMNS`] [`Record::FROM`], and a new one is inserted into [`Record::TABLE`].
pub(crate) trait Record: Decode {
    /// The table the record is inserted into and updated in.
    const TABLE: &'static str;
    /// The columns every read selects: all of the table's, or named with those of joined tables.
    const COLUMNS: &'static str = "*";
    /// What the columns are selected from: the table, or the table (aliased) and its joins.
    const FROM: &'static str = Self::TABLE;
    /// The record's identifier column in [`Record::FROM`], e.g. `i.id`.
    const ID: &'static str = "id";
    /// Does the table keep the time of a record's last change (`updated_at`, set by every versioned
    /// insert and update)?
    const UPDATED_AT: bool = true;
}

/// A record changed under optimistic concurrency: its `version` column.
pub(crate) trait Versioned: Record {
    fn version(&self) -> i64;
}

/// Implement [`Versioned`] for records with a `version` field.
macro_rules! versioned {
    ($($t:ty),+ $(,)?) => {
        $(impl Versioned for $t {
            fn version(&self) -> i64 {
                self.version
            }
        })+
    };
}

versioned!(
    Organisation,
    Person,
    Invitation,
    Service,
    Milestone,
    Phase,
    Indicator,
    PlanItem,
    Wave,
    Assessment,
    Campaign
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_parses_and_bad_text_is_corrupt() {
        assert_eq!(split_list(""), Vec::<String>::new());
        assert_eq!(split_list("a,,b"), ["a", "b"]);
        assert_eq!(parse_date("2026-03-01").unwrap(), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        assert!(matches!(parse_date("2026-13-01"), Err(StoreError::Corrupt(_))));
        assert!(matches!(parse_uuid("nope"), Err(StoreError::Corrupt(_))));
        let named = in_column("due_on", parse_date("x").unwrap_err());
        assert!(matches!(named, StoreError::Corrupt(m) if m.starts_with("column due_on: bad date")));
    }
}
