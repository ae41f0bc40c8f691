//! Writing values: how the store writes each kind of value into a column, once per type (the
//! mirror of [`crate::row::Column`], which reads it back), and [`Fields`], the named values of an
//! `INSERT` or an `UPDATE`, which write themselves into the statement's column list.
//!
//! Identifiers are written as hyphenated UUID text, times as fixed-width RFC 3339 UTC text (see
//! [`crate::ts`]), dates as `YYYY-MM-DD` text, flags as BIGINT 0/1, lists as comma-separated text
//! and the domain's closed choices by their slug.

use crate::query::AnyQuery;
use crate::ts;
use chrono::{DateTime, NaiveDate, Utc};
use urbis_domain::services::{BreakdownSpec, Channel};
use uuid::Uuid;

/// A value as it goes into a column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Stored {
    /// Written as the literal `NULL`: sqlx 0.9's `Any` driver gives a bound NULL a type of its own
    /// choosing (a NULL double goes to PostgreSQL as float4), which PostgreSQL then keeps in the
    /// connection's cached statement and refuses the next non-NULL value with.
    Null,
    Text(String),
    Int(i64),
    Float(f64),
}

impl Stored {
    /// Bind this value to the query's next parameter (a `NULL` only where the SQL cannot say it).
    pub(crate) fn bind(self, q: AnyQuery<'_>) -> AnyQuery<'_> {
        match self {
            Stored::Null => q.bind(None::<String>),
            Stored::Text(s) => q.bind(s),
            Stored::Int(i) => q.bind(i),
            Stored::Float(f) => q.bind(f),
        }
    }
}

/// How a value is written into a column.
pub(crate) trait Value {
    fn stored(&self) -> Stored;
}

impl<T: Value + ?Sized> Value for &T {
    fn stored(&self) -> Stored {
        (**self).stored()
    }
}

impl<T: Value> Value for Option<T> {
    fn stored(&self) -> Stored {
        self.as_ref().map_or(Stored::Null, Value::stored)
    }
}

/// `Value` for types written as the text their expression gives.
macro_rules! text_values {
    ($($t:ty => |$v:ident| $text:expr),+ $(,)?) => {
        $(impl Value for $t {
            fn stored(&self) -> Stored {
                let $v = self;
                Stored::Text($text)
            }
        })+
    };
}

text_values! {
    str => |s| s.to_string(),
    String => |s| s.clone(),
    Uuid => |id| id.to_string(),
    DateTime<Utc> => |t| ts(*t),
    NaiveDate => |d| d.to_string(),
    Vec<String> => |items| items.join(","),
    Vec<Channel> => |items| items.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(","),
    Vec<u8> => |items| items.iter().map(u8::to_string).collect::<Vec<_>>().join(","),
    BreakdownSpec => |spec| spec.to_text(),
}

/// A value already in its stored form (e.g. read back from a backup archive).
impl Value for Stored {
    fn stored(&self) -> Stored {
        self.clone()
    }
}

impl Value for i64 {
    fn stored(&self) -> Stored {
        Stored::Int(*self)
    }
}

impl Value for u32 {
    fn stored(&self) -> Stored {
        Stored::Int(i64::from(*self))
    }
}

impl Value for bool {
    fn stored(&self) -> Stored {
        Stored::Int(i64::from(*self))
    }
}

impl Value for f64 {
    fn stored(&self) -> Stored {
        Stored::Float(*self)
    }
}

/// The domain's closed choices, written by their slug (`as_str`) and read back with their parser.
macro_rules! choices {
    ($($t:ty),+ $(,)?) => {
        $(
            impl Value for $t {
                fn stored(&self) -> Stored {
                    Stored::Text(self.as_str().to_string())
                }
            }
            impl crate::row::Column for $t {
                fn read(r: &sqlx::any::AnyRow, col: &str) -> crate::Result<Self> {
                    crate::row::RowExt::parsed(r, col, <$t>::parse)
                }
            }
        )+
    };
}

choices!(
    urbis_domain::policy::Role,
    urbis_domain::network::OrganisationKind,
    urbis_domain::network::ParticipationStatus,
    urbis_domain::services::FocusArea,
    urbis_domain::services::PhaseKind,
    urbis_domain::services::ExitResult,
    urbis_domain::services::MilestoneState,
    urbis_domain::services::Direction,
    urbis_domain::services::Quality,
    urbis_domain::diagnostic::PlanStatus,
    urbis_domain::diagnostic::Confidence,
    urbis_domain::diagnostic::pulse::CampaignStatus,
    crate::diagnostic::AssessmentStatus,
    urbis_domain::convenings::EventKind,
    urbis_domain::convenings::AttendanceMode,
    urbis_domain::convenings::EventStatus,
    urbis_domain::convenings::RegistrationState,
    urbis_domain::grants::CallState,
    urbis_domain::grants::Eligibility,
);

/// The named values an `INSERT` adds or an `UPDATE` sets, in order: each column is named once,
/// beside its value, and the statement's column list and parameters are written from them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields(Vec<(&'static str, Stored)>);

impl Fields {
    pub(crate) fn new() -> Fields {
        Fields::default()
    }

    /// Set `column` to `value`.
    pub(crate) fn set(mut self, column: &'static str, value: impl Value) -> Fields {
        self.0.push((column, value.stored()));
        self
    }

    /// Set the columns of `more` too.
    pub(crate) fn with(mut self, more: Fields) -> Fields {
        self.0.extend(more.0);
        self
    }

    /// Each column with its SQL value, numbering parameters from `$first` (a `NULL` is written
    /// literally).
    fn placed(&self, first: usize) -> Vec<(&'static str, String)> {
        let mut n = first;
        let mut place = |v: &Stored| match v {
            Stored::Null => "NULL".to_string(),
            _ => {
                n += 1;
                format!("${}", n - 1)
            }
        };
        self.0.iter().map(|(col, v)| (*col, place(v))).collect()
    }

    /// How many parameters the columns take (a `NULL` takes none).
    pub(crate) fn params(&self) -> usize {
        self.0.iter().filter(|(_, v)| *v != Stored::Null).count()
    }

    /// `(a, b, c) VALUES ($1, NULL, $2)`.
    pub(crate) fn values_sql(&self) -> String {
        let (cols, vals): (Vec<_>, Vec<_>) = self.placed(1).into_iter().unzip();
        format!("({}) VALUES ({})", cols.join(", "), vals.join(", "))
    }

    /// `a = $1, b = NULL, c = $2` (parameters numbered from `$first`), joined by `sep`.
    pub(crate) fn equal_sql(&self, first: usize, sep: &str) -> String {
        self.placed(first).iter().map(|(col, v)| format!("{col} = {v}")).collect::<Vec<_>>().join(sep)
    }

    /// Bind the values to the statement's parameters, in order.
    pub(crate) fn bind(self, q: AnyQuery<'_>) -> AnyQuery<'_> {
        self.0.into_iter().filter(|(_, v)| *v != Stored::Null).fold(q, |q, (_, v)| v.bind(q))
    }
}

/// The [`Fields`] of a type whose fields are stored in columns of the same names.
pub(crate) trait ToFields {
    fn fields(&self) -> Fields;
}

/// Implement [`ToFields`] for a struct defined elsewhere (a checked input of the domain) whose
/// named fields are stored in columns of the same names.
macro_rules! stored_fields {
    ($t:ident { $($field:ident),+ $(,)? }) => {
        impl $crate::value::ToFields for $t {
            fn fields(&self) -> $crate::value::Fields {
                $crate::value::Fields::new()$(.set(stringify!($field), &self.$field))+
            }
        }
    };
}
pub(crate) use stored_fields;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_write_their_column_lists_with_nulls_as_literals() {
        let f = Fields::new().set("a", "x").set("b", None::<f64>).set("c", true).set("d", NaiveDate::MIN);
        assert_eq!(f.values_sql(), "(a, b, c, d) VALUES ($1, NULL, $2, $3)");
        assert_eq!(f.equal_sql(1, ", "), "a = $1, b = NULL, c = $2, d = $3");
        assert_eq!(Fields::new().set("k", 1_i64).set("v", 2_i64).equal_sql(4, " AND "), "k = $4 AND v = $5");
        assert_eq!(f.params(), 3);
        assert_eq!(Some(Uuid::nil()).stored(), Stored::Text(Uuid::nil().to_string()));
        assert_eq!(vec!["a".to_string(), "b".to_string()].stored(), Stored::Text("a,b".into()));
    }
}
