//! The research log of a service: sessions, findings and the decisions they led to.

use super::join;
use super::service::service_in;
use crate::audit::commit_created;
use crate::query::all;
use crate::row::RowExt;
use crate::{Result, Store, now, ts};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use urbis_domain::services::ResearchInput;
use uuid::Uuid;

/// One entry of the research log: a session, its findings and the decision they led to.
#[derive(Debug, Clone, Serialize)]
pub struct ResearchEntry {
    pub id: Uuid,
    pub service_id: Uuid,
    pub held_on: NaiveDate,
    pub title: String,
    pub participants: u32,
    pub findings: String,
    pub quotes: String,
    pub tags: Vec<String>,
    pub decision: String,
    pub created_at: DateTime<Utc>,
}

fn research(r: &AnyRow) -> Result<ResearchEntry> {
    Ok(ResearchEntry {
        id: r.uuid("id")?,
        service_id: r.uuid("service_id")?,
        held_on: r.date("held_on")?,
        title: r.text("title")?,
        participants: r.int("participants")?.max(0) as u32,
        findings: r.text("findings")?,
        quotes: r.text("quotes")?,
        tags: r.list("tags")?,
        decision: r.text("decision")?,
        created_at: r.ts("created_at")?,
    })
}

impl Store {
    /// The research log of a service, newest session first.
    pub async fn research(&self, service_id: Uuid) -> Result<Vec<ResearchEntry>> {
        let sql = "SELECT * FROM service_research WHERE service_id = $1 ORDER BY held_on DESC, id DESC";
        all(&self.pool, sql, service_id, research).await
    }

    /// Add an entry to the research log (a log: entries are added, not edited).
    pub async fn add_research(
        &self,
        actor: Option<Uuid>,
        service_id: Uuid,
        e: &ResearchInput,
    ) -> Result<ResearchEntry> {
        let mut tx = self.begin_write().await?;
        service_in(&mut tx, service_id).await?;
        let id = Uuid::now_v7();
        let at = now();
        sqlx::query(
            "INSERT INTO service_research (id, service_id, held_on, title, participants, findings, quotes, tags, decision, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id.to_string())
        .bind(service_id.to_string())
        .bind(e.held_on.to_string())
        .bind(&e.title)
        .bind(i64::from(e.participants))
        .bind(&e.findings)
        .bind(&e.quotes)
        .bind(join(&e.tags))
        .bind(&e.decision)
        .bind(actor.map(|a| a.to_string()))
        .bind(ts(at))
        .execute(&mut *tx)
        .await?;
        let after = ResearchEntry {
            id,
            service_id,
            held_on: e.held_on,
            title: e.title.clone(),
            participants: e.participants,
            findings: e.findings.clone(),
            quotes: e.quotes.clone(),
            tags: e.tags.clone(),
            decision: e.decision.clone(),
            created_at: at,
        };
        commit_created(tx, actor, "service.research", "service", service_id, after).await
    }
}
