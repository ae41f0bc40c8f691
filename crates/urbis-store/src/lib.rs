//! Urbis persistence. One migration tree and one set of queries serve SQLite and PostgreSQL: the
//! backend is chosen at run time from the database URL (sqlx's `Any` driver), and every query is
//! written once in the portable subset of SQL both databases share.
//!
//! Repositories follow the capabilities: [`network`], and the cross-cutting [`auth`], [`audit`],
//! plus [`reference`] (reference data loading) and [`backup`] (portable archives).

pub mod audit;
pub mod auth;
pub mod backup;
pub mod convenings;
mod db;
pub mod diagnostic;
mod error;
pub mod grants;
pub mod network;
mod query;
pub mod reference;
mod row;
pub mod services;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
#[cfg(test)]
mod tests;
mod time;
mod value;

pub use db::{Backend, Store, WriteTx};
pub use error::StoreError;
pub use time::{now, parse_ts, ts};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The most ids a batched read binds in one statement (well under every backend's parameter limit).
pub(crate) const BATCH: usize = 500;

/// `$1, $2, …, $n`: the parameters of an `IN (…)` list of `n` bound values.
pub(crate) fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Optimistic concurrency: refuse a change to a record that is no longer at the version the caller read.
pub(crate) fn check_version(expected: i64, actual: i64) -> Result<()> {
    if expected == actual { Ok(()) } else { Err(StoreError::Conflict { expected, actual }) }
}

/// Optimistic concurrency, second half: refuse a change whose guarded
/// `UPDATE {table} … WHERE id = … AND version = {expected}` changed no row.
///
/// [`check_version`] compares what the transaction read; on PostgreSQL (READ COMMITTED) another
/// writer can still commit between that read and the `UPDATE`, which then matches nothing. Call this
/// with the `UPDATE`'s row count before anything is audited or committed: the error drops the
/// transaction, so nothing is written. The conflict names the version now stored (or `expected + 1`
/// when it cannot be read, e.g. because the record was deleted).
pub(crate) async fn check_updated(
    tx: &mut WriteTx,
    table: &'static str,
    id: impl std::fmt::Display,
    rows_affected: u64,
    expected: i64,
) -> Result<()> {
    if rows_affected > 0 {
        return Ok(());
    }
    let actual: Option<i64> =
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT version FROM {table} WHERE id = $1")))
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await
            .ok()
            .flatten();
    Err(StoreError::Conflict { expected, actual: actual.unwrap_or(expected + 1) })
}

/// Pagination request: 1-based page and page size (1–100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl Page {
    pub const MAX_PER_PAGE: u32 = 100;
    pub fn new(page: u32, per_page: u32) -> Self {
        Page { page: page.max(1), per_page: per_page.clamp(1, Self::MAX_PER_PAGE) }
    }
    pub fn all() -> Self {
        Page { page: 1, per_page: u32::MAX / 2 }
    }
    pub(crate) fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }
    pub(crate) fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
    /// This page of a list holding `total` items.
    pub(crate) fn of<T>(&self, items: Vec<T>, total: i64) -> Paged<T> {
        Paged { items, page: self.page, per_page: self.per_page, total: total.max(0) as u64 }
    }
}

/// One page of a list, with the total count for navigation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}
