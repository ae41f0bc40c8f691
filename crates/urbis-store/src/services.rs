//! The `services` capability's repository: each city's service, its phases (with exit
//! assessments), milestones and research log, outcome indicators and their measurements.
//! Every write is one transaction, checks versions where a record is changed, and is audited.

use crate::{Result, Store, StoreError, WriteTx, audit, now, parse_ts, ts};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use urbis_domain::services::service::Channel;
use urbis_domain::services::{
    Breakdown, BreakdownSpec, Direction, ExitResult, FocusArea, Goal, IndicatorInput, MeasurementInput, MilestoneInput,
    MilestoneState, PhaseInput, PhaseKind, Point, Quality, ResearchInput, ServiceInput,
};
use uuid::Uuid;

fn corrupt(e: urbis_domain::FieldError) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(format!("bad date {s:?}: {e}")))
}

fn list(s: &str) -> Vec<String> {
    s.split(',').filter(|p| !p.is_empty()).map(str::to_string).collect()
}

fn id(r: &AnyRow, col: &str) -> Result<Uuid> {
    crate::network::uuid(&r.try_get::<String, _>(col)?)
}

fn time(r: &AnyRow, col: &str) -> Result<DateTime<Utc>> {
    parse_ts(&r.try_get::<String, _>(col)?)
}

/// A city's service as stored, with its city and programme.
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub organisation_slug: String,
    pub organisation_name: String,
    pub country_code: String,
    pub programme_id: Uuid,
    pub programme_slug: String,
    pub title: String,
    pub description: String,
    pub focus_area: FocusArea,
    pub phase: PhaseKind,
    pub problem: String,
    pub audience: String,
    pub team: String,
    pub channels: Vec<Channel>,
    pub languages: Vec<String>,
    pub output: String,
    pub cost_minor: Option<i64>,
    pub currency: String,
    pub builds_on: Vec<String>,
    pub published: bool,
    pub is_sample: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SERVICE_SELECT: &str = "SELECT s.*, o.slug AS organisation_slug, o.name AS organisation_name, \
     o.country_code, p.slug AS programme_slug FROM services s \
     JOIN organisations o ON o.id = s.organisation_id JOIN programmes p ON p.id = s.programme_id";

fn service(r: &AnyRow) -> Result<Service> {
    Ok(Service {
        id: id(r, "id")?,
        organisation_id: id(r, "organisation_id")?,
        organisation_slug: r.try_get("organisation_slug")?,
        organisation_name: r.try_get("organisation_name")?,
        country_code: r.try_get("country_code")?,
        programme_id: id(r, "programme_id")?,
        programme_slug: r.try_get("programme_slug")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        focus_area: FocusArea::parse(&r.try_get::<String, _>("focus_area")?).map_err(corrupt)?,
        phase: PhaseKind::parse(&r.try_get::<String, _>("phase")?).map_err(corrupt)?,
        problem: r.try_get("problem")?,
        audience: r.try_get("audience")?,
        team: r.try_get("team")?,
        channels: list(&r.try_get::<String, _>("channels")?)
            .iter()
            .map(|c| Channel::parse(c).map_err(corrupt))
            .collect::<Result<_>>()?,
        languages: list(&r.try_get::<String, _>("languages")?),
        output: r.try_get("output")?,
        cost_minor: r.try_get("cost_minor")?,
        currency: r.try_get("currency")?,
        builds_on: list(&r.try_get::<String, _>("builds_on")?),
        published: r.try_get::<i64, _>("published")? != 0,
        is_sample: r.try_get::<i64, _>("is_sample")? != 0,
        version: r.try_get("version")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

/// A phase of a service with its exit assessment.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub id: Uuid,
    pub service_id: Uuid,
    pub kind: PhaseKind,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub goal: String,
    pub exit_result: ExitResult,
    pub exit_notes: String,
    pub exit_checklist: Vec<u8>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

fn phase(r: &AnyRow) -> Result<Phase> {
    Ok(Phase {
        id: id(r, "id")?,
        service_id: id(r, "service_id")?,
        kind: PhaseKind::parse(&r.try_get::<String, _>("kind")?).map_err(corrupt)?,
        starts_on: date(&r.try_get::<String, _>("starts_on")?)?,
        ends_on: date(&r.try_get::<String, _>("ends_on")?)?,
        goal: r.try_get("goal")?,
        exit_result: ExitResult::parse(&r.try_get::<String, _>("exit_result")?).map_err(corrupt)?,
        exit_notes: r.try_get("exit_notes")?,
        exit_checklist: list(&r.try_get::<String, _>("exit_checklist")?)
            .iter()
            .map(|p| p.parse::<u8>().map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect::<Result<_>>()?,
        version: r.try_get("version")?,
        updated_at: time(r, "updated_at")?,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct Milestone {
    pub id: Uuid,
    pub service_id: Uuid,
    pub title: String,
    pub due_on: NaiveDate,
    pub state: MilestoneState,
    pub version: i64,
}

fn milestone(r: &AnyRow) -> Result<Milestone> {
    Ok(Milestone {
        id: id(r, "id")?,
        service_id: id(r, "service_id")?,
        title: r.try_get("title")?,
        due_on: date(&r.try_get::<String, _>("due_on")?)?,
        state: MilestoneState::parse(&r.try_get::<String, _>("state")?).map_err(corrupt)?,
        version: r.try_get("version")?,
    })
}

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
        id: id(r, "id")?,
        service_id: id(r, "service_id")?,
        held_on: date(&r.try_get::<String, _>("held_on")?)?,
        title: r.try_get("title")?,
        participants: r.try_get::<i64, _>("participants")?.max(0) as u32,
        findings: r.try_get("findings")?,
        quotes: r.try_get("quotes")?,
        tags: list(&r.try_get::<String, _>("tags")?),
        decision: r.try_get("decision")?,
        created_at: time(r, "created_at")?,
    })
}

/// An outcome indicator of a service.
#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub id: Uuid,
    pub service_id: Uuid,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub goal: Goal,
    pub data_source: String,
    pub method: String,
    pub breakdowns: BreakdownSpec,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn indicator(r: &AnyRow) -> Result<Indicator> {
    Ok(Indicator {
        id: id(r, "id")?,
        service_id: id(r, "service_id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        unit: r.try_get("unit")?,
        goal: Goal {
            direction: Direction::parse(&r.try_get::<String, _>("direction")?).map_err(corrupt)?,
            baseline_value: r.try_get("baseline_value")?,
            baseline_date: date(&r.try_get::<String, _>("baseline_date")?)?,
            target_value: r.try_get("target_value")?,
            target_date: date(&r.try_get::<String, _>("target_date")?)?,
        },
        data_source: r.try_get("data_source")?,
        method: r.try_get("method")?,
        breakdowns: BreakdownSpec::parse(&r.try_get::<String, _>("breakdowns")?).map_err(corrupt)?,
        version: r.try_get("version")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

/// One stored measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measurement {
    pub date: NaiveDate,
    pub breakdown: Breakdown,
    pub value: f64,
    pub quality: Quality,
    pub note: String,
}

impl Measurement {
    pub fn point(&self) -> Point {
        Point { date: self.date, value: self.value, quality: self.quality }
    }
}

fn measurement(r: &AnyRow) -> Result<Measurement> {
    Ok(Measurement {
        date: date(&r.try_get::<String, _>("measured_on")?)?,
        breakdown: Breakdown::from_key(&r.try_get::<String, _>("breakdown")?),
        value: r.try_get("value")?,
        quality: Quality::parse(&r.try_get::<String, _>("quality")?).map_err(corrupt)?,
        note: r.try_get("note")?,
    })
}

/// What an import of measurements did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
}

fn join<T: AsRef<str>>(items: &[T]) -> String {
    items.iter().map(|s| s.as_ref()).collect::<Vec<_>>().join(",")
}

fn channels_text(c: &[Channel]) -> String {
    join(&c.iter().map(|c| c.as_str()).collect::<Vec<_>>())
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Bind a service's described fields, in the order the INSERT and UPDATE name them.
fn bind_service<'q>(q: AnyQuery<'q>, s: &'q ServiceInput) -> AnyQuery<'q> {
    q.bind(&s.title)
        .bind(&s.description)
        .bind(s.focus_area.as_str())
        .bind(s.phase.as_str())
        .bind(&s.problem)
        .bind(&s.audience)
        .bind(&s.team)
        .bind(channels_text(&s.channels))
        .bind(join(&s.languages))
        .bind(&s.output)
        .bind(s.cost_minor)
        .bind(&s.currency)
        .bind(join(&s.builds_on))
}

/// Audit a change inside its transaction and commit it.
async fn commit_audited<T: Serialize>(
    mut tx: WriteTx,
    actor: Option<Uuid>,
    action: &str,
    kind: &str,
    entity: Uuid,
    before: Option<&T>,
    after: &T,
) -> Result<()> {
    audit::record(&mut tx, actor, action, kind, &entity.to_string(), before, Some(after)).await?;
    tx.commit().await?;
    Ok(())
}

async fn service_in(tx: &mut WriteTx, id: Uuid) -> Result<Service> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SERVICE_SELECT} WHERE s.id = $1")))
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    service(&row)
}

impl Store {
    // ---- services -----------------------------------------------------------------------------

    /// Add a city's service in a programme; a city has one service per programme.
    pub async fn create_service(
        &self,
        actor: Option<Uuid>,
        organisation_id: Uuid,
        programme_id: Uuid,
        s: &ServiceInput,
        published: bool,
        is_sample: bool,
    ) -> Result<Service> {
        let mut tx = self.begin_write().await?;
        let exists: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM services WHERE organisation_id = $1 AND programme_id = $2")
                .bind(organisation_id.to_string())
                .bind(programme_id.to_string())
                .fetch_one(&mut *tx)
                .await?;
        if exists > 0 {
            return Err(StoreError::refused(
                "city",
                "service-exists",
                "this city already has its service in this programme",
            ));
        }
        let id = Uuid::now_v7();
        let at = ts(now());
        let insert = sqlx::query(
            "INSERT INTO services (id, organisation_id, programme_id, title, description, focus_area, phase, problem, \
             audience, team, channels, languages, output, cost_minor, currency, builds_on, published, is_sample, version, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 1, $19, $19)",
        )
        .bind(id.to_string())
        .bind(organisation_id.to_string())
        .bind(programme_id.to_string());
        bind_service(insert, s)
            .bind(i64::from(published))
            .bind(i64::from(is_sample))
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        let after = service_in(&mut tx, id).await?;
        commit_audited::<Service>(tx, actor, "service.create", "service", id, None, &after).await?;
        Ok(after)
    }

    pub async fn service(&self, id: Uuid) -> Result<Service> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SERVICE_SELECT} WHERE s.id = $1")))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        service(&row)
    }

    /// Every city's service in a programme, by city name.
    pub async fn programme_services(&self, programme_id: Uuid) -> Result<Vec<Service>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SERVICE_SELECT} WHERE s.programme_id = $1 ORDER BY o.name, o.slug"
        )))
        .bind(programme_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(service).collect()
    }

    /// A city's services (one per programme), oldest programme first.
    pub async fn organisation_services(&self, organisation_id: Uuid) -> Result<Vec<Service>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SERVICE_SELECT} WHERE s.organisation_id = $1 ORDER BY p.starts_on, p.slug"
        )))
        .bind(organisation_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(service).collect()
    }

    /// Change a service's description and publication if it is still at `expected_version`.
    pub async fn update_service(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        s: &ServiceInput,
        published: bool,
    ) -> Result<Service> {
        let mut tx = self.begin_write().await?;
        let before = service_in(&mut tx, id).await?;
        if before.version != expected_version {
            return Err(StoreError::Conflict { expected: expected_version, actual: before.version });
        }
        let update = sqlx::query(
            "UPDATE services SET title = $1, description = $2, focus_area = $3, phase = $4, problem = $5, audience = $6, \
             team = $7, channels = $8, languages = $9, output = $10, cost_minor = $11, currency = $12, builds_on = $13, \
             published = $14, version = version + 1, updated_at = $15 WHERE id = $16 AND version = $17",
        );
        bind_service(update, s)
            .bind(i64::from(published))
            .bind(ts(now()))
            .bind(id.to_string())
            .bind(expected_version)
            .execute(&mut *tx)
            .await?;
        let after = service_in(&mut tx, id).await?;
        commit_audited(tx, Some(actor), "service.update", "service", id, Some(&before), &after).await?;
        Ok(after)
    }

    // ---- phases -------------------------------------------------------------------------------

    /// The phases of a service, in the order of the service standard.
    pub async fn phases(&self, service_id: Uuid) -> Result<Vec<Phase>> {
        let rows = sqlx::query("SELECT * FROM service_phases WHERE service_id = $1")
            .bind(service_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut out: Vec<Phase> = rows.iter().map(phase).collect::<Result<_>>()?;
        out.sort_by_key(|p| p.kind);
        Ok(out)
    }

    /// Plan a phase, or change a planned one if it is still at `expected_version` (which must be
    /// given for a phase that exists).
    pub async fn put_phase(
        &self,
        actor: Option<Uuid>,
        service_id: Uuid,
        p: &PhaseInput,
        expected_version: Option<i64>,
    ) -> Result<Phase> {
        let mut tx = self.begin_write().await?;
        service_in(&mut tx, service_id).await?;
        let before = sqlx::query("SELECT * FROM service_phases WHERE service_id = $1 AND kind = $2")
            .bind(service_id.to_string())
            .bind(p.kind.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(phase)
            .transpose()?;
        let checklist = join(&p.exit_checklist.iter().map(|n| n.to_string()).collect::<Vec<_>>());
        let at = ts(now());
        let id = match (&before, expected_version) {
            (Some(b), Some(v)) if b.version == v => {
                sqlx::query(
                    "UPDATE service_phases SET starts_on = $1, ends_on = $2, goal = $3, exit_result = $4, exit_notes = $5, \
                     exit_checklist = $6, version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
                )
                .bind(p.starts_on.to_string())
                .bind(p.ends_on.to_string())
                .bind(&p.goal)
                .bind(p.exit_result.as_str())
                .bind(&p.exit_notes)
                .bind(&checklist)
                .bind(&at)
                .bind(b.id.to_string())
                .bind(v)
                .execute(&mut *tx)
                .await?;
                b.id
            }
            (Some(b), Some(v)) => return Err(StoreError::Conflict { expected: v, actual: b.version }),
            (Some(_), None) => {
                return Err(StoreError::refused(
                    "kind",
                    "phase-exists",
                    "this phase is already planned; change it from its own form",
                ));
            }
            (None, _) => {
                let id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO service_phases (id, service_id, kind, starts_on, ends_on, goal, exit_result, exit_notes, \
                     exit_checklist, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)",
                )
                .bind(id.to_string())
                .bind(service_id.to_string())
                .bind(p.kind.as_str())
                .bind(p.starts_on.to_string())
                .bind(p.ends_on.to_string())
                .bind(&p.goal)
                .bind(p.exit_result.as_str())
                .bind(&p.exit_notes)
                .bind(&checklist)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        let after = phase(
            &sqlx::query("SELECT * FROM service_phases WHERE id = $1").bind(id.to_string()).fetch_one(&mut *tx).await?,
        )?;
        commit_audited(tx, actor, "service.phase", "service", service_id, before.as_ref(), &after).await?;
        Ok(after)
    }

    // ---- milestones ---------------------------------------------------------------------------

    pub async fn milestones(&self, service_id: Uuid) -> Result<Vec<Milestone>> {
        let rows = sqlx::query("SELECT * FROM service_milestones WHERE service_id = $1 ORDER BY due_on, title, id")
            .bind(service_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(milestone).collect()
    }

    pub async fn milestone(&self, id: Uuid) -> Result<Milestone> {
        let row = sqlx::query("SELECT * FROM service_milestones WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        milestone(&row)
    }

    pub async fn add_milestone(&self, actor: Option<Uuid>, service_id: Uuid, m: &MilestoneInput) -> Result<Milestone> {
        let mut tx = self.begin_write().await?;
        service_in(&mut tx, service_id).await?;
        let id = Uuid::now_v7();
        let at = ts(now());
        sqlx::query(
            "INSERT INTO service_milestones (id, service_id, title, due_on, state, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
        )
        .bind(id.to_string())
        .bind(service_id.to_string())
        .bind(&m.title)
        .bind(m.due_on.to_string())
        .bind(m.state.as_str())
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let after = Milestone { id, service_id, title: m.title.clone(), due_on: m.due_on, state: m.state, version: 1 };
        commit_audited::<Milestone>(tx, actor, "service.milestone", "service", service_id, None, &after).await?;
        Ok(after)
    }

    /// Change a milestone if it is still at `expected_version`.
    pub async fn update_milestone(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        m: &MilestoneInput,
    ) -> Result<Milestone> {
        let mut tx = self.begin_write().await?;
        let before = milestone(
            &sqlx::query("SELECT * FROM service_milestones WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?,
        )?;
        if before.version != expected_version {
            return Err(StoreError::Conflict { expected: expected_version, actual: before.version });
        }
        sqlx::query(
            "UPDATE service_milestones SET title = $1, due_on = $2, state = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6",
        )
        .bind(&m.title)
        .bind(m.due_on.to_string())
        .bind(m.state.as_str())
        .bind(ts(now()))
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        let after = Milestone {
            title: m.title.clone(),
            due_on: m.due_on,
            state: m.state,
            version: before.version + 1,
            ..before.clone()
        };
        commit_audited(tx, Some(actor), "service.milestone", "service", before.service_id, Some(&before), &after)
            .await?;
        Ok(after)
    }

    // ---- research log -------------------------------------------------------------------------

    /// The research log of a service, newest session first.
    pub async fn research(&self, service_id: Uuid) -> Result<Vec<ResearchEntry>> {
        let rows = sqlx::query("SELECT * FROM service_research WHERE service_id = $1 ORDER BY held_on DESC, id DESC")
            .bind(service_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(research).collect()
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
        commit_audited::<ResearchEntry>(tx, actor, "service.research", "service", service_id, None, &after).await?;
        Ok(after)
    }

    // ---- indicators and measurements ----------------------------------------------------------

    pub async fn create_indicator(
        &self,
        actor: Option<Uuid>,
        service_id: Uuid,
        i: &IndicatorInput,
    ) -> Result<Indicator> {
        let mut tx = self.begin_write().await?;
        service_in(&mut tx, service_id).await?;
        let id = Uuid::now_v7();
        let at = ts(now());
        let g = &i.goal;
        sqlx::query(
            "INSERT INTO indicators (id, service_id, name, description, unit, direction, baseline_value, baseline_date, \
             target_value, target_date, data_source, method, breakdowns, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14)",
        )
        .bind(id.to_string())
        .bind(service_id.to_string())
        .bind(&i.name)
        .bind(&i.description)
        .bind(&i.unit)
        .bind(g.direction.as_str())
        .bind(g.baseline_value)
        .bind(g.baseline_date.to_string())
        .bind(g.target_value)
        .bind(g.target_date.to_string())
        .bind(&i.data_source)
        .bind(&i.method)
        .bind(i.breakdowns.to_text())
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let after = indicator_in(&mut tx, id).await?;
        commit_audited::<Indicator>(tx, actor, "indicator.create", "indicator", id, None, &after).await?;
        Ok(after)
    }

    pub async fn indicator(&self, id: Uuid) -> Result<Indicator> {
        let row = sqlx::query("SELECT * FROM indicators WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        indicator(&row)
    }

    /// The indicators of a service, oldest first.
    pub async fn indicators(&self, service_id: Uuid) -> Result<Vec<Indicator>> {
        let rows = sqlx::query("SELECT * FROM indicators WHERE service_id = $1 ORDER BY created_at, id")
            .bind(service_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(indicator).collect()
    }

    /// Every indicator of every service in a programme.
    pub async fn programme_indicators(&self, programme_id: Uuid) -> Result<Vec<Indicator>> {
        let rows = sqlx::query(
            "SELECT i.* FROM indicators i JOIN services s ON s.id = i.service_id WHERE s.programme_id = $1 \
             ORDER BY i.created_at, i.id",
        )
        .bind(programme_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(indicator).collect()
    }

    /// An indicator's measurements by date, the total series before its breakdowns.
    pub async fn measurements(&self, indicator_id: Uuid) -> Result<Vec<Measurement>> {
        let rows = sqlx::query("SELECT * FROM measurements WHERE indicator_id = $1 ORDER BY measured_on, breakdown")
            .bind(indicator_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(measurement).collect()
    }

    /// The total series (no breakdown) of every indicator in a programme: indicator id → measurements.
    pub async fn programme_totals(&self, programme_id: Uuid) -> Result<HashMap<Uuid, Vec<Measurement>>> {
        let rows = sqlx::query(
            "SELECT m.* FROM measurements m JOIN indicators i ON i.id = m.indicator_id \
             JOIN services s ON s.id = i.service_id WHERE s.programme_id = $1 AND m.breakdown = '' ORDER BY m.measured_on",
        )
        .bind(programme_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out: HashMap<Uuid, Vec<Measurement>> = HashMap::new();
        for r in &rows {
            out.entry(id(r, "indicator_id")?).or_default().push(measurement(r)?);
        }
        Ok(out)
    }

    /// Record measurements of an indicator, all or none, in one transaction. Each replaces the
    /// value of the same date and breakdown; a row equal to the stored one changes nothing and is
    /// not audited, so importing the same file twice leaves no trace the second time.
    pub async fn put_measurements(
        &self,
        actor: Option<Uuid>,
        indicator_id: Uuid,
        rows: &[MeasurementInput],
    ) -> Result<ImportOutcome> {
        let mut tx = self.begin_write().await?;
        indicator_in(&mut tx, indicator_id).await?;
        let mut outcome = ImportOutcome::default();
        let at = ts(now());
        for m in rows {
            let key = m.breakdown.key();
            let before = sqlx::query(
                "SELECT * FROM measurements WHERE indicator_id = $1 AND measured_on = $2 AND breakdown = $3",
            )
            .bind(indicator_id.to_string())
            .bind(m.date.to_string())
            .bind(&key)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(measurement)
            .transpose()?;
            let after = Measurement {
                date: m.date,
                breakdown: m.breakdown.clone(),
                value: m.value,
                quality: m.quality,
                note: m.note.clone(),
            };
            if before.as_ref() == Some(&after) {
                outcome.unchanged += 1;
                continue;
            }
            if before.is_some() {
                outcome.changed += 1;
                sqlx::query(
                    "UPDATE measurements SET value = $1, quality = $2, note = $3, updated_at = $4 \
                     WHERE indicator_id = $5 AND measured_on = $6 AND breakdown = $7",
                )
                .bind(m.value)
                .bind(m.quality.as_str())
                .bind(&m.note)
                .bind(&at)
                .bind(indicator_id.to_string())
                .bind(m.date.to_string())
                .bind(&key)
                .execute(&mut *tx)
                .await?;
            } else {
                outcome.added += 1;
                sqlx::query(
                    "INSERT INTO measurements (indicator_id, measured_on, breakdown, value, quality, note, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(indicator_id.to_string())
                .bind(m.date.to_string())
                .bind(&key)
                .bind(m.value)
                .bind(m.quality.as_str())
                .bind(&m.note)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
            }
            audit::record(
                &mut tx,
                actor,
                "indicator.measurement",
                "indicator",
                &indicator_id.to_string(),
                before.as_ref(),
                Some(&after),
            )
            .await?;
        }
        if outcome.added + outcome.changed > 0 {
            sqlx::query("UPDATE indicators SET version = version + 1, updated_at = $1 WHERE id = $2")
                .bind(&at)
                .bind(indicator_id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }
}

async fn indicator_in(tx: &mut WriteTx, id: Uuid) -> Result<Indicator> {
    let row = sqlx::query("SELECT * FROM indicators WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    indicator(&row)
}

#[cfg(test)]
#[path = "services_tests.rs"]
mod tests;
