//! Portable backups: a JSON archive of every table's rows, taken inside one read snapshot while the
//! server keeps serving, and restorable into an empty SQLite or PostgreSQL database of the same
//! schema version. Sessions, API tokens and the cookie secret are deliberately left out: after a
//! restore everyone signs in again. So are the outbox's sealed links (see `NOT_ARCHIVED_COLUMNS`).

use crate::audit::commit_audited;
use crate::query::insert;
use crate::row::RowExt;
use crate::value::{Fields, Stored};
use crate::{Result, Store, StoreError, WriteTx, now, ts};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Text,
    Int,
    Real,
}

use Col::*;

/// Every table that a backup holds, parents before children, with its columns and their types.
/// A test checks this list against the live schema so that a new column cannot be forgotten.
#[rustfmt::skip]
const TABLES: &[(&str, &[(&str, Col)])] = &[
    ("programmes", &[("id", Text), ("slug", Text), ("name", Text), ("description", Text), ("starts_on", Text), ("ends_on", Text), ("announced_on", Text), ("version", Int), ("created_at", Text), ("updated_at", Text)]),
    ("reference_capabilities", &[("slug", Text), ("position", Int)]),
    ("reference_focus_areas", &[("slug", Text), ("position", Int)]),
    ("organisations", &[("id", Text), ("slug", Text), ("name", Text), ("kind", Text), ("country_code", Text), ("latitude", Real), ("longitude", Real), ("timezone", Text), ("description", Text), ("website", Text), ("version", Int), ("created_at", Text), ("updated_at", Text), ("population", Int)]),
    ("participations", &[("programme_id", Text), ("organisation_id", Text), ("status", Text), ("note", Text)]),
    ("people", &[("id", Text), ("email", Text), ("name", Text), ("job_title", Text), ("password_hash", Text), ("listed", Int), ("locale", Text), ("version", Int), ("created_at", Text), ("updated_at", Text), ("deactivated_at", Text), ("deactivated_by", Text)]),
    ("memberships", &[("id", Text), ("person_id", Text), ("role", Text), ("scope_kind", Text), ("scope_id", Text), ("created_at", Text)]),
    ("invitations", &[("id", Text), ("token_hash", Text), ("email", Text), ("name", Text), ("programme_id", Text), ("organisation_id", Text), ("role", Text), ("invited_by", Text), ("created_at", Text), ("expires_at", Text), ("accepted_at", Text), ("accepted_by", Text), ("revoked_at", Text), ("revoked_by", Text), ("version", Int)]),
    ("instruments", &[("slug", Text), ("version", Int), ("kind", Text), ("title", Text), ("definition_json", Text), ("actions_json", Text), ("digest", Text), ("published_on", Text), ("created_at", Text)]),
    ("waves", &[("id", Text), ("programme_id", Text), ("slug", Text), ("name", Text), ("opens_on", Text), ("closes_on", Text), ("closed_at", Text), ("is_baseline", Int), ("version", Int), ("created_at", Text), ("results_version", Int), ("results_reset", Int)]),
    ("assessments", &[("id", Text), ("organisation_id", Text), ("wave_id", Text), ("instrument_slug", Text), ("instrument_version", Int), ("status", Text), ("published", Int), ("is_sample", Int), ("created_by", Text), ("submitted_at", Text), ("submitted_by", Text), ("version", Int), ("created_at", Text), ("updated_at", Text), ("results_seq", Int)]),
    ("answers", &[("assessment_id", Text), ("respondent_id", Text), ("question_id", Text), ("answer_json", Text), ("normalised", Real), ("evidence", Text), ("comment", Text), ("updated_at", Text)]),
    ("answer_overrides", &[("assessment_id", Text), ("question_id", Text), ("normalised", Real), ("reason", Text), ("set_by", Text), ("set_at", Text)]),
    ("validations", &[("assessment_id", Text), ("capability", Text), ("score", Real), ("confidence", Text), ("comment", Text), ("validated_by", Text), ("validated_at", Text)]),
    ("assessment_results", &[("assessment_id", Text), ("frozen", Int), ("overall", Real), ("capabilities_json", Text), ("computed_at", Text)]),
    ("plan_items", &[("id", Text), ("organisation_id", Text), ("assessment_id", Text), ("capability", Text), ("title", Text), ("description", Text), ("owner", Text), ("due_on", Text), ("status", Text), ("version", Int), ("created_at", Text), ("updated_at", Text)]),
    ("grant_calls", &[("id", Text), ("programme_id", Text), ("title", Text), ("description", Text), ("eligibility", Text), ("opens_at", Text), ("closes_at", Text), ("timezone", Text), ("currency", Text), ("total_budget_minor", Int), ("max_award_minor", Int), ("awarded_minor", Int), ("cost_categories_json", Text), ("sections_json", Text), ("overall_threshold_halves", Int), ("stages", Int), ("state", Text), ("is_sample", Int), ("created_by", Text), ("version", Int), ("created_at", Text), ("updated_at", Text)]),
    ("grant_criteria", &[("call_id", Text), ("position", Int), ("key", Text), ("title", Text), ("description", Text), ("weight_hundredths", Int), ("threshold_halves", Int)]),
    ("grant_applications", &[("id", Text), ("call_id", Text), ("organisation_id", Text), ("title", Text), ("status", Text), ("requested_minor", Int), ("submitted_at", Text), ("created_by", Text), ("version", Int), ("created_at", Text), ("updated_at", Text)]),
    ("grant_answers", &[("application_id", Text), ("section_key", Text), ("answer", Text), ("updated_at", Text)]),
    ("grant_budget_lines", &[("application_id", Text), ("position", Int), ("category", Text), ("description", Text), ("amount_minor", Int)]),
    ("grant_coapplicants", &[("application_id", Text), ("organisation_id", Text)]),
    ("grant_assignments", &[("id", Text), ("application_id", Text), ("reviewer_id", Text), ("assigned_by", Text), ("conflict_reason", Text), ("conflict_declared_at", Text), ("version", Int), ("created_at", Text), ("updated_at", Text)]),
    ("grant_reviews", &[("id", Text), ("assignment_id", Text), ("application_id", Text), ("reviewer_id", Text), ("recommendation", Text), ("comment", Text), ("submitted_at", Text), ("version", Int), ("created_at", Text), ("updated_at", Text)]),
    ("grant_review_scores", &[("review_id", Text), ("criterion_key", Text), ("score_halves", Int), ("comment", Text)]),
    ("grant_consensus", &[("application_id", Text), ("scores_json", Text), ("justification", Text), ("recorded_by", Text), ("recorded_at", Text)]),
    ("grant_decisions", &[("application_id", Text), ("call_id", Text), ("outcome", Text), ("amount_minor", Int), ("feedback", Text), ("decided_by", Text), ("decided_at", Text)]),
    ("services", &[("id", Text), ("organisation_id", Text), ("programme_id", Text), ("title", Text), ("description", Text), ("focus_area", Text), ("phase", Text), ("problem", Text), ("audience", Text), ("team", Text), ("channels", Text), ("languages", Text), ("output", Text), ("cost_minor", Int), ("currency", Text), ("builds_on", Text), ("published", Int), ("is_sample", Int), ("version", Int), ("created_at", Text), ("updated_at", Text)]),
    ("service_phases", &[("id", Text), ("service_id", Text), ("kind", Text), ("starts_on", Text), ("ends_on", Text), ("goal", Text), ("exit_result", Text), ("exit_notes", Text), ("exit_checklist", Text), ("version", Int), ("created_at", Text), ("updated_at", Text)]),
    ("service_milestones", &[("id", Text), ("service_id", Text), ("title", Text), ("due_on", Text), ("state", Text), ("version", Int), ("created_at", Text), ("updated_at", Text)]),
    ("service_research", &[("id", Text), ("service_id", Text), ("held_on", Text), ("title", Text), ("participants", Int), ("findings", Text), ("quotes", Text), ("tags", Text), ("decision", Text), ("created_by", Text), ("created_at", Text)]),
    ("indicators", &[("id", Text), ("service_id", Text), ("name", Text), ("description", Text), ("unit", Text), ("direction", Text), ("baseline_value", Real), ("baseline_date", Text), ("target_value", Real), ("target_date", Text), ("data_source", Text), ("method", Text), ("breakdowns", Text), ("version", Int), ("created_at", Text), ("updated_at", Text)]),
    ("measurements", &[("indicator_id", Text), ("measured_on", Text), ("breakdown", Text), ("value", Real), ("quality", Text), ("note", Text), ("updated_at", Text)]),
    ("audit_log", &[("id", Text), ("at", Text), ("actor_id", Text), ("action", Text), ("entity_kind", Text), ("entity_id", Text), ("before_json", Text), ("after_json", Text)]),
    ("outbox", &[("id", Text), ("kind", Text), ("recipient", Text), ("subject", Text), ("body", Text), ("created_at", Text), ("sent_at", Text), ("secret_expires_at", Text), ("purged_at", Text)]),
    ("survey_campaigns", &[("id", Text), ("title", Text), ("instrument_slug", Text), ("instrument_version", Int), ("programme_id", Text), ("opens_on", Text), ("closes_on", Text), ("status", Text), ("is_sample", Int), ("created_by", Text), ("version", Int), ("created_at", Text), ("updated_at", Text)]),
    ("survey_respondents", &[("id", Text), ("campaign_id", Text), ("organisation_id", Text), ("email", Text), ("invited_at", Text), ("last_reminded_at", Text), ("reminders", Int), ("submitted_at", Text), ("version", Int), ("created_at", Text)]),
    ("survey_links", &[("token_hash", Text), ("respondent_id", Text), ("created_at", Text)]),
    ("survey_answers", &[("respondent_id", Text), ("question_id", Text), ("answer_json", Text), ("normalised", Real), ("updated_at", Text)]),
    ("convening_events", &[("id", Text), ("programme_id", Text), ("title", Text), ("description", Text), ("kind", Text), ("attendance_mode", Text), ("venue_name", Text), ("venue_address", Text), ("latitude", Real), ("longitude", Real), ("join_url", Text), ("time_zone", Text), ("starts_at", Text), ("ends_at", Text), ("capacity", Int), ("organisation_quota", Int), ("registration_opens_at", Text), ("registration_closes_at", Text), ("offer_hours", Int), ("status", Text), ("is_sample", Int), ("lock_seq", Int), ("created_by", Text), ("version", Int), ("created_at", Text), ("updated_at", Text)]),
    ("convening_sessions", &[("id", Text), ("event_id", Text), ("title", Text), ("starts_at", Text), ("ends_at", Text), ("room", Text), ("speakers", Text), ("material_url", Text), ("version", Int), ("created_at", Text), ("updated_at", Text)]),
    ("convening_registrations", &[("id", Text), ("event_id", Text), ("person_id", Text), ("organisation_id", Text), ("state", Text), ("queue_number", Int), ("version", Int), ("created_at", Text), ("updated_at", Text)]),
    ("convening_offers", &[("id", Text), ("registration_id", Text), ("token_hash", Text), ("created_at", Text), ("expires_at", Text), ("accepted_at", Text), ("lapsed_at", Text)]),
];

/// Tables that exist but are not archived, and why.
pub const NOT_ARCHIVED: &[&str] = &["sessions", "api_tokens", "sign_in_failures", "settings", "schema_migrations"];

/// Columns that exist but are not archived: the outbox's sealed secrets (a message's link). A
/// backup holds no working link, not even encrypted: its key is not in the backup, and a backup
/// must not depend on keeping a key beside it. A restored message whose secret was left out reads
/// as purged (`purged_at` set on restore): its link is re-sent with a reminder or a new invitation.
pub const NOT_ARCHIVED_COLUMNS: &[(&str, &str)] = &[("outbox", "sealed_body")];

pub const FORMAT: &str = "urbis-backup";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct Archive {
    pub format: String,
    pub format_version: u32,
    pub schema_version: i64,
    pub created_at: String,
    pub source_backend: String,
    pub tables: BTreeMap<String, TableData>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct TableData {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

fn cell(r: &AnyRow, name: &str, col: Col) -> Result<Value> {
    Ok(match col {
        Text => r.opt_text(name)?.map(Value::String).unwrap_or(Value::Null),
        Int => r.opt_int(name)?.map(Value::from).unwrap_or(Value::Null),
        Real => r.opt_float(name)?.map(Value::from).unwrap_or(Value::Null),
    })
}

impl Store {
    /// Take a consistent archive of the whole database.
    pub async fn backup(&self) -> Result<Archive> {
        let mut tx = self.begin_snapshot().await?;
        let mut tables = BTreeMap::new();
        for (table, cols) in TABLES {
            let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
            let sql = format!("SELECT {} FROM {table} ORDER BY {}", names.join(", "), names[0]);
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *tx).await?;
            let rows = rows
                .iter()
                .map(|r| cols.iter().map(|(n, c)| cell(r, n, *c)).collect::<Result<Vec<_>>>())
                .collect::<Result<Vec<_>>>()?;
            tables
                .insert(table.to_string(), TableData { columns: names.iter().map(|s| s.to_string()).collect(), rows });
        }
        tx.rollback().await?;
        Ok(Archive {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            schema_version: Store::schema_version(),
            created_at: ts(now()),
            source_backend: self.backend().as_str().into(),
            tables,
        })
    }

    /// Restore an archive into this database, which must be migrated and hold no programmes, people
    /// or organisations (reference data is loaded again after a restore). All or nothing.
    pub async fn restore(&self, archive: &Archive) -> Result<u64> {
        check_archive(archive)?;
        let mut tx = self.begin_write().await?;
        for t in ["programmes", "organisations", "people"] {
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
                .fetch_one(&mut *tx)
                .await?;
            if n > 0 {
                return Err(StoreError::Archive(format!(
                    "the target database is not empty ({t} has {n} rows); restore into a new database"
                )));
            }
        }
        // Reference rows that a fresh start may have added are replaced by the archive's.
        for t in ["reference_capabilities", "reference_focus_areas", "instruments"] {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {t}"))).execute(&mut *tx).await?;
        }
        let mut restored = 0u64;
        for (table, cols) in TABLES {
            let Some(data) = archive.tables.get(*table) else {
                return Err(StoreError::Archive(format!("table {table} is missing from the archive")));
            };
            let expected: Vec<&str> = cols.iter().map(|c| c.0).collect();
            if data.columns != expected {
                return Err(StoreError::Archive(format!("table {table} has unexpected columns {:?}", data.columns)));
            }
            for (ri, row) in data.rows.iter().enumerate() {
                restore_row(&mut tx, table, cols, ri, row).await?;
                restored += 1;
            }
        }
        // The archive holds no sealed links: the messages that had one read as purged.
        sqlx::query(
            "UPDATE outbox SET purged_at = $1 \
             WHERE purged_at IS NULL AND secret_expires_at IS NOT NULL AND sealed_body IS NULL",
        )
        .bind(ts(now()))
        .execute(&mut *tx)
        .await?;
        let created = &archive.created_at;
        commit_audited::<(), _>(tx, None, "backup.restore", "installation", "", None, Some(created)).await?;
        Ok(restored)
    }

    /// The tables of the live database (for the schema test).
    pub async fn live_tables(&self) -> Result<Vec<String>> {
        let sql = match self.backend() {
            crate::Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            crate::Backend::Postgres => {
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            }
        };
        Ok(sqlx::query_scalar(sql).fetch_all(&self.pool).await?)
    }

    /// The column names of a table as the live database has them (for the schema test).
    pub async fn live_columns(&self, table: &str) -> Result<Vec<String>> {
        use sqlx::Column;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table} LIMIT 1")))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.columns().iter().map(|c| c.name().to_string()).collect()).unwrap_or_default())
    }
}

/// Refuse an archive of another format or schema version.
fn check_archive(archive: &Archive) -> Result<()> {
    if archive.format != FORMAT || archive.format_version != FORMAT_VERSION {
        return Err(StoreError::Archive(format!(
            "not an Urbis backup of format version {FORMAT_VERSION} (found {} {})",
            archive.format, archive.format_version
        )));
    }
    if archive.schema_version != Store::schema_version() {
        return Err(StoreError::Archive(format!(
            "archive has schema version {}, this Urbis has {}; restore with the matching release, then upgrade",
            archive.schema_version,
            Store::schema_version()
        )));
    }
    Ok(())
}

/// Insert one archived row (`ri` is its index, for messages) into `table`.
async fn restore_row(
    tx: &mut WriteTx,
    table: &'static str,
    cols: &[(&'static str, Col)],
    ri: usize,
    row: &[Value],
) -> Result<()> {
    if row.len() != cols.len() {
        return Err(StoreError::Archive(format!("{table} row {ri}: wrong number of values")));
    }
    let mut fields = Fields::new();
    for ((name, col), v) in cols.iter().zip(row) {
        let bad = || StoreError::Archive(format!("{table} row {ri}: {name} has the wrong type"));
        let stored = match (col, v) {
            (_, Value::Null) => Stored::Null,
            (Text, Value::String(s)) => Stored::Text(s.clone()),
            (Int, Value::Number(n)) => Stored::Int(n.as_i64().ok_or_else(bad)?),
            (Real, Value::Number(n)) => Stored::Float(n.as_f64().ok_or_else(bad)?),
            _ => return Err(bad()),
        };
        fields = fields.set(name, stored);
    }
    insert(tx, table, fields, "").await?;
    Ok(())
}

/// The archived tables and their column names (for the schema test).
pub fn archived_columns() -> Vec<(&'static str, Vec<&'static str>)> {
    TABLES.iter().map(|(t, c)| (*t, c.iter().map(|x| x.0).collect())).collect()
}
