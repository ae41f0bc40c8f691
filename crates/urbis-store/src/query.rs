//! The shapes of query every repository repeats, written once: reading one row, an optional row,
//! all rows or rows grouped by a record's id and decoding them, over any executor (the pool, or a
//! write transaction as `&mut *tx`); and the `UPDATE` guarded by a record's version or state.
//!
//! The SQL is always the caller's fixed text (`&'static str`, or text assembled from the store's
//! own constants behind `sqlx::AssertSqlSafe`); values only ever travel as bound parameters.

use crate::row::RowExt;
use crate::{BATCH, Result, StoreError, WriteTx, check_updated, placeholders};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, AnyPool, Executor, SqlSafeStr};
use std::collections::HashMap;
use std::fmt::Display;
use uuid::Uuid;

/// A query on the `Any` driver, before it runs.
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, Any, AnyArguments>;

/// The values bound, in order, to a query's parameters `$1, $2, …`. Identifiers are bound as the
/// hyphenated text the store writes; `()` binds nothing.
pub(crate) trait Params {
    fn bind_to(self, q: AnyQuery<'_>) -> AnyQuery<'_>;
}

impl Params for () {
    fn bind_to(self, q: AnyQuery<'_>) -> AnyQuery<'_> {
        q
    }
}

impl Params for Uuid {
    fn bind_to(self, q: AnyQuery<'_>) -> AnyQuery<'_> {
        q.bind(self.to_string())
    }
}

impl Params for &str {
    fn bind_to(self, q: AnyQuery<'_>) -> AnyQuery<'_> {
        q.bind(self.to_string())
    }
}

impl Params for String {
    fn bind_to(self, q: AnyQuery<'_>) -> AnyQuery<'_> {
        q.bind(self)
    }
}

impl Params for i64 {
    fn bind_to(self, q: AnyQuery<'_>) -> AnyQuery<'_> {
        q.bind(self)
    }
}

macro_rules! params_tuple {
    ($($p:ident),+) => {
        impl<$($p: Params),+> Params for ($($p,)+) {
            #[allow(non_snake_case)]
            fn bind_to(self, q: AnyQuery<'_>) -> AnyQuery<'_> {
                let ($($p,)+) = self;
                $(let q = $p.bind_to(q);)+
                q
            }
        }
    };
}
params_tuple!(A, B);
params_tuple!(A, B, C);
params_tuple!(A, B, C, D);

/// The row `sql` selects with `params`, decoded; `None` when there is none.
pub(crate) async fn optional<'e, T>(
    e: impl Executor<'e, Database = Any>,
    sql: impl SqlSafeStr,
    params: impl Params,
    decode: impl Fn(&AnyRow) -> Result<T>,
) -> Result<Option<T>> {
    params.bind_to(sqlx::query(sql)).fetch_optional(e).await?.as_ref().map(decode).transpose()
}

/// The row `sql` selects with `params`, decoded; [`StoreError::NotFound`] when there is none.
pub(crate) async fn one<'e, T>(
    e: impl Executor<'e, Database = Any>,
    sql: impl SqlSafeStr,
    params: impl Params,
    decode: impl Fn(&AnyRow) -> Result<T>,
) -> Result<T> {
    optional(e, sql, params, decode).await?.ok_or(StoreError::NotFound)
}

/// Every row `sql` selects with `params`, decoded, in the query's order.
pub(crate) async fn all<'e, T>(
    e: impl Executor<'e, Database = Any>,
    sql: impl SqlSafeStr,
    params: impl Params,
    decode: impl Fn(&AnyRow) -> Result<T>,
) -> Result<Vec<T>> {
    params.bind_to(sqlx::query(sql)).fetch_all(e).await?.iter().map(decode).collect()
}

/// Every row `sql` selects with `params`, decoded and grouped by the identifier in column `key`,
/// each group in the query's order.
pub(crate) async fn grouped<'e, T>(
    e: impl Executor<'e, Database = Any>,
    sql: impl SqlSafeStr,
    params: impl Params,
    key: &str,
    decode: impl Fn(&AnyRow) -> Result<T>,
) -> Result<HashMap<Uuid, Vec<T>>> {
    let mut out: HashMap<Uuid, Vec<T>> = HashMap::new();
    for r in &params.bind_to(sqlx::query(sql)).fetch_all(e).await? {
        out.entry(r.uuid(key)?).or_default().push(decode(r)?);
    }
    Ok(out)
}

/// The rows of many records at once, grouped by the record's id in column `key`: the statement
/// `{head} IN ($1, …, $n) {tail}` runs once per [`BATCH`] ids, each group in the statement's order.
/// Every id asked for is in the map, with an empty group when it has no rows.
pub(crate) async fn grouped_by_ids<T>(
    pool: &AnyPool,
    head: &'static str,
    tail: &'static str,
    ids: &[Uuid],
    key: &str,
    decode: impl Fn(&AnyRow) -> Result<T>,
) -> Result<HashMap<Uuid, Vec<T>>> {
    let mut out: HashMap<Uuid, Vec<T>> = ids.iter().map(|id| (*id, vec![])).collect();
    for chunk in ids.chunks(BATCH) {
        let sql = sqlx::AssertSqlSafe(format!("{head} IN ({}) {tail}", placeholders(chunk.len())));
        let mut q = sqlx::query(sql);
        for id in chunk {
            q = q.bind(id.to_string());
        }
        for r in &q.fetch_all(pool).await? {
            out.entry(r.uuid(key)?).or_default().push(decode(r)?);
        }
    }
    Ok(out)
}

/// Run the guarded `UPDATE {table} … WHERE id = $n AND version = $n+1` of a versioned record: the
/// caller binds the columns it sets, and this binds `id` and `expected` last. A statement that
/// matches no row (another writer committed a new version first) is refused as a conflict before
/// anything is audited or committed (see [`check_updated`]).
pub(crate) async fn update_versioned(
    tx: &mut WriteTx,
    table: &'static str,
    id: impl Display,
    expected: i64,
    update: AnyQuery<'_>,
) -> Result<()> {
    let n = update.bind(id.to_string()).bind(expected).execute(&mut **tx).await?.rows_affected();
    check_updated(tx, table, id, n, expected).await
}

/// Run an `UPDATE` whose condition guards the record's state (`… AND status = 'draft'`,
/// `… AND submitted_at IS NULL`). When it matches no row, another writer changed that state after
/// the caller checked it (PostgreSQL, READ COMMITTED) and the change is refused with `refusal`, the
/// check's own error, before anything else is written.
pub(crate) async fn update_guarded(
    tx: &mut WriteTx,
    update: AnyQuery<'_>,
    refusal: impl FnOnce() -> StoreError,
) -> Result<()> {
    let n = update.execute(&mut **tx).await?.rows_affected();
    if n == 0 { Err(refusal()) } else { Ok(()) }
}

/// SQL assembled from the store's own fixed pieces (a shared `SELECT …` and its `WHERE …`), joined
/// by spaces. Only `&'static str` pieces are taken, so no value can end up in the text.
pub(crate) fn fixed_sql(parts: &[&'static str]) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(parts.join(" "))
}
