//! The `grants` capability's repository: calls and their rubric, applications (answers per
//! section, budget lines, co-applicants), reviewer assignments with conflict-of-interest
//! declarations, reviews with per-criterion scores, the consensus and decisions. Every write is one
//! transaction, checks versions or states where a record is changed, and is audited.

#[cfg(test)]
mod tests;

use crate::audit::{commit_change, commit_created, record as audit};
use crate::query::{
    all, by_id, count, insert, insert_versioned, one, optional, select, update_guarded, update_versioned,
};
use crate::row::{Record, record};
use crate::value::Fields;
use crate::{Page, Paged, Result, Store, StoreError, WriteTx, now, placeholders};
use chrono::{DateTime, Utc};
use serde::Serialize;
use urbis_domain::grants::{BudgetLine, CallInput, CallState, Eligibility};
use uuid::Uuid;

record! {
    /// A call for applications as stored, with its programme's slug.
    #[derive(Debug, Clone, Serialize)]
    pub struct Call {
        pub id: Uuid,
        pub programme_id: Uuid,
        pub programme_slug: String,
        pub title: String,
        pub description: String,
        pub eligibility: Eligibility,
        pub opens_at: DateTime<Utc>,
        pub closes_at: DateTime<Utc>,
        pub timezone: String,
        pub currency: String,
        pub total_budget_minor: i64,
        pub max_award_minor: i64,
        pub awarded_minor: i64,
        pub cost_categories_json: String,
        pub sections_json: String,
        pub overall_threshold_halves: i64,
        pub stages: i64,
        pub state: CallState,
        pub is_sample: bool,
        pub version: i64,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

impl Record for Call {
    const TABLE: &'static str = "grant_calls";
    const COLUMNS: &'static str = "c.*, p.slug AS programme_slug";
    const FROM: &'static str = "grant_calls c JOIN programmes p ON p.id = c.programme_id";
    const ID: &'static str = "c.id";
}

record! {
    /// A criterion of a call's rubric.
    #[derive(Debug, Clone, Serialize)]
    pub struct CriterionRow {
        pub call_id: Uuid,
        pub position: i64,
        pub key: String,
        pub title: String,
        pub description: String,
        pub weight_hundredths: i64,
        pub threshold_halves: i64,
    }
}

record! {
    /// An application, with its call's programme and its organisation.
    #[derive(Debug, Clone, Serialize)]
    pub struct Application {
        pub id: Uuid,
        pub call_id: Uuid,
        pub programme_id: Uuid,
        pub organisation_id: Uuid,
        pub organisation_slug: String,
        pub organisation_name: String,
        pub title: String,
        pub status: String,
        pub requested_minor: i64,
        pub submitted_at: Option<DateTime<Utc>>,
        pub version: i64,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

impl Record for Application {
    const TABLE: &'static str = "grant_applications";
    const COLUMNS: &'static str = "a.*, c.programme_id, o.slug AS organisation_slug, o.name AS organisation_name";
    const FROM: &'static str = "grant_applications a JOIN grant_calls c ON c.id = a.call_id \
         JOIN organisations o ON o.id = a.organisation_id";
    const ID: &'static str = "a.id";
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Answer {
        pub section_key: String,
        pub answer: String,
        pub updated_at: DateTime<Utc>,
    }
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct BudgetRow {
        pub position: i64,
        pub category: String,
        pub description: String,
        pub amount_minor: i64,
    }
}

record! {
    /// A reviewer assigned to an application.
    #[derive(Debug, Clone, Serialize)]
    pub struct Assignment {
        pub id: Uuid,
        pub application_id: Uuid,
        pub reviewer_id: Uuid,
        pub reviewer_name: String,
        pub conflict_reason: Option<String>,
        pub conflict_declared_at: Option<DateTime<Utc>>,
        pub reviewed: bool,
        pub version: i64,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

impl Record for Assignment {
    const TABLE: &'static str = "grant_assignments";
    const COLUMNS: &'static str = "g.*, pe.name AS reviewer_name, \
         CASE WHEN EXISTS (SELECT 1 FROM grant_reviews r WHERE r.assignment_id = g.id) THEN 1 ELSE 0 END AS reviewed";
    const FROM: &'static str = "grant_assignments g JOIN people pe ON pe.id = g.reviewer_id";
    const ID: &'static str = "g.id";
}

record! {
    /// A submitted review (its scores are read with [`Store::review_scores`]).
    #[derive(Debug, Clone, Serialize)]
    pub struct Review {
        pub id: Uuid,
        pub assignment_id: Uuid,
        pub application_id: Uuid,
        pub reviewer_id: Uuid,
        pub recommendation: String,
        pub comment: String,
        pub submitted_at: DateTime<Utc>,
        pub version: i64,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

impl Record for Review {
    const TABLE: &'static str = "grant_reviews";
}

record! {
    /// One criterion's score in a review: half points, `None` for not applicable.
    #[derive(Debug, Clone, Serialize)]
    pub struct ScoreRow {
        pub review_id: Uuid,
        pub criterion_key: String,
        pub score_halves: Option<i64>,
        pub comment: String,
    }
}

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Consensus {
        pub application_id: Uuid,
        pub scores_json: String,
        pub justification: String,
        pub recorded_by: Option<Uuid>,
        pub recorded_at: DateTime<Utc>,
    }
}

record! {
    /// A decision on an application: an award with its amount, or a rejection; with feedback.
    #[derive(Debug, Clone, Serialize)]
    pub struct Decision {
        pub application_id: Uuid,
        pub call_id: Uuid,
        pub outcome: String,
        pub amount_minor: Option<i64>,
        pub feedback: String,
        pub decided_by: Option<Uuid>,
        pub decided_at: DateTime<Utc>,
    }
}

record! {
    /// An award of a published call, for the public list.
    #[derive(Debug, Clone, Serialize)]
    pub struct Award {
        pub application_id: Uuid,
        pub call_id: Uuid,
        pub call_title: String,
        pub programme_slug: String,
        pub organisation_slug: String,
        pub organisation_name: String,
        pub title: String,
        pub amount_minor: i64,
        pub currency: String,
        pub decided_at: DateTime<Utc>,
    }
}

/// Which draft calls a list includes besides the published ones.
pub enum Drafts {
    None,
    All,
    Of(Vec<Uuid>),
}

/// A review's marks as written: criterion key, half points or `None` (n/a), comment.
pub type ScoreInput = (String, Option<i64>, String);

fn call_fields(c: &CallInput) -> Result<Fields> {
    Ok(Fields::new()
        .set("title", c.title.as_str())
        .set("description", c.description.as_str())
        .set("eligibility", c.eligibility.as_str())
        .set("opens_at", c.opens_at)
        .set("closes_at", c.closes_at)
        .set("timezone", c.timezone.as_str())
        .set("currency", c.currency().code())
        .set("total_budget_minor", c.total_budget.minor)
        .set("max_award_minor", c.max_award.minor)
        .set("cost_categories_json", to_json(&c.cost_categories)?)
        .set("sections_json", to_json(&c.sections)?)
        .set("overall_threshold_halves", i64::from(c.rubric.overall_threshold_halves))
        .set("stages", i64::from(c.stages)))
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

async fn insert_criteria(tx: &mut WriteTx, call_id: Uuid, c: &CallInput) -> Result<()> {
    for (i, k) in c.rubric.criteria.iter().enumerate() {
        let f = Fields::new()
            .set("call_id", call_id)
            .set("position", i as i64)
            .set("key", k.key.as_str())
            .set("title", k.title.as_str())
            .set("description", k.description.as_str())
            .set("weight_hundredths", i64::from(k.weight_hundredths))
            .set("threshold_halves", i64::from(k.threshold.0));
        insert(tx, "grant_criteria", f, "").await?;
    }
    Ok(())
}

const CRITERIA: &str = "SELECT * FROM grant_criteria WHERE call_id = $1 ORDER BY position";

async fn reviews_on_call(tx: &mut WriteTx, call_id: Uuid) -> Result<i64> {
    count(
        &mut **tx,
        "grant_reviews r JOIN grant_applications a ON a.id = r.application_id",
        Fields::new().set("a.call_id", call_id),
    )
    .await
}

impl Store {
    /// Add a draft call in a programme, with its rubric.
    pub async fn create_call(
        &self,
        actor: Option<Uuid>,
        programme_id: Uuid,
        c: &CallInput,
        is_sample: bool,
    ) -> Result<Call> {
        let mut tx = self.begin_write().await?;
        let fields = call_fields(c)?
            .set("programme_id", programme_id)
            .set("state", CallState::Draft.as_str())
            .set("is_sample", is_sample)
            .set("created_by", actor);
        let id = Uuid::now_v7();
        let at = now();
        let fields =
            Fields::new().set("id", id).with(fields).set("version", 1_i64).set("created_at", at).set("updated_at", at);
        insert(&mut tx, "grant_calls", fields, "").await?;
        insert_criteria(&mut tx, id, c).await?;
        let after: Call = by_id(&mut *tx, id).await?;
        commit_created(tx, actor, "grant-call.create", "grant-call", id, after).await
    }

    pub async fn call(&self, id: Uuid) -> Result<Call> {
        by_id(&self.pool, id).await
    }

    pub async fn call_criteria(&self, id: Uuid) -> Result<Vec<CriterionRow>> {
        all(&self.pool, CRITERIA, id).await
    }

    /// Change a call if it is still at `expected_version`. Its rubric cannot change once an
    /// application of the call has been reviewed (`rubric_changed` says whether it would).
    pub async fn update_call(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        c: &CallInput,
        rubric_changed: bool,
    ) -> Result<Call> {
        let (mut tx, before) = self.begin_change::<Call>(id, expected_version).await?;
        if rubric_changed {
            if reviews_on_call(&mut tx, id).await? > 0 {
                return Err(StoreError::refused(
                    "criteria",
                    "rubric-locked",
                    "the rubric cannot change after the first review",
                ));
            }
            sqlx::query("DELETE FROM grant_criteria WHERE call_id = $1").bind(id.to_string()).execute(&mut *tx).await?;
            insert_criteria(&mut tx, id, c).await?;
        }
        if c.total_budget.minor < before.awarded_minor {
            return Err(StoreError::refused(
                "total_budget",
                "below-awarded",
                "is below what the call has awarded already",
            ));
        }
        if c.currency().code() != before.currency && before.awarded_minor > 0 {
            return Err(StoreError::refused(
                "total_budget",
                "currency-mismatch",
                "the currency cannot change after an award",
            ));
        }
        let after = update_versioned(&mut tx, id, expected_version, call_fields(c)?).await?;
        commit_change(tx, Some(actor), "grant-call.update", "grant-call", id, &before, after).await
    }

    /// Move a call from `from` to `to` if it is still at `expected_version`.
    pub async fn set_call_state(&self, actor: Uuid, id: Uuid, expected_version: i64, to: CallState) -> Result<Call> {
        let (mut tx, before) = self.begin_change::<Call>(id, expected_version).await?;
        let after = update_versioned(&mut tx, id, expected_version, Fields::new().set("state", to.as_str())).await?;
        commit_change(tx, Some(actor), "grant-call.state", "grant-call", id, &before, after).await
    }

    /// A page of calls, newest opening first: the published ones and the drafts asked for.
    pub async fn calls_page(&self, drafts: &Drafts, page: Page) -> Result<Paged<Call>> {
        let (cond, ids): (String, Vec<Uuid>) = match drafts {
            Drafts::None => ("c.state <> 'draft'".into(), vec![]),
            Drafts::All => ("1 = 1".into(), vec![]),
            Drafts::Of(ps) if ps.is_empty() => ("c.state <> 'draft'".into(), vec![]),
            Drafts::Of(ps) => {
                (format!("(c.state <> 'draft' OR c.programme_id IN ({}))", placeholders(ps.len())), ps.clone())
            }
        };
        let n = ids.len();
        let sql = format!(
            "SELECT {} FROM {} WHERE {cond} ORDER BY c.opens_at DESC, c.id LIMIT ${} OFFSET ${}",
            Call::COLUMNS,
            Call::FROM,
            n + 1,
            n + 2
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in &ids {
            q = q.bind(id.to_string());
        }
        let rows = q.bind(page.limit()).bind(page.offset()).fetch_all(&self.pool).await?;
        let items = rows.iter().map(<Call as crate::row::Decode>::decode).collect::<Result<Vec<_>>>()?;
        let mut cq = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM grant_calls c WHERE {cond}"
        )));
        for id in &ids {
            cq = cq.bind(id.to_string());
        }
        let total = cq.fetch_one(&self.pool).await?;
        Ok(page.of(items, total))
    }

    /// Start an organisation's application to a call (one per organisation and call).
    pub async fn create_application(
        &self,
        actor: Uuid,
        call_id: Uuid,
        organisation_id: Uuid,
        title: &str,
    ) -> Result<Application> {
        let mut tx = self.begin_write().await?;
        let key = Fields::new().set("call_id", call_id).set("organisation_id", organisation_id);
        if count(&mut *tx, "grant_applications", key).await? > 0 {
            return Err(StoreError::refused(
                "organisation",
                "application-exists",
                "this organisation has applied to this call already",
            ));
        }
        let at = now();
        let id = Uuid::now_v7();
        let fields = Fields::new()
            .set("id", id)
            .set("call_id", call_id)
            .set("organisation_id", organisation_id)
            .set("title", title)
            .set("status", "draft")
            .set("requested_minor", 0_i64)
            .set("created_by", actor)
            .set("version", 1_i64)
            .set("created_at", at)
            .set("updated_at", at);
        insert(&mut tx, "grant_applications", fields, "").await?;
        let after: Application = by_id(&mut *tx, id).await?;
        commit_created(tx, Some(actor), "grant-application.create", "grant-application", id, after).await
    }

    pub async fn application(&self, id: Uuid) -> Result<Application> {
        by_id(&self.pool, id).await
    }

    /// A page of a call's applications (every status), oldest first.
    pub async fn call_applications(&self, call_id: Uuid, page: Page) -> Result<Paged<Application>> {
        let sql = select::<Application>("WHERE a.call_id = $1 ORDER BY a.created_at, a.id LIMIT $2 OFFSET $3");
        let items = all(&self.pool, sql, (call_id, page.limit(), page.offset())).await?;
        let total = count(&self.pool, "grant_applications", Fields::new().set("call_id", call_id)).await?;
        Ok(page.of(items, total))
    }

    /// A call's submitted (or decided) applications, for the ranking.
    pub async fn submitted_applications(&self, call_id: Uuid) -> Result<Vec<Application>> {
        all(
            &self.pool,
            select::<Application>("WHERE a.call_id = $1 AND a.status <> 'draft' ORDER BY a.submitted_at, a.id"),
            call_id,
        )
        .await
    }

    /// An organisation's applications, newest first (a page).
    pub async fn organisation_applications(&self, organisation_id: Uuid, page: Page) -> Result<Paged<Application>> {
        let sql =
            select::<Application>("WHERE a.organisation_id = $1 ORDER BY a.created_at DESC, a.id LIMIT $2 OFFSET $3");
        let items = all(&self.pool, sql, (organisation_id, page.limit(), page.offset())).await?;
        let total =
            count(&self.pool, "grant_applications", Fields::new().set("organisation_id", organisation_id)).await?;
        Ok(page.of(items, total))
    }

    pub async fn application_answers(&self, application_id: Uuid) -> Result<Vec<Answer>> {
        all(
            &self.pool,
            "SELECT section_key, answer, updated_at FROM grant_answers WHERE application_id = $1",
            application_id,
        )
        .await
    }

    pub async fn budget_lines(&self, application_id: Uuid) -> Result<Vec<BudgetRow>> {
        all(&self.pool, "SELECT * FROM grant_budget_lines WHERE application_id = $1 ORDER BY position", application_id)
            .await
    }

    /// The co-applicant organisations' ids.
    pub async fn coapplicants(&self, application_id: Uuid) -> Result<Vec<Uuid>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT organisation_id FROM grant_coapplicants WHERE application_id = $1 ORDER BY organisation_id",
        )
        .bind(application_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|s| crate::row::parse_uuid(s)).collect()
    }

    /// Begin a change of a draft application at `expected_version`: refused once submitted.
    async fn begin_draft(&self, id: Uuid, expected_version: i64) -> Result<(WriteTx, Application)> {
        let (tx, before) = self.begin_change::<Application>(id, expected_version).await?;
        if before.status != "draft" {
            return Err(StoreError::refused(
                "application",
                "application-submitted",
                "a submitted application cannot change",
            ));
        }
        Ok((tx, before))
    }

    /// Save one section's answer (and the title) of a draft application.
    pub async fn save_section(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        title: &str,
        section: &str,
        answer: &str,
    ) -> Result<Application> {
        let (mut tx, before) = self.begin_draft(id, expected_version).await?;
        sqlx::query("DELETE FROM grant_answers WHERE application_id = $1 AND section_key = $2")
            .bind(id.to_string())
            .bind(section)
            .execute(&mut *tx)
            .await?;
        if !answer.is_empty() {
            let f = Fields::new()
                .set("application_id", id)
                .set("section_key", section)
                .set("answer", answer)
                .set("updated_at", now());
            insert(&mut tx, "grant_answers", f, "").await?;
        }
        let after = update_versioned(&mut tx, id, expected_version, Fields::new().set("title", title)).await?;
        audit(
            &mut tx,
            Some(actor),
            "grant-application.section",
            "grant-application",
            &id.to_string(),
            Some(&(section, &before.version)),
            Some(&(section, answer)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Replace a draft application's budget and co-applicants; the requested amount is the total.
    pub async fn save_budget(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        lines: &[BudgetLine],
        total_minor: i64,
        coapplicants: &[Uuid],
    ) -> Result<Application> {
        let (mut tx, before) = self.begin_draft(id, expected_version).await?;
        sqlx::query("DELETE FROM grant_budget_lines WHERE application_id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        for (i, l) in lines.iter().enumerate() {
            let f = Fields::new()
                .set("application_id", id)
                .set("position", i as i64)
                .set("category", l.category.as_str())
                .set("description", l.description.as_str())
                .set("amount_minor", l.amount.minor);
            insert(&mut tx, "grant_budget_lines", f, "").await?;
        }
        sqlx::query("DELETE FROM grant_coapplicants WHERE application_id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        for o in coapplicants {
            insert(
                &mut tx,
                "grant_coapplicants",
                Fields::new().set("application_id", id).set("organisation_id", *o),
                "",
            )
            .await?;
        }
        let after =
            update_versioned(&mut tx, id, expected_version, Fields::new().set("requested_minor", total_minor)).await?;
        commit_change(tx, Some(actor), "grant-application.budget", "grant-application", id, &before, after).await
    }

    /// Submit a draft application at `expected_version`; `required` sections must be answered.
    pub async fn submit_application(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        required: &[String],
    ) -> Result<Application> {
        let (mut tx, before) = self.begin_draft(id, expected_version).await?;
        let answered: Vec<String> =
            sqlx::query_scalar("SELECT section_key FROM grant_answers WHERE application_id = $1")
                .bind(id.to_string())
                .fetch_all(&mut *tx)
                .await?;
        let missing: Vec<String> = required.iter().filter(|k| !answered.contains(k)).cloned().collect();
        if !missing.is_empty() {
            return Err(StoreError::Incomplete(missing));
        }
        let f = Fields::new().set("status", "submitted").set("submitted_at", now());
        update_guarded::<Application>(&mut tx, id, f, "status = 'draft'", || {
            StoreError::refused("application", "application-submitted", "the application was submitted already")
        })
        .await?;
        let after: Application = by_id(&mut *tx, id).await?;
        commit_change(tx, Some(actor), "grant-application.submit", "grant-application", id, &before, after).await
    }

    /// Is `person` a member (any role) of any of these organisations?
    pub async fn member_of_any(&self, person: Uuid, organisations: &[Uuid]) -> Result<bool> {
        if organisations.is_empty() {
            return Ok(false);
        }
        let sql = format!(
            "SELECT COUNT(*) FROM memberships WHERE person_id = $1 AND scope_kind = 'organisation' AND scope_id IN ({})",
            (2..organisations.len() + 2).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
        );
        let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).bind(person.to_string());
        for o in organisations {
            q = q.bind(o.to_string());
        }
        Ok(q.fetch_one(&self.pool).await? > 0)
    }

    /// Assign a reviewer to an application (once).
    pub async fn assign_reviewer(&self, actor: Uuid, application_id: Uuid, reviewer_id: Uuid) -> Result<Assignment> {
        let mut tx = self.begin_write().await?;
        let key = Fields::new().set("application_id", application_id).set("reviewer_id", reviewer_id);
        if count(&mut *tx, "grant_assignments", key).await? > 0 {
            return Err(StoreError::refused("reviewer", "already-assigned", "this reviewer is assigned already"));
        }
        let f = Fields::new()
            .set("application_id", application_id)
            .set("reviewer_id", reviewer_id)
            .set("assigned_by", actor);
        let inserted: ReviewRowId = insert_versioned(&mut tx, f).await?;
        let after: Assignment = by_id(&mut *tx, inserted.id).await?;
        commit_created(tx, Some(actor), "grant-assignment.create", "grant-assignment", after.id, after).await
    }

    pub async fn assignment(&self, id: Uuid) -> Result<Assignment> {
        by_id(&self.pool, id).await
    }

    /// An application's assignments, in order of assignment.
    pub async fn assignments(&self, application_id: Uuid) -> Result<Vec<Assignment>> {
        all(&self.pool, select::<Assignment>("WHERE g.application_id = $1 ORDER BY g.created_at, g.id"), application_id)
            .await
    }

    /// A reviewer's assignment to an application, if any.
    pub async fn assignment_of(&self, application_id: Uuid, reviewer_id: Uuid) -> Result<Option<Assignment>> {
        optional(
            &self.pool,
            select::<Assignment>("WHERE g.application_id = $1 AND g.reviewer_id = $2"),
            (application_id, reviewer_id),
        )
        .await
    }

    /// A page of a reviewer's assignments, newest first.
    pub async fn reviewer_assignments(&self, reviewer_id: Uuid, page: Page) -> Result<Paged<Assignment>> {
        let sql = select::<Assignment>("WHERE g.reviewer_id = $1 ORDER BY g.created_at DESC, g.id LIMIT $2 OFFSET $3");
        let items = all(&self.pool, sql, (reviewer_id, page.limit(), page.offset())).await?;
        let total = count(&self.pool, "grant_assignments", Fields::new().set("reviewer_id", reviewer_id)).await?;
        Ok(page.of(items, total))
    }

    /// A reviewer declares a conflict of interest, which withdraws them (before they review).
    pub async fn declare_conflict(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        reason: &str,
    ) -> Result<Assignment> {
        let (mut tx, before) = self.begin_change::<Assignment>(id, expected_version).await?;
        if before.reviewed {
            return Err(StoreError::refused("reason", "already-reviewed", "a submitted review cannot be withdrawn"));
        }
        let f = Fields::new().set("conflict_reason", reason).set("conflict_declared_at", now());
        let _: ReviewRowId = update_versioned(&mut tx, id, expected_version, f).await?;
        let after: Assignment = by_id(&mut *tx, id).await?;
        commit_change(tx, Some(actor), "grant-assignment.conflict", "grant-assignment", id, &before, after).await
    }

    /// Submit a review on an assignment: its scores per criterion, recommendation and comment.
    /// Refused once the reviewer has declared a conflict or reviewed already.
    pub async fn submit_review(
        &self,
        actor: Uuid,
        assignment: &Assignment,
        scores: &[ScoreInput],
        recommendation: &str,
        comment: &str,
    ) -> Result<Review> {
        let mut tx = self.begin_write().await?;
        let a: Assignment = by_id(&mut *tx, assignment.id).await?;
        if a.conflict_declared_at.is_some() {
            return Err(StoreError::refused(
                "assignment",
                "conflict-of-interest",
                "you declared a conflict of interest with this application",
            ));
        }
        if a.reviewed {
            return Err(StoreError::refused(
                "assignment",
                "already-reviewed",
                "you have reviewed this application already",
            ));
        }
        let f = Fields::new()
            .set("assignment_id", a.id)
            .set("application_id", a.application_id)
            .set("reviewer_id", a.reviewer_id)
            .set("recommendation", recommendation)
            .set("comment", comment)
            .set("submitted_at", now());
        let review: Review = insert_versioned(&mut tx, f).await?;
        for (key, halves, c) in scores {
            let f = Fields::new()
                .set("review_id", review.id)
                .set("criterion_key", key.as_str())
                .set("score_halves", *halves)
                .set("comment", c.as_str());
            insert(&mut tx, "grant_review_scores", f, "").await?;
        }
        audit(
            &mut tx,
            Some(actor),
            "grant-review.submit",
            "grant-review",
            &review.id.to_string(),
            None::<&()>,
            Some(&(&review, scores)),
        )
        .await?;
        tx.commit().await?;
        Ok(review)
    }

    /// An application's submitted reviews, oldest first.
    pub async fn reviews(&self, application_id: Uuid) -> Result<Vec<Review>> {
        all(&self.pool, select::<Review>("WHERE application_id = $1 ORDER BY submitted_at, id"), application_id).await
    }

    /// The scores of an application's reviews.
    pub async fn review_scores(&self, application_id: Uuid) -> Result<Vec<ScoreRow>> {
        all(
            &self.pool,
            "SELECT s.* FROM grant_review_scores s JOIN grant_reviews r ON r.id = s.review_id WHERE r.application_id = $1",
            application_id,
        )
        .await
    }

    /// The scores of every review of a call's applications, with the application of each review.
    pub async fn call_review_scores(&self, call_id: Uuid) -> Result<Vec<(Uuid, ScoreRow)>> {
        let rows = sqlx::query(
            "SELECT r.application_id, s.* FROM grant_review_scores s JOIN grant_reviews r ON r.id = s.review_id \
             JOIN grant_applications a ON a.id = r.application_id WHERE a.call_id = $1 ORDER BY r.submitted_at, r.id",
        )
        .bind(call_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        use crate::row::{Decode, RowExt};
        rows.iter().map(|r| Ok((r.uuid("application_id")?, ScoreRow::decode(r)?))).collect()
    }

    /// Record an application's consensus (once), after at least `min_reviews` reviews.
    pub async fn record_consensus(
        &self,
        actor: Uuid,
        application_id: Uuid,
        scores_json: &str,
        justification: &str,
        min_reviews: i64,
    ) -> Result<Consensus> {
        let mut tx = self.begin_write().await?;
        let n = count(&mut *tx, "grant_reviews", Fields::new().set("application_id", application_id)).await?;
        if n < min_reviews {
            return Err(StoreError::refused(
                "application",
                "too-few-reviews",
                format!("needs {min_reviews} independent reviews first; it has {n}"),
            ));
        }
        if count(&mut *tx, "grant_consensus", Fields::new().set("application_id", application_id)).await? > 0 {
            return Err(StoreError::refused("application", "consensus-recorded", "the consensus is recorded already"));
        }
        let f = Fields::new()
            .set("application_id", application_id)
            .set("scores_json", scores_json)
            .set("justification", justification)
            .set("recorded_by", actor)
            .set("recorded_at", now());
        insert(&mut tx, "grant_consensus", f, "").await?;
        let after: Consensus =
            one(&mut *tx, "SELECT * FROM grant_consensus WHERE application_id = $1", application_id).await?;
        commit_created(tx, Some(actor), "grant-consensus.record", "grant-application", application_id, after).await
    }

    pub async fn consensus(&self, application_id: Uuid) -> Result<Option<Consensus>> {
        optional(&self.pool, "SELECT * FROM grant_consensus WHERE application_id = $1", application_id).await
    }

    pub async fn call_consensus(&self, call_id: Uuid) -> Result<Vec<Consensus>> {
        all(
            &self.pool,
            "SELECT k.* FROM grant_consensus k JOIN grant_applications a ON a.id = k.application_id WHERE a.call_id = $1",
            call_id,
        )
        .await
    }

    /// Decide a submitted application: award `amount_minor` (raising the call's committed amount
    /// in the same transaction, guarded so that it can never pass the total budget, however many
    /// awards run at once) or reject it.
    pub async fn decide(
        &self,
        actor: Uuid,
        application: &Application,
        amount_minor: Option<i64>,
        feedback: &str,
    ) -> Result<Decision> {
        let mut tx = self.begin_write().await?;
        let outcome = if amount_minor.is_some() { "awarded" } else { "rejected" };
        update_guarded::<Application>(
            &mut tx,
            application.id,
            Fields::new().set("status", outcome),
            "status = 'submitted'",
            || StoreError::refused("application", "already-decided", "the application is decided already"),
        )
        .await?;
        if let Some(amount) = amount_minor {
            let rows = sqlx::query(
                "UPDATE grant_calls SET awarded_minor = awarded_minor + $1 WHERE id = $2 AND awarded_minor + $3 <= total_budget_minor",
            )
            .bind(amount)
            .bind(application.call_id.to_string())
            .bind(amount)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if rows == 0 {
                return Err(StoreError::refused(
                    "amount",
                    "budget-exhausted",
                    "the call's remaining budget does not cover this amount",
                ));
            }
        }
        let f = Fields::new()
            .set("application_id", application.id)
            .set("call_id", application.call_id)
            .set("outcome", if amount_minor.is_some() { "award" } else { "reject" })
            .set("amount_minor", amount_minor)
            .set("feedback", feedback)
            .set("decided_by", actor)
            .set("decided_at", now());
        insert(&mut tx, "grant_decisions", f, "").await?;
        let after: Decision =
            one(&mut *tx, "SELECT * FROM grant_decisions WHERE application_id = $1", application.id).await?;
        commit_created(tx, Some(actor), "grant-decision.create", "grant-application", application.id, after).await
    }

    pub async fn decision(&self, application_id: Uuid) -> Result<Option<Decision>> {
        optional(&self.pool, "SELECT * FROM grant_decisions WHERE application_id = $1", application_id).await
    }

    /// A page of the awards of published calls, newest first.
    pub async fn awards_page(&self, page: Page) -> Result<Paged<Award>> {
        let sql = "SELECT d.application_id, d.call_id, c.title AS call_title, p.slug AS programme_slug, \
             o.slug AS organisation_slug, o.name AS organisation_name, a.title, d.amount_minor, c.currency, d.decided_at \
             FROM grant_decisions d JOIN grant_applications a ON a.id = d.application_id \
             JOIN grant_calls c ON c.id = d.call_id JOIN programmes p ON p.id = c.programme_id \
             JOIN organisations o ON o.id = a.organisation_id \
             WHERE d.outcome = 'award' AND c.state <> 'draft' ORDER BY d.decided_at DESC, d.application_id LIMIT $1 OFFSET $2";
        let items = all(&self.pool, sql, (page.limit(), page.offset())).await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM grant_decisions d JOIN grant_calls c ON c.id = d.call_id WHERE d.outcome = 'award' AND c.state <> 'draft'",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(page.of(items, total))
    }
}

record! {
    /// The id of a row just inserted or updated (assignments are read back with their joins).
    struct ReviewRowId in "grant_assignments" {
        id: Uuid,
    }
}

impl crate::row::Versioned for Call {
    fn version(&self) -> i64 {
        self.version
    }
}
impl crate::row::Versioned for Application {
    fn version(&self) -> i64 {
        self.version
    }
}
impl crate::row::Versioned for Assignment {
    fn version(&self) -> i64 {
        self.version
    }
}
