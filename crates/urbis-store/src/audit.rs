//! The audit log: who did what, when, to which record, with the record before and after.

use crate::query::insert;
use crate::value::Fields;
use crate::{Result, Store, WriteTx, now};
use serde::Serialize;
use std::fmt::Display;
use uuid::Uuid;

/// One entry of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: String,
    pub at: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Write an audit entry inside the caller's transaction, so the change and its record commit together.
pub async fn record<B: Serialize + ?Sized, A: Serialize + ?Sized>(
    tx: &mut WriteTx,
    actor: Option<Uuid>,
    action: &str,
    entity_kind: &str,
    entity_id: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    let before = before.map(to_json).transpose()?;
    let after = after.map(to_json).transpose()?;
    let fields = Fields::new()
        .set("id", Uuid::now_v7())
        .set("at", now())
        .set("actor_id", actor)
        .set("action", action)
        .set("entity_kind", entity_kind)
        .set("entity_id", entity_id)
        .set("before_json", before)
        .set("after_json", after);
    insert(tx, "audit_log", fields, "").await?;
    Ok(())
}

/// Audit a change inside its transaction and commit both: the one way a write finishes.
/// `before` is `None` for a creation, `after` is `None` for a deletion.
pub(crate) async fn commit_audited<B: Serialize + ?Sized, A: Serialize + ?Sized>(
    mut tx: WriteTx,
    actor: Option<Uuid>,
    action: &str,
    entity_kind: &str,
    entity_id: impl Display,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    record(&mut tx, actor, action, entity_kind, &entity_id.to_string(), before, after).await?;
    tx.commit().await?;
    Ok(())
}

/// Audit a change of a record from `before` to `after` and commit both: the end of every update.
/// Returns `after`.
pub(crate) async fn commit_change<T: Serialize>(
    tx: WriteTx,
    actor: Option<Uuid>,
    action: &str,
    entity_kind: &str,
    entity_id: impl Display,
    before: &T,
    after: T,
) -> Result<T> {
    commit_audited(tx, actor, action, entity_kind, entity_id, Some(before), Some(&after)).await?;
    Ok(after)
}

/// Audit the creation of a record and commit both. Returns the record.
pub(crate) async fn commit_created<T: Serialize>(
    tx: WriteTx,
    actor: Option<Uuid>,
    action: &str,
    entity_kind: &str,
    entity_id: impl Display,
    created: T,
) -> Result<T> {
    commit_audited::<(), _>(tx, actor, action, entity_kind, entity_id, None, Some(&created)).await?;
    Ok(created)
}

fn to_json<T: Serialize + ?Sized>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| crate::StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// The audit entries about one record, newest first.
    pub async fn audit_for(&self, entity_kind: &str, entity_id: &str) -> Result<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT id, at, actor_id, action, entity_kind, entity_id, before_json, after_json \
                 FROM audit_log WHERE entity_kind = $1 AND entity_id = $2 ORDER BY id DESC",
        )
        .bind(entity_kind)
        .bind(entity_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(entry).collect())
    }

    /// The most recent audit entries, newest first.
    pub async fn audit_recent(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT id, at, actor_id, action, entity_kind, entity_id, before_json, after_json \
                 FROM audit_log ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(entry).collect())
    }
}

type AuditRow = (String, String, Option<String>, String, String, String, Option<String>, Option<String>);

fn entry(r: AuditRow) -> AuditEntry {
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    AuditEntry {
        id: r.0,
        at: r.1,
        actor_id: r.2,
        action: r.3,
        entity_kind: r.4,
        entity_id: r.5,
        before: json(r.6),
        after: json(r.7),
    }
}
