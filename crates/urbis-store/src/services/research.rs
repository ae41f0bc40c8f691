//! The research log of a service: sessions, findings and the decisions they led to.

use super::Service;
use crate::audit::commit_created;
use crate::query::{all, insert_record};
use crate::row::record;
use crate::value::{ToFields, stored_fields};
use crate::{Result, Store, now};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use urbis_domain::services::ResearchInput;
use uuid::Uuid;

record! {
    /// One entry of the research log: a session, its findings and the decision it led to.
    #[derive(Debug, Clone, Serialize)]
    pub struct ResearchEntry in "service_research" {
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
}

stored_fields!(ResearchInput { held_on, title, participants, findings, quotes, tags, decision });

impl Store {
    /// The research log of a service, newest session first.
    pub async fn research(&self, service_id: Uuid) -> Result<Vec<ResearchEntry>> {
        let sql = "SELECT * FROM service_research WHERE service_id = $1 ORDER BY held_on DESC, id DESC";
        all(&self.pool, sql, service_id).await
    }

    /// Add an entry to the research log (a log: entries are added, not edited).
    pub async fn add_research(
        &self,
        actor: Option<Uuid>,
        service_id: Uuid,
        e: &ResearchInput,
    ) -> Result<ResearchEntry> {
        let (mut tx, _) = self.begin_on::<Service>(service_id).await?;
        let fields = e.fields().set("service_id", service_id).set("created_by", actor).set("created_at", now());
        let after: ResearchEntry = insert_record(&mut tx, fields).await?;
        commit_created(tx, actor, "service.research", "service", service_id, after).await
    }
}
