//! The `network` capability's repository: programmes, organisations and their participation,
//! people, memberships (roles) and invitations.

use crate::audit;
use crate::auth::{hash_token, new_token};
use crate::{Page, Paged, Result, Store, StoreError, WriteTx, now, parse_ts, ts};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use urbis_domain::network::{INVITATION_VALIDITY_DAYS, InvitationState, OrganisationKind, ParticipationStatus};
use urbis_domain::policy::{Grant, Role, Scope};
use uuid::Uuid;

pub(crate) fn uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("bad id {s:?}: {e}")))
}

fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(format!("bad date {s:?}: {e}")))
}

fn opt_ts(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_ts).transpose()
}

#[derive(Debug, Clone, Serialize)]
pub struct Programme {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub announced_on: Option<NaiveDate>,
    pub version: i64,
}

const PROGRAMME_COLS: &str = "id, slug, name, description, starts_on, ends_on, announced_on, version";

fn programme(r: &AnyRow) -> Result<Programme> {
    Ok(Programme {
        id: uuid(&r.try_get::<String, _>("id")?)?,
        slug: r.try_get("slug")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        starts_on: date(&r.try_get::<String, _>("starts_on")?)?,
        ends_on: date(&r.try_get::<String, _>("ends_on")?)?,
        announced_on: r.try_get::<Option<String>, _>("announced_on")?.as_deref().map(date).transpose()?,
        version: r.try_get("version")?,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub country_code: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub timezone: String,
    pub description: String,
    pub website: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

const ORG_COLS: &str = "o.id, o.slug, o.name, o.kind, o.country_code, o.latitude, o.longitude, o.timezone, \
                        o.description, o.website, o.version, o.updated_at";

fn organisation(r: &AnyRow) -> Result<Organisation> {
    Ok(Organisation {
        id: uuid(&r.try_get::<String, _>("id")?)?,
        slug: r.try_get("slug")?,
        name: r.try_get("name")?,
        kind: OrganisationKind::parse(&r.try_get::<String, _>("kind")?).map_err(|e| StoreError::Corrupt(e.message))?,
        country_code: r.try_get("country_code")?,
        latitude: r.try_get("latitude")?,
        longitude: r.try_get("longitude")?,
        timezone: r.try_get("timezone")?,
        description: r.try_get("description")?,
        website: r.try_get("website")?,
        version: r.try_get("version")?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
    })
}

/// An organisation as a member of a programme's cohort.
#[derive(Debug, Clone, Serialize)]
pub struct CohortMember {
    #[serde(flatten)]
    pub organisation: Organisation,
    pub status: ParticipationStatus,
    pub note: String,
}

fn cohort_member(r: &AnyRow) -> Result<CohortMember> {
    Ok(CohortMember {
        organisation: organisation(r)?,
        status: ParticipationStatus::parse(&r.try_get::<String, _>("status")?)
            .map_err(|e| StoreError::Corrupt(e.message))?,
        note: r.try_get("note")?,
    })
}

/// A programme an organisation takes part in.
#[derive(Debug, Clone, Serialize)]
pub struct Participation {
    pub programme_id: Uuid,
    pub programme_slug: String,
    pub programme_name: String,
    pub status: ParticipationStatus,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub job_title: String,
    pub listed: bool,
    pub locale: String,
    pub version: i64,
}

const PERSON_COLS: &str = "id, email, name, job_title, listed, locale, version";

fn person(r: &AnyRow) -> Result<Person> {
    Ok(Person {
        id: uuid(&r.try_get::<String, _>("id")?)?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        job_title: r.try_get("job_title")?,
        listed: r.try_get::<i64, _>("listed")? != 0,
        locale: r.try_get("locale")?,
        version: r.try_get("version")?,
    })
}

/// A role held by a person, with the name of where it is held.
#[derive(Debug, Clone, Serialize)]
pub struct Membership {
    pub id: Uuid,
    pub person_id: Uuid,
    pub role: Role,
    pub scope: Scope,
    /// Slug and name of the organisation or programme; empty for global roles.
    pub scope_slug: String,
    pub scope_name: String,
}

const MEMBERSHIP_SELECT: &str = "SELECT m.id, m.person_id, m.role, m.scope_kind, m.scope_id, \
     COALESCE(o.slug, p.slug, '') AS scope_slug, COALESCE(o.name, p.name, '') AS scope_name \
     FROM memberships m \
     LEFT JOIN organisations o ON m.scope_kind = 'organisation' AND o.id = m.scope_id \
     LEFT JOIN programmes p ON m.scope_kind = 'programme' AND p.id = m.scope_id";

impl Membership {
    /// Is this role held in an organisation (rather than a programme or globally)?
    pub fn is_organisation(&self) -> bool {
        matches!(self.scope, Scope::Organisation(_))
    }
}

fn membership(r: &AnyRow) -> Result<Membership> {
    let kind: String = r.try_get("scope_kind")?;
    let scope_id: String = r.try_get("scope_id")?;
    let scope = match kind.as_str() {
        "global" => Scope::Global,
        "programme" => Scope::Programme(uuid(&scope_id)?),
        "organisation" => Scope::Organisation(uuid(&scope_id)?),
        other => return Err(StoreError::Corrupt(format!("bad scope kind {other}"))),
    };
    Ok(Membership {
        id: uuid(&r.try_get::<String, _>("id")?)?,
        person_id: uuid(&r.try_get::<String, _>("person_id")?)?,
        role: Role::parse(&r.try_get::<String, _>("role")?).map_err(|e| StoreError::Corrupt(e.message))?,
        scope,
        scope_slug: r.try_get("scope_slug")?,
        scope_name: r.try_get("scope_name")?,
    })
}

fn scope_columns(scope: &Scope) -> (&'static str, String) {
    match scope {
        Scope::Global => ("global", String::new()),
        Scope::Programme(id) => ("programme", id.to_string()),
        Scope::Organisation(id) => ("organisation", id.to_string()),
    }
}

/// A member of an organisation's team as shown on its page.
#[derive(Debug, Clone, Serialize)]
pub struct TeamMember {
    pub membership_id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    pub job_title: String,
    pub listed: bool,
    pub role: Role,
}

/// A person in the public directory, with their roles.
#[derive(Debug, Clone, Serialize)]
pub struct DirectoryEntry {
    pub person_id: Uuid,
    pub name: String,
    pub job_title: String,
    pub memberships: Vec<Membership>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub programme_id: Uuid,
    pub organisation_id: Uuid,
    pub organisation_slug: String,
    pub organisation_name: String,
    pub role: Role,
    pub invited_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl Invitation {
    pub fn state(&self, at: DateTime<Utc>) -> InvitationState {
        InvitationState::derive(self.accepted_at, self.revoked_at, self.expires_at, at)
    }
    /// The scope the invited role will be held in.
    pub fn scope(&self) -> Scope {
        self.role.scope_in(self.programme_id, self.organisation_id)
    }
}

const INVITATION_SELECT: &str = "SELECT i.id, i.email, i.name, i.programme_id, i.organisation_id, o.slug AS organisation_slug, \
     o.name AS organisation_name, i.role, i.invited_by, i.created_at, i.expires_at, i.accepted_at, i.revoked_at, i.version \
     FROM invitations i JOIN organisations o ON o.id = i.organisation_id";

fn invitation(r: &AnyRow) -> Result<Invitation> {
    Ok(Invitation {
        id: uuid(&r.try_get::<String, _>("id")?)?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        programme_id: uuid(&r.try_get::<String, _>("programme_id")?)?,
        organisation_id: uuid(&r.try_get::<String, _>("organisation_id")?)?,
        organisation_slug: r.try_get("organisation_slug")?,
        organisation_name: r.try_get("organisation_name")?,
        role: Role::parse(&r.try_get::<String, _>("role")?).map_err(|e| StoreError::Corrupt(e.message))?,
        invited_by: r.try_get::<Option<String>, _>("invited_by")?.as_deref().map(uuid).transpose()?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
        expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?)?,
        accepted_at: opt_ts(r.try_get("accepted_at")?)?,
        revoked_at: opt_ts(r.try_get("revoked_at")?)?,
        version: r.try_get("version")?,
    })
}

/// Profile fields of an organisation that its team and programme staff may change.
/// `None` leaves a field as it is. Values are already validated by the domain newtypes.
#[derive(Debug, Clone, Default)]
pub struct OrganisationPatch {
    pub description: Option<String>,
    pub website: Option<String>,
}

/// A person's own account settings.
#[derive(Debug, Clone)]
pub struct AccountUpdate {
    pub name: String,
    pub job_title: String,
    pub listed: bool,
    pub locale: String,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub email: String,
    pub name: String,
    pub job_title: String,
    pub password_hash: Option<String>,
    pub listed: bool,
    pub locale: String,
}

/// A new invitation.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: String,
    pub name: String,
    pub programme_id: Uuid,
    pub organisation_id: Uuid,
    pub role: Role,
}

/// Who accepts an invitation: a signed-in person, or a new account made from the invitation.
#[derive(Debug, Clone)]
pub enum Acceptor {
    Existing(Uuid),
    New { name: String, password_hash: String, listed: bool },
}

impl Store {
    // ---- programmes -------------------------------------------------------------------------

    pub async fn programmes(&self, page: Page) -> Result<Paged<Programme>> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM programmes").fetch_one(&self.pool).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PROGRAMME_COLS} FROM programmes ORDER BY starts_on DESC, slug LIMIT $1 OFFSET $2"
        )))
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&self.pool)
        .await?;
        Ok(page.of(rows.iter().map(programme).collect::<Result<_>>()?, total))
    }

    pub async fn programme(&self, slug: &str) -> Result<Programme> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {PROGRAMME_COLS} FROM programmes WHERE slug = $1")))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        programme(&row)
    }

    /// The organisations of a programme's cohort in a stable order (name, then slug), optionally only
    /// those of one status.
    pub async fn cohort(
        &self,
        programme_id: Uuid,
        status: Option<ParticipationStatus>,
        page: Page,
    ) -> Result<Paged<CohortMember>> {
        let status = status.map(|s| s.as_str()).unwrap_or("");
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM participations WHERE programme_id = $1 AND ($2 = '' OR status = $2)",
        )
        .bind(programme_id.to_string())
        .bind(status)
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORG_COLS}, pa.status, pa.note FROM participations pa \
             JOIN organisations o ON o.id = pa.organisation_id \
             WHERE pa.programme_id = $1 AND ($2 = '' OR pa.status = $2) \
             ORDER BY o.name, o.slug LIMIT $3 OFFSET $4"
        )))
        .bind(programme_id.to_string())
        .bind(status)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&self.pool)
        .await?;
        Ok(page.of(rows.iter().map(cohort_member).collect::<Result<_>>()?, total))
    }

    // ---- organisations ----------------------------------------------------------------------

    pub async fn organisation(&self, slug: &str) -> Result<Organisation> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ORG_COLS} FROM organisations o WHERE o.slug = $1")))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        organisation(&row)
    }

    /// Every organisation, by name then slug.
    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ORG_COLS} FROM organisations o ORDER BY o.name, o.slug")))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(organisation).collect()
    }

    pub async fn organisation_by_id(&self, id: Uuid) -> Result<Organisation> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ORG_COLS} FROM organisations o WHERE o.id = $1")))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        organisation(&row)
    }

    /// The programmes an organisation takes part in (any status).
    pub async fn participations(&self, organisation_id: Uuid) -> Result<Vec<Participation>> {
        let rows = sqlx::query(
            "SELECT p.id, p.slug, p.name, pa.status, pa.note FROM participations pa \
             JOIN programmes p ON p.id = pa.programme_id WHERE pa.organisation_id = $1 ORDER BY p.starts_on, p.slug",
        )
        .bind(organisation_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Participation {
                    programme_id: uuid(&r.try_get::<String, _>("id")?)?,
                    programme_slug: r.try_get("slug")?,
                    programme_name: r.try_get("name")?,
                    status: ParticipationStatus::parse(&r.try_get::<String, _>("status")?)
                        .map_err(|e| StoreError::Corrupt(e.message))?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    /// Change an organisation's profile if it is still at `expected_version`; audited.
    pub async fn update_organisation(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        patch: OrganisationPatch,
    ) -> Result<Organisation> {
        let mut tx = self.begin_write().await?;
        let before = organisation(
            &sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ORG_COLS} FROM organisations o WHERE o.id = $1")))
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?,
        )?;
        if before.version != expected_version {
            return Err(StoreError::Conflict { expected: expected_version, actual: before.version });
        }
        let description = patch.description.unwrap_or_else(|| before.description.clone());
        let website = patch.website.unwrap_or_else(|| before.website.clone());
        let at = now();
        let n = sqlx::query(
            "UPDATE organisations SET description = $1, website = $2, version = version + 1, updated_at = $3 \
             WHERE id = $4 AND version = $5",
        )
        .bind(&description)
        .bind(&website)
        .bind(ts(at))
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict { expected: expected_version, actual: expected_version + 1 });
        }
        let after =
            Organisation { description, website, version: before.version + 1, updated_at: at, ..before.clone() };
        audit::record(
            &mut tx,
            Some(actor),
            "organisation.update",
            "organisation",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // ---- people and memberships -------------------------------------------------------------

    pub async fn person(&self, id: Uuid) -> Result<Person> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {PERSON_COLS} FROM people WHERE id = $1")))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        person(&row)
    }

    pub async fn person_by_email(&self, email: &str) -> Result<Option<Person>> {
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {PERSON_COLS} FROM people WHERE email = $1")))
            .bind(email)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(person)
            .transpose()
    }

    /// Create an account with roles (used by `urbis user create`); audited as done by `actor`.
    pub async fn create_person(&self, actor: Option<Uuid>, new: NewPerson, grants: &[Grant]) -> Result<Person> {
        let mut tx = self.begin_write().await?;
        let p = insert_person(&mut tx, actor, &new).await?;
        for g in grants {
            insert_membership(&mut tx, actor, p.id, *g).await?;
        }
        tx.commit().await?;
        Ok(p)
    }

    pub async fn update_account(&self, id: Uuid, expected_version: i64, u: AccountUpdate) -> Result<Person> {
        let mut tx = self.begin_write().await?;
        let before = person(
            &sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {PERSON_COLS} FROM people WHERE id = $1")))
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?,
        )?;
        if before.version != expected_version {
            return Err(StoreError::Conflict { expected: expected_version, actual: before.version });
        }
        sqlx::query(
            "UPDATE people SET name = $1, job_title = $2, listed = $3, locale = $4, version = version + 1, updated_at = $5 \
             WHERE id = $6 AND version = $7",
        )
        .bind(&u.name)
        .bind(&u.job_title)
        .bind(i64::from(u.listed))
        .bind(&u.locale)
        .bind(ts(now()))
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        let after = Person {
            name: u.name,
            job_title: u.job_title,
            listed: u.listed,
            locale: u.locale,
            version: before.version + 1,
            ..before.clone()
        };
        audit::record(&mut tx, Some(id), "person.update", "person", &id.to_string(), Some(&before), Some(&after))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Every role a person holds.
    pub async fn memberships(&self, person_id: Uuid) -> Result<Vec<Membership>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MEMBERSHIP_SELECT} WHERE m.person_id = $1 ORDER BY m.role, scope_name"
        )))
        .bind(person_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(membership).collect()
    }

    /// The grants the policy needs for a person.
    pub async fn grants(&self, person_id: Uuid) -> Result<Vec<Grant>> {
        Ok(self.memberships(person_id).await?.into_iter().map(|m| Grant { role: m.role, scope: m.scope }).collect())
    }

    /// An organisation's team (every member; callers filter by `listed` for the public).
    pub async fn team(&self, organisation_id: Uuid) -> Result<Vec<TeamMember>> {
        let rows = sqlx::query(
            "SELECT m.id AS membership_id, pe.id AS person_id, pe.name, pe.job_title, pe.listed, m.role \
             FROM memberships m JOIN people pe ON pe.id = m.person_id \
             WHERE m.scope_kind = 'organisation' AND m.scope_id = $1 ORDER BY m.role, pe.name, pe.id",
        )
        .bind(organisation_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TeamMember {
                    membership_id: uuid(&r.try_get::<String, _>("membership_id")?)?,
                    person_id: uuid(&r.try_get::<String, _>("person_id")?)?,
                    name: r.try_get("name")?,
                    job_title: r.try_get("job_title")?,
                    listed: r.try_get::<i64, _>("listed")? != 0,
                    role: Role::parse(&r.try_get::<String, _>("role")?).map_err(|e| StoreError::Corrupt(e.message))?,
                })
            })
            .collect()
    }

    /// Remove a membership from an organisation's team; audited.
    pub async fn remove_membership(&self, actor: Uuid, organisation_id: Uuid, membership_id: Uuid) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MEMBERSHIP_SELECT} WHERE m.id = $1 AND m.scope_kind = 'organisation' AND m.scope_id = $2"
        )))
        .bind(membership_id.to_string())
        .bind(organisation_id.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let before = membership(&row)?;
        sqlx::query("DELETE FROM memberships WHERE id = $1").bind(membership_id.to_string()).execute(&mut *tx).await?;
        audit::record::<_, ()>(
            &mut tx,
            Some(actor),
            "membership.delete",
            "membership",
            &membership_id.to_string(),
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// People who agreed to be listed, by name, with their roles (two queries, whatever the page size).
    pub async fn directory(&self, page: Page) -> Result<Paged<DirectoryEntry>> {
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE listed = 1").fetch_one(&self.pool).await?;
        let people =
            sqlx::query("SELECT id, name, job_title FROM people WHERE listed = 1 ORDER BY name, id LIMIT $1 OFFSET $2")
                .bind(page.limit())
                .bind(page.offset())
                .fetch_all(&self.pool)
                .await?;
        let memberships = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{MEMBERSHIP_SELECT} WHERE m.person_id IN \
             (SELECT id FROM people WHERE listed = 1 ORDER BY name, id LIMIT $1 OFFSET $2) \
             ORDER BY m.role, scope_name"
        )))
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(membership)
        .collect::<Result<Vec<_>>>()?;
        let items = people
            .iter()
            .map(|r| {
                let id = uuid(&r.try_get::<String, _>("id")?)?;
                Ok(DirectoryEntry {
                    person_id: id,
                    name: r.try_get("name")?,
                    job_title: r.try_get("job_title")?,
                    memberships: memberships.iter().filter(|m| m.person_id == id).cloned().collect(),
                })
            })
            .collect::<Result<_>>()?;
        Ok(page.of(items, total))
    }

    // ---- invitations ------------------------------------------------------------------------

    /// Invite a person; returns the invitation and the secret token for its link (shown once).
    /// Refused when the same person already has a pending invitation or the role there.
    pub async fn create_invitation(&self, actor: Uuid, new: NewInvitation) -> Result<(Invitation, String)> {
        let mut tx = self.begin_write().await?;
        let at = now();
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM invitations WHERE email = $1 AND organisation_id = $2 AND programme_id = $3 \
             AND role = $4 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $5",
        )
        .bind(&new.email)
        .bind(new.organisation_id.to_string())
        .bind(new.programme_id.to_string())
        .bind(new.role.as_str())
        .bind(ts(at))
        .fetch_one(&mut *tx)
        .await?;
        if pending > 0 {
            return Err(StoreError::refused(
                "email",
                "already-invited",
                "this person already has a pending invitation for this role",
            ));
        }
        let (kind, scope_id) = scope_columns(&new.role.scope_in(new.programme_id, new.organisation_id));
        let holds: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM memberships m JOIN people p ON p.id = m.person_id \
             WHERE p.email = $1 AND m.role = $2 AND m.scope_kind = $3 AND m.scope_id = $4",
        )
        .bind(&new.email)
        .bind(new.role.as_str())
        .bind(kind)
        .bind(&scope_id)
        .fetch_one(&mut *tx)
        .await?;
        if holds > 0 {
            return Err(StoreError::refused("email", "already-holds-role", "this person already holds this role"));
        }
        let id = Uuid::now_v7();
        let token = new_token();
        let expires = at + Duration::days(INVITATION_VALIDITY_DAYS);
        sqlx::query(
            "INSERT INTO invitations (id, token_hash, email, name, programme_id, organisation_id, role, invited_by, \
             created_at, expires_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)",
        )
        .bind(id.to_string())
        .bind(hash_token(&token))
        .bind(&new.email)
        .bind(&new.name)
        .bind(new.programme_id.to_string())
        .bind(new.organisation_id.to_string())
        .bind(new.role.as_str())
        .bind(actor.to_string())
        .bind(ts(at))
        .bind(ts(expires))
        .execute(&mut *tx)
        .await?;
        let inv = invitation_in(&mut tx, "i.id = $1", &id.to_string()).await?;
        audit::record::<(), _>(
            &mut tx,
            Some(actor),
            "invitation.create",
            "invitation",
            &id.to_string(),
            None,
            Some(&inv),
        )
        .await?;
        tx.commit().await?;
        Ok((inv, token))
    }

    pub async fn invitation(&self, id: Uuid) -> Result<Invitation> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{INVITATION_SELECT} WHERE i.id = $1")))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        invitation(&row)
    }

    pub async fn invitation_by_token(&self, token: &str) -> Result<Invitation> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{INVITATION_SELECT} WHERE i.token_hash = $1")))
            .bind(hash_token(token))
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        invitation(&row)
    }

    /// A programme's invitations, newest first, optionally only one organisation's.
    pub async fn invitations(
        &self,
        programme_id: Uuid,
        organisation_id: Option<Uuid>,
        page: Page,
    ) -> Result<Paged<Invitation>> {
        let org = organisation_id.map(|o| o.to_string()).unwrap_or_default();
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM invitations WHERE programme_id = $1 AND ($2 = '' OR organisation_id = $2)",
        )
        .bind(programme_id.to_string())
        .bind(&org)
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{INVITATION_SELECT} WHERE i.programme_id = $1 AND ($2 = '' OR i.organisation_id = $2) \
             ORDER BY i.id DESC LIMIT $3 OFFSET $4"
        )))
        .bind(programme_id.to_string())
        .bind(&org)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&self.pool)
        .await?;
        Ok(page.of(rows.iter().map(invitation).collect::<Result<_>>()?, total))
    }

    /// Revoke a pending invitation; audited. Refused unless it is pending.
    pub async fn revoke_invitation(&self, actor: Uuid, id: Uuid, expected_version: Option<i64>) -> Result<Invitation> {
        let mut tx = self.begin_write().await?;
        let before = invitation_in(&mut tx, "i.id = $1", &id.to_string()).await?;
        if let Some(v) = expected_version
            && v != before.version
        {
            return Err(StoreError::Conflict { expected: v, actual: before.version });
        }
        let at = now();
        if before.state(at) != InvitationState::Pending {
            return Err(StoreError::refused(
                "state",
                "not-pending",
                format!("only a pending invitation can be revoked; this one is {}", before.state(at).as_str()),
            ));
        }
        sqlx::query("UPDATE invitations SET revoked_at = $1, revoked_by = $2, version = version + 1 WHERE id = $3 AND version = $4")
            .bind(ts(at))
            .bind(actor.to_string())
            .bind(id.to_string())
            .bind(before.version)
            .execute(&mut *tx)
            .await?;
        let after = invitation_in(&mut tx, "i.id = $1", &id.to_string()).await?;
        audit::record(
            &mut tx,
            Some(actor),
            "invitation.revoke",
            "invitation",
            &id.to_string(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Accept a pending invitation: the acceptor gets the role (a new account is made if needed).
    /// Everything happens in one transaction; returns the person who now holds the role.
    pub async fn accept_invitation(&self, token: &str, acceptor: Acceptor) -> Result<(Invitation, Person)> {
        let mut tx = self.begin_write().await?;
        let before = invitation_in(&mut tx, "i.token_hash = $1", &hash_token(token)).await?;
        let at = now();
        let state = before.state(at);
        if state != InvitationState::Pending {
            return Err(StoreError::refused(
                "invitation",
                "not-pending",
                format!("this invitation is {}", state.as_str()),
            ));
        }
        let existing = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {PERSON_COLS} FROM people WHERE email = $1")))
            .bind(&before.email)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(person)
            .transpose()?;
        let who = match (acceptor, existing) {
            (Acceptor::Existing(id), Some(p)) if p.id == id => p,
            (Acceptor::Existing(_), _) => {
                return Err(StoreError::refused(
                    "invitation",
                    "wrong-account",
                    format!("this invitation is for {}; sign in with that account to accept it", before.email),
                ));
            }
            (Acceptor::New { .. }, Some(_)) => {
                return Err(StoreError::refused(
                    "email",
                    "account-exists",
                    "an account with this e-mail address exists; sign in to accept the invitation",
                ));
            }
            (Acceptor::New { name, password_hash, listed }, None) => {
                insert_person(
                    &mut tx,
                    None,
                    &NewPerson {
                        email: before.email.clone(),
                        name,
                        job_title: String::new(),
                        password_hash: Some(password_hash),
                        listed,
                        locale: String::new(),
                    },
                )
                .await?
            }
        };
        sqlx::query("UPDATE invitations SET accepted_at = $1, accepted_by = $2, version = version + 1 WHERE id = $3 AND version = $4")
            .bind(ts(at))
            .bind(who.id.to_string())
            .bind(before.id.to_string())
            .bind(before.version)
            .execute(&mut *tx)
            .await?;
        insert_membership(&mut tx, Some(who.id), who.id, Grant { role: before.role, scope: before.scope() }).await?;
        let after = invitation_in(&mut tx, "i.id = $1", &before.id.to_string()).await?;
        audit::record(
            &mut tx,
            Some(who.id),
            "invitation.accept",
            "invitation",
            &before.id.to_string(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok((after, who))
    }

    /// Queue an outgoing e-mail (delivered by the outbox job when a transport is configured).
    pub async fn enqueue_mail(&self, kind: &str, recipient: &str, subject: &str, body: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        enqueue_mail_in(&mut tx, kind, recipient, subject, body).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Set a person's password hash (CLI and account page); audited without the hash.
    pub async fn set_password_hash(&self, actor: Option<Uuid>, person_id: Uuid, hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n =
            sqlx::query("UPDATE people SET password_hash = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                .bind(hash)
                .bind(ts(now()))
                .bind(person_id.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE person_id = $1").bind(person_id.to_string()).execute(&mut *tx).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "person.password",
            "person",
            &person_id.to_string(),
            None,
            Some(&"changed"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Queue an outgoing e-mail inside the caller's transaction, so it is sent only if the change commits.
pub(crate) async fn enqueue_mail_in(
    tx: &mut WriteTx,
    kind: &str,
    recipient: &str,
    subject: &str,
    body: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO outbox (id, kind, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(Uuid::now_v7().to_string())
        .bind(kind)
        .bind(recipient)
        .bind(subject)
        .bind(body)
        .bind(ts(now()))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A new organisation (one outside the reference data, e.g. a city that receives a pulse survey).
/// Its fields are already checked by the domain newtypes.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: String,
    pub kind: OrganisationKind,
    pub country_code: String,
    pub timezone: String,
    pub description: String,
}

/// Add an organisation inside the caller's transaction, with a slug made from its name (a number is
/// appended when the slug is taken); audited.
pub(crate) async fn insert_organisation(
    tx: &mut WriteTx,
    actor: Option<Uuid>,
    new: &NewOrganisation,
) -> Result<Organisation> {
    let base: String = {
        let mut out = String::new();
        for c in new.name.to_lowercase().chars() {
            match c {
                'a'..='z' | '0'..='9' => out.push(c),
                _ if !out.ends_with('-') && !out.is_empty() => out.push('-'),
                _ => {}
            }
        }
        let out: String = out.trim_end_matches('-').chars().take(56).collect();
        if out.is_empty() { "organisation".into() } else { out.trim_end_matches('-').to_string() }
    };
    let mut slug = base.clone();
    let mut n = 1;
    while sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM organisations WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&mut **tx)
        .await?
        > 0
    {
        n += 1;
        slug = format!("{base}-{n}");
    }
    let id = Uuid::now_v7();
    let at = now();
    sqlx::query(
        "INSERT INTO organisations (id, slug, name, kind, country_code, latitude, longitude, timezone, description, website, \
         version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, $7, '', 1, $8, $8)",
    )
    .bind(id.to_string())
    .bind(&slug)
    .bind(&new.name)
    .bind(new.kind.as_str())
    .bind(&new.country_code)
    .bind(&new.timezone)
    .bind(&new.description)
    .bind(ts(at))
    .execute(&mut **tx)
    .await?;
    let org = Organisation {
        id,
        slug,
        name: new.name.clone(),
        kind: new.kind,
        country_code: new.country_code.clone(),
        latitude: None,
        longitude: None,
        timezone: new.timezone.clone(),
        description: new.description.clone(),
        website: String::new(),
        version: 1,
        updated_at: at,
    };
    audit::record::<(), _>(tx, actor, "organisation.create", "organisation", &id.to_string(), None, Some(&org)).await?;
    Ok(org)
}

async fn invitation_in(tx: &mut WriteTx, cond: &str, value: &str) -> Result<Invitation> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{INVITATION_SELECT} WHERE {cond}")))
        .bind(value)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    invitation(&row)
}

async fn insert_person(tx: &mut WriteTx, actor: Option<Uuid>, new: &NewPerson) -> Result<Person> {
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE email = $1")
        .bind(&new.email)
        .fetch_one(&mut **tx)
        .await?;
    if taken > 0 {
        return Err(StoreError::refused("email", "email-taken", "an account with this e-mail address already exists"));
    }
    let id = Uuid::now_v7();
    let at = ts(now());
    sqlx::query(
        "INSERT INTO people (id, email, name, job_title, password_hash, listed, locale, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
    )
    .bind(id.to_string())
    .bind(&new.email)
    .bind(&new.name)
    .bind(&new.job_title)
    .bind(new.password_hash.clone())
    .bind(i64::from(new.listed))
    .bind(&new.locale)
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    let p = Person {
        id,
        email: new.email.clone(),
        name: new.name.clone(),
        job_title: new.job_title.clone(),
        listed: new.listed,
        locale: new.locale.clone(),
        version: 1,
    };
    audit::record::<(), _>(tx, actor.or(Some(id)), "person.create", "person", &id.to_string(), None, Some(&p)).await?;
    Ok(p)
}

async fn insert_membership(tx: &mut WriteTx, actor: Option<Uuid>, person: Uuid, grant: Grant) -> Result<()> {
    if grant.role.scope_kind() != grant.scope.kind() {
        return Err(StoreError::refused(
            "role",
            "scope-mismatch",
            format!("{} is not held in that kind of scope", grant.role.as_str()),
        ));
    }
    let (kind, scope_id) = scope_columns(&grant.scope);
    let exists: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE person_id = $1 AND role = $2 AND scope_kind = $3 AND scope_id = $4",
    )
    .bind(person.to_string())
    .bind(grant.role.as_str())
    .bind(kind)
    .bind(&scope_id)
    .fetch_one(&mut **tx)
    .await?;
    if exists > 0 {
        return Ok(());
    }
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO memberships (id, person_id, role, scope_kind, scope_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id.to_string())
        .bind(person.to_string())
        .bind(grant.role.as_str())
        .bind(kind)
        .bind(&scope_id)
        .bind(ts(now()))
        .execute(&mut **tx)
        .await?;
    audit::record::<(), _>(tx, actor, "membership.create", "membership", &id.to_string(), None, Some(&grant)).await?;
    Ok(())
}
