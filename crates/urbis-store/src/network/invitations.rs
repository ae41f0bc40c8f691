//! Invitations: a secret link (stored only as a hash) that gives its acceptor a role.

use super::memberships::{grant_fields, insert_membership};
use super::outbox::{Mail, Secret, enqueue_mail_in};
use super::people::insert_person;
use super::{NewPerson, Person};
use crate::audit::{commit_change, commit_created};
use crate::auth::{hash_token, new_token};
use crate::query::{all, by_id, count, insert_record, one, optional, select, update_versioned};
use crate::row::{Record, record};
use crate::value::{Fields, ToFields, stored_fields};
use crate::{Page, Paged, Result, Store, StoreError, WriteTx, check_version, now, ts};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use urbis_domain::network::{INVITATION_VALIDITY_DAYS, InvitationState};
use urbis_domain::policy::{Grant, Role, Scope};
use uuid::Uuid;

record! {
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
}

impl Record for Invitation {
    const TABLE: &'static str = "invitations";
    const COLUMNS: &'static str = "i.id, i.email, i.name, i.programme_id, i.organisation_id, \
         o.slug AS organisation_slug, o.name AS organisation_name, i.role, i.invited_by, i.created_at, i.expires_at, \
         i.accepted_at, i.revoked_at, i.version";
    const FROM: &'static str = "invitations i JOIN organisations o ON o.id = i.organisation_id";
    const ID: &'static str = "i.id";
    const UPDATED_AT: bool = false;
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

const BY_TOKEN: &str = "WHERE i.token_hash = $1";

/// A new invitation.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: String,
    pub name: String,
    pub programme_id: Uuid,
    pub organisation_id: Uuid,
    pub role: Role,
}

stored_fields!(NewInvitation { email, name, programme_id, organisation_id, role });

/// Who accepts an invitation: a signed-in person, or a new account made from the invitation.
#[derive(Debug, Clone)]
pub enum Acceptor {
    Existing(Uuid),
    New { name: String, password_hash: String, listed: bool },
}

impl Store {
    /// Invite a person; returns the invitation and the secret token for its link (shown once).
    /// Refused when the same person already has a pending invitation or the role there.
    pub async fn create_invitation(&self, actor: Uuid, new: NewInvitation) -> Result<(Invitation, String)> {
        self.create_invitation_with_mail(actor, new, |_, _| None).await
    }

    /// Create an invitation and queue the e-mail `mail` makes from it and its token in the same
    /// transaction: an invitation is never left without its e-mail, nor an e-mail without its
    /// invitation.
    pub async fn create_invitation_with_mail(
        &self,
        actor: Uuid,
        new: NewInvitation,
        mail: impl FnOnce(&Invitation, &str) -> Option<Mail>,
    ) -> Result<(Invitation, String)> {
        let mut tx = self.begin_write().await?;
        let at = now();
        refuse_duplicate(&mut tx, &new, at).await?;
        let token = new_token();
        let fields = new
            .fields()
            .set("token_hash", hash_token(&token))
            .set("invited_by", actor)
            .set("created_at", at)
            .set("expires_at", at + Duration::days(INVITATION_VALIDITY_DAYS))
            .set("version", 1_i64);
        let inv: Invitation = insert_record(&mut tx, fields).await?;
        if let Some(m) = mail(&inv, &token) {
            let secret = Secret { link: &m.link, expires_at: inv.expires_at };
            enqueue_mail_in(&mut tx, self, m.kind, &inv.email, &m.subject, &m.body, Some(secret)).await?;
        }
        let inv = commit_created(tx, Some(actor), "invitation.create", "invitation", inv.id, inv).await?;
        Ok((inv, token))
    }

    pub async fn invitation(&self, id: Uuid) -> Result<Invitation> {
        by_id(&self.pool, id).await
    }

    pub async fn invitation_by_token(&self, token: &str) -> Result<Invitation> {
        one(&self.pool, select::<Invitation>(BY_TOKEN), hash_token(token)).await
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
        let sql = select::<Invitation>(
            "WHERE i.programme_id = $1 AND ($2 = '' OR i.organisation_id = $2) ORDER BY i.id DESC LIMIT $3 OFFSET $4",
        );
        let params = (programme_id, org.as_str(), page.limit(), page.offset());
        Ok(page.of(all(&self.pool, sql, params).await?, total))
    }

    /// A page of a city's invitations in every programme, newest first.
    pub async fn city_invitations(&self, organisation_id: Uuid, page: Page) -> Result<Paged<Invitation>> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitations WHERE organisation_id = $1")
            .bind(organisation_id.to_string())
            .fetch_one(&self.pool)
            .await?;
        let sql = select::<Invitation>("WHERE i.organisation_id = $1 ORDER BY i.id DESC LIMIT $2 OFFSET $3");
        Ok(page.of(all(&self.pool, sql, (organisation_id, page.limit(), page.offset())).await?, total))
    }

    /// Revoke a pending invitation; audited. Refused unless it is pending.
    pub async fn revoke_invitation(&self, actor: Uuid, id: Uuid, expected_version: Option<i64>) -> Result<Invitation> {
        let (mut tx, before) = self.begin_on::<Invitation>(id).await?;
        if let Some(v) = expected_version {
            check_version(v, before.version)?;
        }
        let at = now();
        if before.state(at) != InvitationState::Pending {
            return Err(StoreError::refused(
                "state",
                "not-pending",
                format!("only a pending invitation can be revoked; this one is {}", before.state(at).as_str()),
            ));
        }
        let fields = Fields::new().set("revoked_at", at).set("revoked_by", actor);
        let after = update_versioned(&mut tx, id, before.version, fields).await?;
        commit_change(tx, Some(actor), "invitation.revoke", "invitation", id, &before, after).await
    }

    /// Accept a pending invitation: the acceptor gets the role (a new account is made if needed).
    /// Everything happens in one transaction; returns the person who now holds the role.
    pub async fn accept_invitation(&self, token: &str, acceptor: Acceptor) -> Result<(Invitation, Person)> {
        let mut tx = self.begin_write().await?;
        let before: Invitation = one(&mut *tx, select::<Invitation>(BY_TOKEN), hash_token(token)).await?;
        let at = now();
        let state = before.state(at);
        if state != InvitationState::Pending {
            return Err(StoreError::refused(
                "invitation",
                "not-pending",
                format!("this invitation is {}", state.as_str()),
            ));
        }
        let who = acceptor_in(&mut tx, &before, acceptor).await?;
        let fields = Fields::new().set("accepted_at", at).set("accepted_by", who.id);
        let after = update_versioned(&mut tx, before.id, before.version, fields).await?;
        insert_membership(&mut tx, Some(who.id), who.id, Grant { role: before.role, scope: before.scope() }).await?;
        let after =
            commit_change(tx, Some(who.id), "invitation.accept", "invitation", before.id, &before, after).await?;
        Ok((after, who))
    }
}

/// Refuse an invitation the person already has pending, or for a role they already hold there.
async fn refuse_duplicate(tx: &mut WriteTx, new: &NewInvitation, at: DateTime<Utc>) -> Result<()> {
    let pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations WHERE email = $1 AND organisation_id = $2 AND programme_id = $3 \
         AND role = $4 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $5",
    )
    .bind(&new.email)
    .bind(new.organisation_id.to_string())
    .bind(new.programme_id.to_string())
    .bind(new.role.as_str())
    .bind(ts(at))
    .fetch_one(&mut **tx)
    .await?;
    if pending > 0 {
        return Err(StoreError::refused(
            "email",
            "already-invited",
            "this person already has a pending invitation for this role",
        ));
    }
    let grant = Grant { role: new.role, scope: new.role.scope_in(new.programme_id, new.organisation_id) };
    let held = Fields::new().set("p.email", &new.email).with(grant_fields(&grant));
    let holds = count(&mut **tx, "memberships m JOIN people p ON p.id = m.person_id", held).await?;
    if holds > 0 {
        return Err(StoreError::refused("email", "already-holds-role", "this person already holds this role"));
    }
    Ok(())
}

/// The person accepting an invitation: the signed-in account it was sent to, or a new account.
async fn acceptor_in(tx: &mut WriteTx, inv: &Invitation, acceptor: Acceptor) -> Result<Person> {
    let existing: Option<Person> =
        optional(&mut **tx, select::<Person>("WHERE email = $1"), inv.email.as_str()).await?;
    match (acceptor, existing) {
        (Acceptor::Existing(id), Some(p)) if p.id == id => Ok(p),
        (Acceptor::Existing(_), _) => Err(StoreError::refused(
            "invitation",
            "wrong-account",
            format!("this invitation is for {}; sign in with that account to accept it", inv.email),
        )),
        (Acceptor::New { .. }, Some(_)) => Err(StoreError::refused(
            "email",
            "account-exists",
            "an account with this e-mail address exists; sign in to accept the invitation",
        )),
        (Acceptor::New { name, password_hash, listed }, None) => {
            let new = NewPerson {
                email: inv.email.clone(),
                name,
                job_title: String::new(),
                password_hash: Some(password_hash),
                listed,
                locale: String::new(),
            };
            insert_person(tx, None, &new).await
        }
    }
}
