//! The `network` capability's operations shared by pages and API: each authorises with the one
//! policy, then calls the store (which writes, audits and checks versions in one transaction).

use crate::AppState;
use crate::auth::{Caller, hash_password, verify_password};
use crate::error::Problem;
use crate::i18n::Tr;
use axum::http::StatusCode;
use urbis_domain::network::{AccountChange, InvitationRequest, NewAccount, ProfileChange};
use urbis_domain::policy::{Action, Resource};
use urbis_store::network::{
    Acceptor, AccountUpdate, Invitation, NewInvitation, Organisation, OrganisationPatch, Person, Programme,
};
use uuid::Uuid;

fn deny(caller: &Caller) -> Problem {
    if caller.actor.is_authenticated() { Problem::forbidden() } else { Problem::unauthorized() }
}

/// Require the policy's yes for `caller`.
pub fn require(caller: &Caller, action: Action, resource: &Resource) -> Result<(), Problem> {
    if caller.can(action, resource) { Ok(()) } else { Err(deny(caller)) }
}

/// The policy's view of an organisation: its id and the programmes it takes part in.
pub async fn org_resource(state: &AppState, org: &Organisation) -> Result<Resource, Problem> {
    org_id_resource(state, org.id).await
}

/// The policy's view of the organisation with this id.
pub async fn org_id_resource(state: &AppState, id: Uuid) -> Result<Resource, Problem> {
    let programmes = state.store.participations(id).await?.into_iter().map(|p| p.programme_id).collect();
    Ok(Resource::Organisation { id, programmes })
}

/// A city by slug, or 404 naming it.
pub async fn city(state: &AppState, slug: &str) -> Result<Organisation, Problem> {
    match state.store.organisation(slug).await {
        Err(urbis_store::StoreError::NotFound) => Err(Problem::not_found("city")),
        other => Ok(other?),
    }
}

/// A programme by slug, or 404 naming it.
pub async fn programme(state: &AppState, slug: &str) -> Result<Programme, Problem> {
    match state.store.programme(slug).await {
        Err(urbis_store::StoreError::NotFound) => Err(Problem::not_found("programme")),
        other => Ok(other?),
    }
}

/// Change a city's profile if still at `expected_version`.
pub async fn update_profile(
    state: &AppState,
    caller: &Caller,
    org: &Organisation,
    expected_version: i64,
    change: ProfileChange,
) -> Result<Organisation, Problem> {
    require(caller, Action::UpdateProfile, &org_resource(state, org).await?)?;
    let actor = caller.actor.person.ok_or_else(Problem::unauthorized)?;
    let patch = OrganisationPatch { description: change.description, website: change.website };
    Ok(state.store.update_organisation(actor, org.id, expected_version, patch).await?)
}

/// The link that accepts an invitation.
pub fn invitation_link(state: &AppState, token: &str) -> String {
    format!("{}/invitations/{token}", state.config.base_url.trim_end_matches('/'))
}

/// Invite a person to a city's team in a programme; queues the e-mail and returns the invitation
/// and its link (shown once to the inviter, as mail delivery may not be configured).
pub async fn invite(
    state: &AppState,
    caller: &Caller,
    programme: &Programme,
    org: &Organisation,
    req: InvitationRequest,
) -> Result<(Invitation, String), Problem> {
    let participates = state.store.participations(org.id).await?.iter().any(|p| p.programme_id == programme.id);
    if !participates {
        return Err(Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "city",
            "not-in-programme",
            "this city is not part of the programme",
        ));
    }
    let resource = Resource::Invitation { programme: programme.id, organisation: org.id, role: req.role };
    require(caller, Action::ManageTeam, &resource)?;
    let actor = caller.actor.person.ok_or_else(Problem::unauthorized)?;
    let (inv, token) = state
        .store
        .create_invitation(
            actor,
            NewInvitation {
                email: req.email.as_str().to_string(),
                name: req.name,
                programme_id: programme.id,
                organisation_id: org.id,
                role: req.role,
            },
        )
        .await?;
    let link = invitation_link(state, &token);
    let t = Tr::new("en");
    let inviter = caller.person.as_ref().map(|p| p.name.as_str()).unwrap_or("");
    let subject = t.with("mail-invitation-subject", &[("city", &org.name), ("programme", &programme.name)]);
    let body = t.with(
        "mail-invitation-body",
        &[
            ("inviter", inviter),
            ("city", &org.name),
            ("programme", &programme.name),
            ("role", &t.get(&format!("role-{}", req.role.as_str()))),
            ("link", &link),
        ],
    );
    state.store.enqueue_mail("invitation", &inv.email, &subject, &body).await?;
    Ok((inv, link))
}

/// Revoke a pending invitation of a programme.
pub async fn revoke(
    state: &AppState,
    caller: &Caller,
    programme: &Programme,
    id: Uuid,
    expected_version: Option<i64>,
) -> Result<Invitation, Problem> {
    let inv = match state.store.invitation(id).await {
        Ok(i) if i.programme_id == programme.id => i,
        Ok(_) | Err(urbis_store::StoreError::NotFound) => {
            return Err(Problem::not_found("invitation"));
        }
        Err(e) => return Err(e.into()),
    };
    let resource = Resource::Invitation { programme: programme.id, organisation: inv.organisation_id, role: inv.role };
    require(caller, Action::RevokeInvitation, &resource)?;
    let actor = caller.actor.person.ok_or_else(Problem::unauthorized)?;
    Ok(state.store.revoke_invitation(actor, id, expected_version).await?)
}

/// An invitation by its secret token.
pub async fn invitation_by_token(state: &AppState, token: &str) -> Result<Invitation, Problem> {
    match state.store.invitation_by_token(token).await {
        Err(urbis_store::StoreError::NotFound) => Err(Problem::not_found("invitation")),
        other => Ok(other?),
    }
}

/// Accept an invitation as the signed-in caller, or by making a new account.
pub async fn accept(
    state: &AppState,
    caller: &Caller,
    token: &str,
    new_account: Option<NewAccount>,
) -> Result<(Invitation, Person), Problem> {
    let acceptor = match (caller.actor.person, new_account) {
        (Some(id), _) => Acceptor::Existing(id),
        (None, Some(a)) => {
            Acceptor::New { name: a.name, password_hash: hash_password(a.password).await?, listed: a.listed }
        }
        (None, None) => return Err(Problem::unauthorized()),
    };
    Ok(state.store.accept_invitation(token, acceptor).await?)
}

/// Why a sign-in failed.
pub enum LoginFailure {
    /// Wrong e-mail or password (not telling which).
    Wrong,
    /// Too many failures: wait this many seconds.
    Throttled(u64),
    Error(Problem),
}

/// Check e-mail and password, counting failures per e-mail and per client address.
pub async fn login(state: &AppState, email: &str, password: &str, client: &str) -> Result<Uuid, LoginFailure> {
    let email = email.trim().to_lowercase();
    let email_key = format!("email:{email}");
    if let Some(wait) = state.limiter.blocked(&[&email_key, client]) {
        return Err(LoginFailure::Throttled(wait));
    }
    let creds = state.store.credentials(&email).await.map_err(|e| LoginFailure::Error(e.into()))?;
    let hash = creds.as_ref().and_then(|c| c.password_hash.clone());
    if verify_password(password.to_string(), hash).await
        && let Some(c) = creds
    {
        state.limiter.clear(&email_key);
        return Ok(c.person_id);
    }
    state.limiter.fail(&[&email_key, client]);
    Err(LoginFailure::Wrong)
}

/// Change one's own account if still at `expected_version`.
pub async fn update_account(
    state: &AppState,
    caller: &Caller,
    expected_version: i64,
    change: AccountChange,
) -> Result<Person, Problem> {
    require(caller, Action::UpdateOwnAccount, &Resource::OwnAccount)?;
    let id = caller.actor.person.ok_or_else(Problem::unauthorized)?;
    Ok(state
        .store
        .update_account(
            id,
            expected_version,
            AccountUpdate {
                name: change.name,
                job_title: change.job_title,
                listed: change.listed,
                locale: change.locale,
            },
        )
        .await?)
}
