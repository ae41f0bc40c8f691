//! The shapes of query every repository repeats, written once: reading one row, an optional row,
//! all rows or rows grouped by a record's id and decoding them (see [`Decode`]), over any executor
//! (the pool, or a write transaction as `&mut *tx`); reading a record by its id; the `INSERT` of
//! named [`Fields`]; and the `UPDATE` guarded by a record's version or state.
//!
//! The SQL is always the caller's fixed text (`&'static str`, or text assembled from the store's
//! own constants behind `sqlx::AssertSqlSafe`: a record's columns, the column names of [`Fields`]);
//! values only ever travel as bound parameters (a missing one is the literal `NULL`).

use crate::row::{Decode, Record, RowExt, Versioned};
use crate::value::{Fields, Value};
use crate::{BATCH, Result, Store, StoreError, WriteTx, check_updated, check_version, now, placeholders};
use chrono::{DateTime, Utc};
use sqlx::any::AnyArguments;
use sqlx::{Any, AnyPool, Executor, SqlSafeStr};
use std::collections::HashMap;
use uuid::Uuid;

/// A query on the `Any` driver, before it runs.
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, Any, AnyArguments>;

/// The values bound, in order, to a query's parameters `$1, $2, …`, each as the store writes it
/// (see [`Value`]); `()` binds nothing.
pub(crate) trait Params {
    fn bind_to(self, q: AnyQuery<'_>) -> AnyQuery<'_>;
}

impl Params for () {
    fn bind_to(self, q: AnyQuery<'_>) -> AnyQuery<'_> {
        q
    }
}

impl<T: Value> Params for T {
    fn bind_to(self, q: AnyQuery<'_>) -> AnyQuery<'_> {
        self.stored().bind(q)
    }
}

macro_rules! params_tuple {
    ($($p:ident),+) => {
        impl<$($p: Value),+> Params for ($($p,)+) {
            #[allow(non_snake_case)]
            fn bind_to(self, q: AnyQuery<'_>) -> AnyQuery<'_> {
                let ($($p,)+) = self;
                $(let q = $p.stored().bind(q);)+
                q
            }
        }
    };
}
params_tuple!(A, B);
params_tuple!(A, B, C);
params_tuple!(A, B, C, D);

/// The row `sql` selects with `params`, decoded; `None` when there is none.
pub(crate) async fn optional<'e, T: Decode>(
    e: impl Executor<'e, Database = Any>,
    sql: impl SqlSafeStr,
    params: impl Params,
) -> Result<Option<T>> {
    params.bind_to(sqlx::query(sql)).fetch_optional(e).await?.as_ref().map(T::decode).transpose()
}

/// The row `sql` selects with `params`, decoded; [`StoreError::NotFound`] when there is none.
pub(crate) async fn one<'e, T: Decode>(
    e: impl Executor<'e, Database = Any>,
    sql: impl SqlSafeStr,
    params: impl Params,
) -> Result<T> {
    optional(e, sql, params).await?.ok_or(StoreError::NotFound)
}

/// Every row `sql` selects with `params`, decoded, in the query's order.
pub(crate) async fn all<'e, T: Decode>(
    e: impl Executor<'e, Database = Any>,
    sql: impl SqlSafeStr,
    params: impl Params,
) -> Result<Vec<T>> {
    params.bind_to(sqlx::query(sql)).fetch_all(e).await?.iter().map(T::decode).collect()
}

/// Every row `sql` selects with `params`, decoded and grouped by the identifier in column `key`,
/// each group in the query's order.
pub(crate) async fn grouped<'e, T: Decode>(
    e: impl Executor<'e, Database = Any>,
    sql: impl SqlSafeStr,
    params: impl Params,
    key: &str,
) -> Result<HashMap<Uuid, Vec<T>>> {
    let mut out: HashMap<Uuid, Vec<T>> = HashMap::new();
    for r in &params.bind_to(sqlx::query(sql)).fetch_all(e).await? {
        out.entry(r.uuid(key)?).or_default().push(T::decode(r)?);
    }
    Ok(out)
}

/// The rows of many records at once, grouped by the record's id in column `key`: the statement
/// `{head} IN ($1, …, $n) {tail}` runs once per [`BATCH`] ids, each group in the statement's order.
/// Every id asked for is in the map, with an empty group when it has no rows.
pub(crate) async fn grouped_by_ids<T: Decode>(
    pool: &AnyPool,
    head: &'static str,
    tail: &'static str,
    ids: &[Uuid],
    key: &str,
) -> Result<HashMap<Uuid, Vec<T>>> {
    let mut out: HashMap<Uuid, Vec<T>> = ids.iter().map(|id| (*id, vec![])).collect();
    for chunk in ids.chunks(BATCH) {
        let sql = sqlx::AssertSqlSafe(format!("{head} IN ({}) {tail}", placeholders(chunk.len())));
        let mut q = sqlx::query(sql);
        for id in chunk {
            q = q.bind(id.to_string());
        }
        for r in &q.fetch_all(pool).await? {
            out.entry(r.uuid(key)?).or_default().push(T::decode(r)?);
        }
    }
    Ok(out)
}

/// The `SELECT` of records `T` (see [`Record`]), then `rest` (its `WHERE`, `ORDER BY`, …).
pub(crate) fn select<T: Record>(rest: &'static str) -> sqlx::AssertSqlSafe<String> {
    fixed_sql(&["SELECT", T::COLUMNS, "FROM", T::FROM, rest])
}

/// The record `T` with identifier `id`; [`StoreError::NotFound`] when there is none. Over the pool,
/// or inside a write transaction as `&mut **tx`.
pub(crate) async fn by_id<'e, T: Record>(e: impl Executor<'e, Database = Any>, id: Uuid) -> Result<T> {
    one(e, fixed_sql(&["SELECT", T::COLUMNS, "FROM", T::FROM, "WHERE", T::ID, "= $1"]), id).await
}

impl Store {
    /// Begin a write on record `T` `id`: the transaction, and the record as it is in it
    /// ([`StoreError::NotFound`] when there is none).
    pub(crate) async fn begin_on<T: Record>(&self, id: Uuid) -> Result<(WriteTx, T)> {
        let mut tx = self.begin_write().await?;
        let record = by_id(&mut *tx, id).await?;
        Ok((tx, record))
    }

    /// Begin a change of versioned record `T` `id` (see [`Store::begin_on`]), refused as a conflict
    /// unless it is still at `expected` (see [`check_version`]; the `UPDATE` guards it again).
    pub(crate) async fn begin_change<T: Versioned>(&self, id: Uuid, expected: i64) -> Result<(WriteTx, T)> {
        let (tx, record) = self.begin_on::<T>(id).await?;
        check_version(expected, record.version())?;
        Ok((tx, record))
    }
}

/// `INSERT INTO {table} (…) VALUES (…)` of `fields`, then `tail` (e.g. `ON CONFLICT … DO NOTHING`).
/// Returns how many rows were added.
pub(crate) async fn insert(tx: &mut WriteTx, table: &'static str, fields: Fields, tail: &'static str) -> Result<u64> {
    let sql = sqlx::AssertSqlSafe(format!("INSERT INTO {table} {} {tail}", fields.values_sql()));
    Ok(fields.bind(sqlx::query(sql)).execute(&mut **tx).await?.rows_affected())
}

/// Add a new record `T` with `fields` and a new identifier, and read it back.
pub(crate) async fn insert_record<T: Record>(tx: &mut WriteTx, fields: Fields) -> Result<T> {
    let id = Uuid::now_v7();
    insert(tx, T::TABLE, Fields::new().set("id", id).with(fields), "").await?;
    by_id(&mut **tx, id).await
}

/// Add a new versioned record `T` with `fields` (see [`insert_record`]): version 1, created (and
/// last updated, see [`Record::UPDATED_AT`]) now.
pub(crate) async fn insert_versioned<T: Record>(tx: &mut WriteTx, fields: Fields) -> Result<T> {
    let at = now();
    insert_record(tx, stamped::<T>(fields.set("version", 1_i64).set("created_at", at), at)).await
}

/// `fields`, and the time of the change where the table keeps it (see [`Record::UPDATED_AT`]).
fn stamped<T: Record>(fields: Fields, at: DateTime<Utc>) -> Fields {
    if T::UPDATED_AT { fields.set("updated_at", at) } else { fields }
}

/// Set `fields` of record `T` `id` and move it to its next version (stamped with the time, see
/// [`Record::UPDATED_AT`]) if it is still at `expected`, and read it back:
/// `UPDATE … SET …, version = version + 1 WHERE id = … AND version = {expected}`.
/// A statement that matches no row (another writer committed a new version first) is refused as a
/// conflict before anything is audited or committed (see [`check_updated`]).
pub(crate) async fn update_versioned<T: Record>(
    tx: &mut WriteTx,
    id: Uuid,
    expected: i64,
    fields: Fields,
) -> Result<T> {
    let key = Fields::new().set("id", id).set("version", expected);
    let rows = update_rows(tx, T::TABLE, stamped::<T>(fields, now()), "version = version + 1", key, "").await?;
    check_updated(tx, T::TABLE, id, rows, expected).await?;
    by_id(&mut **tx, id).await
}

/// How many rows of `from` (a table, or tables joined) have these `key` values.
pub(crate) async fn count<'e>(e: impl Executor<'e, Database = Any>, from: &'static str, key: Fields) -> Result<i64> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM {from} WHERE {}", key.equal_sql(1, " AND ")));
    key.bind(sqlx::query(sql)).fetch_one(e).await?.int("n")
}

/// `DELETE FROM {table} WHERE {key}`: the rows whose `key` columns hold these values.
pub(crate) async fn delete(tx: &mut WriteTx, table: &'static str, key: Fields) -> Result<u64> {
    let sql = sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE {}", key.equal_sql(1, " AND ")));
    Ok(key.bind(sqlx::query(sql)).execute(&mut **tx).await?.rows_affected())
}

/// Set `fields` of record `T` `id` and move it to its next version (stamped with the time, see
/// [`Record::UPDATED_AT`]) if `condition` still holds: `UPDATE … WHERE id = … AND {condition}`,
/// where the condition guards the record's state (`status = 'draft'`, `submitted_at IS NULL`).
/// When it matches no row, another writer changed that state after the caller checked it
/// (PostgreSQL, READ COMMITTED) and the change is refused with `refusal`, the check's own error,
/// before anything else is written.
pub(crate) async fn update_guarded<T: Record>(
    tx: &mut WriteTx,
    id: Uuid,
    fields: Fields,
    condition: &'static str,
    refusal: impl FnOnce() -> StoreError,
) -> Result<()> {
    let key = Fields::new().set("id", id);
    let rows = update_rows(tx, T::TABLE, stamped::<T>(fields, now()), "version = version + 1", key, condition).await?;
    if rows == 0 { Err(refusal()) } else { Ok(()) }
}

/// `UPDATE {table} SET {set} WHERE {key}` for the row whose `key` columns hold these values.
/// Returns how many rows were changed.
pub(crate) async fn update(tx: &mut WriteTx, table: &'static str, set: Fields, key: Fields) -> Result<u64> {
    update_rows(tx, table, set, "", key, "").await
}

/// `UPDATE {table} SET {set}, {more} WHERE {key} AND {condition}`: `more` sets columns and
/// `condition` narrows the rows, both with fixed SQL.
async fn update_rows(
    tx: &mut WriteTx,
    table: &str,
    set: Fields,
    more: &'static str,
    key: Fields,
    condition: &'static str,
) -> Result<u64> {
    let assignments = [set.equal_sql(1, ", "), more.to_string()];
    let conditions = [key.equal_sql(set.params() + 1, " AND "), condition.to_string()];
    let sql = format!("UPDATE {table} SET {} WHERE {}", non_empty(&assignments, ", "), non_empty(&conditions, " AND "));
    Ok(key.bind(set.bind(sqlx::query(sqlx::AssertSqlSafe(sql)))).execute(&mut **tx).await?.rows_affected())
}

/// The non-empty `parts`, joined by `sep`.
fn non_empty(parts: &[String], sep: &str) -> String {
    parts.iter().filter(|p| !p.is_empty()).map(String::as_str).collect::<Vec<_>>().join(sep)
}

/// Refuse to submit answers that leave required questions unanswered, naming them in their order:
/// the answers given are the rows of `table` with these `key` values.
pub(crate) async fn check_answered(
    tx: &mut WriteTx,
    table: &'static str,
    key: Fields,
    required: &[String],
) -> Result<()> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT question_id FROM {table} WHERE {}", key.equal_sql(1, " AND ")));
    let rows = key.bind(sqlx::query(sql)).fetch_all(&mut **tx).await?;
    let answered = rows.iter().map(|r| r.text("question_id")).collect::<Result<Vec<_>>>()?;
    let missing: Vec<String> = required.iter().filter(|q| !answered.contains(q)).cloned().collect();
    if missing.is_empty() { Ok(()) } else { Err(StoreError::Incomplete(missing)) }
}

/// SQL assembled from the store's own fixed pieces (a shared `SELECT …` and its `WHERE …`), joined
/// by spaces. Only `&'static str` pieces are taken, so no value can end up in the text.
pub(crate) fn fixed_sql(parts: &[&'static str]) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(parts.join(" "))
}
