//! The `network` capability's operations shared by pages and API: each authorises with the one
//! policy, then calls the store (which writes, audits and checks versions in one transaction).

use crate::auth::{hash_password, verify_password};
use crate::i18n::Tr;
use crate::{Allowed, App, AppError, Caller, Loaded as _, Result, authorise, parse_id};
use urbis_domain::network::{
    AccountChange, InvitationRequest, NewAccount, ParticipationStatus, PasswordChange, ProfileChange,
};
use urbis_domain::policy::{Action, Resource, Role};
use urbis_store::auth::ApiToken;
use urbis_store::network::{
    Acceptor, AccountUpdate, CohortMember, DirectoryEntry, Invitation, Membership, NewInvitation, Organisation,
    OrganisationPatch, Participation, Person, Programme, TeamMember,
};
use urbis_store::{Page, Paged};
use uuid::Uuid;

/// The policy's view of an organisation: its id and the programmes it takes part in.
pub async fn org_resource(state: &App, org: &Organisation) -> Result<Resource> {
    org_id_resource(state, org.id).await
}

/// The policy's view of the organisation with this id.
pub async fn org_id_resource(state: &App, id: Uuid) -> Result<Resource> {
    let programmes = state.store.participations(id).await?.into_iter().map(|p| p.programme_id).collect();
    Ok(Resource::Organisation { id, programmes })
}

/// A city by slug, or 404 naming it.
pub async fn city(state: &App, slug: &str) -> Result<Organisation> {
    state.store.organisation(slug).await.map_err(AppError::or_not_found("city"))
}

/// A programme by slug, or 404 naming it.
pub async fn programme(state: &App, slug: &str) -> Result<Programme> {
    state.store.programme(slug).await.map_err(AppError::or_not_found("programme"))
}

/// Programmes, newest first (public).
pub async fn programmes(state: &App, page: Page) -> Result<Paged<Programme>> {
    Ok(state.store.programmes(page).await?)
}

/// A programme's cohort of cities by name (public), optionally of one participation status
/// (`participating`, `invited`, `declined`; another is a bad parameter).
pub async fn cohort(
    state: &App,
    programme: &Programme,
    status: Option<&str>,
    page: Page,
) -> Result<Paged<CohortMember>> {
    let status = status
        .map(ParticipationStatus::parse)
        .transpose()
        .map_err(|e| AppError::bad_parameter("status", e.code, e.message))?;
    Ok(state.store.cohort(programme.id, status, page).await?)
}

/// The programmes a city takes part in, or was invited to (public).
pub async fn participations(state: &App, city: &Organisation) -> Result<Vec<Participation>> {
    Ok(state.store.participations(city.id).await?)
}

/// The people who agreed to be listed, by name, with their roles (public).
pub async fn directory(state: &App, page: Page) -> Result<Paged<DirectoryEntry>> {
    Ok(state.store.directory(page).await?)
}

/// A city, if the caller may do `action` on it (`Read` for its public profile).
pub async fn city_for(state: &App, caller: &Caller, slug: &str, action: Action) -> Result<Allowed<Organisation>> {
    let org = city(state, slug).await?;
    let resource = org_resource(state, &org).await?;
    Allowed::new(caller, action, org, resource)
}

/// The programme a new record of a city belongs to: the one named (which the city must take part
/// in), else the city's only programme; a city in several must name one. Pages and API share this
/// rule, so neither guesses.
pub async fn programme_of(state: &App, city: Uuid, named: Option<&str>) -> Result<Programme> {
    let participations = state.store.participations(city).await?;
    let named = named.map(str::trim).filter(|s| !s.is_empty());
    let slug = match (named, participations.as_slice()) {
        (Some(slug), _) => participations
            .iter()
            .find(|p| p.programme_slug == slug)
            .ok_or_else(|| {
                AppError::invalid("programme", "not-in-programme", "the city is not part of this programme")
            })?
            .programme_slug
            .clone(),
        (None, [only]) => only.programme_slug.clone(),
        (None, _) => {
            return Err(AppError::invalid(
                "programme",
                "required",
                "name the programme: the city takes part in several",
            ));
        }
    };
    programme(state, &slug).await
}

/// The programme a city's pages show: the first it takes part in.
pub async fn first_programme(state: &App, city: Uuid) -> Result<Programme> {
    let first = state.store.participations(city).await?.into_iter().next().ok_or(AppError::NotFound("programme"))?;
    programme(state, &first.programme_slug).await
}

/// A programme, if the caller may do `action` on it.
pub async fn programme_for(state: &App, caller: &Caller, slug: &str, action: Action) -> Result<Allowed<Programme>> {
    let p = programme(state, slug).await?;
    let resource = Resource::Programme { id: p.id };
    Allowed::new(caller, action, p, resource)
}

/// What a programme's page shows: its cohort (public, every city with its status), the
/// diagnostic's capabilities and focus areas, and whether the caller may manage its invitations.
pub struct ProgrammeOverview {
    pub programme: Programme,
    pub cohort: Vec<CohortMember>,
    pub capabilities: Vec<String>,
    pub focus_areas: Vec<String>,
    pub can_manage: bool,
}

pub async fn programme_overview(state: &App, caller: &Caller, slug: &str) -> Result<ProgrammeOverview> {
    let programme = programme(state, slug).await?;
    let cohort = state.store.cohort(programme.id, None, Page::all()).await?.items;
    Ok(ProgrammeOverview {
        can_manage: caller.can(Action::ReadInvitations, &Resource::Programme { id: programme.id }),
        capabilities: state.store.capabilities().await?,
        focus_areas: state.store.focus_areas().await?,
        cohort,
        programme,
    })
}

/// What a city's public page shows: the city, its team as the caller may see it, the programmes
/// it takes part in, and whether the caller may edit its profile or see its whole team.
pub struct CityProfile {
    pub city: Organisation,
    pub team: Vec<TeamMember>,
    pub participations: Vec<Participation>,
    pub can_edit: bool,
    pub can_team: bool,
}

pub async fn city_profile(state: &App, caller: &Caller, slug: &str) -> Result<CityProfile> {
    let city = city_for(state, caller, slug, Action::Read).await?;
    let team = team_members(state, caller, &city).await?;
    Ok(CityProfile {
        participations: state.store.participations(city.id).await?,
        team,
        can_edit: caller.can(Action::UpdateProfile, &city.resource),
        can_team: caller.can(Action::ReadTeam, &city.resource),
        city: city.item,
    })
}

/// The roles the caller may invite people to `organisation`'s team with, in any of `programmes`
/// (a city lead: the city's roles; programme staff: all but admin).
pub fn invitable_roles(caller: &Caller, programmes: &[Uuid], organisation: Uuid) -> Vec<Role> {
    Role::ALL
        .iter()
        .copied()
        .filter(|role| {
            programmes.iter().any(|&programme| {
                caller.can(Action::ManageTeam, &Resource::Invitation { programme, organisation, role: *role })
            })
        })
        .collect()
}

/// A city's team as the caller may see it: everyone for the team and programme staff, otherwise
/// those who agreed to be listed.
pub async fn team_members(state: &App, caller: &Caller, city: &Allowed<Organisation>) -> Result<Vec<TeamMember>> {
    let all = city.check(caller, Action::ReadTeam).is_ok();
    Ok(state.store.team(city.id).await?.into_iter().filter(|m| all || m.listed).collect())
}

/// What the team page shows: the whole team, the programmes the city takes part in and, for those
/// who manage the team, its invitations.
pub struct Team {
    pub members: Vec<TeamMember>,
    pub participations: Vec<Participation>,
    /// A page of the city's invitations, newest first (empty for those who do not manage the team).
    pub invitations: Paged<Invitation>,
    pub can_manage: bool,
    /// The roles the caller may invite people with.
    pub roles: Vec<Role>,
}

/// A city's team with unlisted members and a page of its invitations (its team and programme
/// staff; the invitations for those who manage the team).
pub async fn team(state: &App, caller: &Caller, city: &Allowed<Organisation>, page: Page) -> Result<Team> {
    city.check(caller, Action::ReadTeam)?;
    let can_manage = caller.can(Action::ManageTeam, &city.resource);
    let participations = state.store.participations(city.id).await?;
    let invitations = if can_manage {
        state.store.city_invitations(city.id, page).await?
    } else {
        Paged { items: vec![], page: page.page, per_page: page.per_page, total: 0 }
    };
    let members = state.store.team(city.id).await?;
    let programmes: Vec<Uuid> = participations.iter().map(|p| p.programme_id).collect();
    let roles = invitable_roles(caller, &programmes, city.id);
    Ok(Team { members, participations, invitations, can_manage, roles })
}

/// Remove a member from a city's team (its lead or programme staff).
pub async fn remove_member(state: &App, caller: &Caller, city_slug: &str, membership: &str) -> Result<Organisation> {
    let city = city_for(state, caller, city_slug, Action::ManageTeam).await?;
    let id = parse_id("membership", membership)?;
    state.store.remove_membership(caller.person_id()?, city.id, id).await?;
    Ok(city.item)
}

/// A programme's invitations, newest first, optionally of one city (programme staff).
pub async fn invitations(
    state: &App,
    caller: &Caller,
    programme: &Allowed<Programme>,
    city_slug: Option<&str>,
    page: Page,
) -> Result<Paged<Invitation>> {
    programme.check(caller, Action::ReadInvitations)?;
    let city = match city_slug {
        Some(c) => Some(city(state, c).await?.id),
        None => None,
    };
    Ok(state.store.invitations(programme.id, city, page).await?)
}

/// What a programme's invitation desk shows its staff: a page of its invitations (newest first),
/// the cities of the cohort and the roles the caller may invite people with.
pub struct InvitationDesk {
    pub programme: Programme,
    pub invitations: Paged<Invitation>,
    pub cities: Vec<CohortMember>,
    pub roles: Vec<Role>,
}

pub async fn invitation_desk(state: &App, caller: &Caller, slug: &str, page: Page) -> Result<InvitationDesk> {
    let programme = programme_for(state, caller, slug, Action::ReadInvitations).await?;
    let invitations = invitations(state, caller, &programme, None, page).await?;
    let cities = state.store.cohort(programme.id, None, Page::all()).await?.items;
    // Staff roles do not depend on the city, so any city of the cohort tells which they may give.
    let roles = cities.first().map(|c| invitable_roles(caller, &[programme.id], c.organisation.id)).unwrap_or_default();
    Ok(InvitationDesk { programme: programme.item, invitations, cities, roles })
}

/// The caller's own account and roles.
pub async fn account(state: &App, caller: &Caller) -> Result<(Person, Vec<Membership>)> {
    authorise(caller, Action::ReadOwnAccount, &Resource::OwnAccount)?;
    let person = caller.person.clone().ok_or(AppError::Unauthenticated)?;
    let roles = state.store.memberships(person.id).await?;
    Ok((person, roles))
}

/// Change a city's profile if still at `expected_version`.
pub async fn update_profile(
    state: &App,
    caller: &Caller,
    org: &Allowed<Organisation>,
    expected_version: i64,
    change: ProfileChange,
) -> Result<Organisation> {
    org.check(caller, Action::UpdateProfile)?;
    let actor = caller.person_id()?;
    let patch = OrganisationPatch { description: change.description, website: change.website };
    Ok(state.store.update_organisation(actor, org.id, expected_version, patch).await?)
}

/// The link that accepts an invitation.
pub fn invitation_link(state: &App, token: &str) -> String {
    state.link(&format!("/invitations/{token}"))
}

/// Invite a person to a city's team in a programme; queues the e-mail and returns the invitation
/// and its link (shown once to the inviter, as mail delivery may not be configured). An anonymous
/// caller is asked to sign in before anything about the city is checked.
pub async fn invite(
    state: &App,
    caller: &Caller,
    programme: &Programme,
    org: &Organisation,
    req: InvitationRequest,
) -> Result<(Invitation, String)> {
    let actor = caller.person_id()?;
    let participates = state.store.participations(org.id).await?.iter().any(|p| p.programme_id == programme.id);
    if !participates {
        return Err(AppError::invalid("city", "not-in-programme", "this city is not part of the programme"));
    }
    let resource = Resource::Invitation { programme: programme.id, organisation: org.id, role: req.role };
    authorise(caller, Action::ManageTeam, &resource)?;
    let inviter = caller.person.as_ref().map(|p| p.name.as_str()).unwrap_or("");
    let (inv, token) = state
        .store
        .create_invitation_with_mail(
            actor,
            NewInvitation {
                email: req.email.as_str().to_string(),
                name: req.name,
                programme_id: programme.id,
                organisation_id: org.id,
                role: req.role,
            },
            |_, token| {
                let link = invitation_link(state, token);
                let t = Tr::new("en");
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
                Some(urbis_store::network::Mail { kind: "invitation", subject, body, link })
            },
        )
        .await?;
    let link = invitation_link(state, &token);
    Ok((inv, link))
}

/// An invitation of a programme, by id (what it is now: its version for a precondition).
pub async fn invitation_of(state: &App, programme: &Programme, id: Uuid) -> Result<Invitation> {
    match state.store.invitation(id).await {
        Ok(i) if i.programme_id == programme.id => Ok(i),
        Ok(_) | Err(urbis_store::StoreError::NotFound) => Err(AppError::NotFound("invitation")),
        Err(e) => Err(e.into()),
    }
}

/// Revoke a pending invitation of a programme.
pub async fn revoke(
    state: &App,
    caller: &Caller,
    programme: &Programme,
    id: Uuid,
    expected_version: Option<i64>,
) -> Result<Invitation> {
    let inv = invitation_of(state, programme, id).await?;
    let resource = Resource::Invitation { programme: programme.id, organisation: inv.organisation_id, role: inv.role };
    authorise(caller, Action::RevokeInvitation, &resource)?;
    let actor = caller.person_id()?;
    Ok(state.store.revoke_invitation(actor, id, expected_version).await?)
}

/// An invitation by its secret token.
pub async fn invitation_by_token(state: &App, token: &str) -> Result<Invitation> {
    state.store.invitation_by_token(token).await.map_err(AppError::or_not_found("invitation"))
}

/// Accept an invitation as the signed-in caller, or by making a new account.
pub async fn accept(
    state: &App,
    caller: &Caller,
    token: &str,
    new_account: Option<NewAccount>,
) -> Result<(Invitation, Person)> {
    let acceptor = match (caller.actor.person, new_account) {
        (Some(id), _) => Acceptor::Existing(id),
        (None, Some(a)) => {
            Acceptor::New { name: a.name, password_hash: hash_password(a.password).await?, listed: a.listed }
        }
        (None, None) => return Err(AppError::Unauthenticated),
    };
    Ok(state.store.accept_invitation(token, acceptor).await?)
}

/// Why a sign-in failed.
pub enum LoginFailure {
    /// Wrong e-mail or password (not telling which).
    Wrong,
    /// Too many failures: wait this many seconds.
    Throttled(u64),
    Error(AppError),
}

/// What a successful sign-in issues: a browser session or an API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Session,
    ApiToken,
}

/// Check e-mail and password and issue a session or an API token: the secret (shown once) and
/// when it expires. Failures are counted per account and client `address`, per account, and per
/// address (see [`crate::auth::throttle`]): a locked account is not checked at all; over the
/// address's budget a wrong password is "try again later" but a correct one still signs in;
/// success clears the account's counts.
pub async fn sign_in(
    state: &App,
    email: &str,
    password: &str,
    address: &str,
    credential: Credential,
) -> Result<(String, chrono::DateTime<chrono::Utc>), LoginFailure> {
    let person = check_credentials(state, email, password, address).await?;
    issue(state, person, credential).await.map_err(LoginFailure::Error)
}

/// Check e-mail and password under the sign-in throttling of [`sign_in`]: the person's id, or why not.
async fn check_credentials(state: &App, email: &str, password: &str, address: &str) -> Result<Uuid, LoginFailure> {
    use crate::auth::throttle::{self, ACCOUNT_BUDGET, ACCOUNT_FREE_FAILURES, ACCOUNT_WINDOW, ADDRESS_WINDOW};
    let err = |e: urbis_store::StoreError| LoginFailure::Error(e.into());
    let email = email.trim().to_lowercase();
    let pair = throttle::account_address_key(&state.secret, &email, address);
    let account = throttle::account_key(&state.secret, &email);
    let by_address = throttle::address_key(address);
    let now = urbis_store::now();
    let wait = [(&pair, ACCOUNT_FREE_FAILURES), (&account, ACCOUNT_BUDGET)];
    let mut longest = None;
    for (key, free) in wait {
        let count = state.store.sign_in_failures(key).await.map_err(err)?;
        longest = longest.max(throttle::account_wait(count, free, now));
    }
    if let Some(wait) = longest {
        return Err(LoginFailure::Throttled(wait));
    }
    let creds = state.store.credentials(&email).await.map_err(err)?;
    let hash = creds.as_ref().and_then(|c| c.password_hash.clone());
    if verify_password(password.to_string(), hash).await
        && let Some(c) = creds
    {
        state
            .store
            .clear_sign_in_failures(&[pair.as_str(), account.as_str()], now - ACCOUNT_WINDOW)
            .await
            .map_err(err)?;
        return Ok(c.person_id);
    }
    for key in [&pair, &account] {
        state.store.count_sign_in_failure(key, now, now - ACCOUNT_WINDOW).await.map_err(err)?;
    }
    let count = state.store.count_sign_in_failure(&by_address, now, now - ADDRESS_WINDOW).await.map_err(err)?;
    match throttle::address_wait(Some(count), now) {
        Some(wait) => Err(LoginFailure::Throttled(wait)),
        None => Err(LoginFailure::Wrong),
    }
}

/// A new session or API token for a person who just proved who they are.
pub async fn issue(
    state: &App,
    person: Uuid,
    credential: Credential,
) -> Result<(String, chrono::DateTime<chrono::Utc>)> {
    Ok(match credential {
        Credential::Session => state.store.create_session(person).await?,
        Credential::ApiToken => state.store.create_api_token(person).await?,
    })
}

/// A page of the caller's own live API tokens, newest first: when each was made, expires and was
/// last used, never the secret.
pub async fn my_tokens(state: &App, caller: &Caller, page: Page) -> Result<Paged<ApiToken>> {
    authorise(caller, Action::ReadOwnAccount, &Resource::OwnAccount)?;
    Ok(state.store.api_tokens(caller.person_id()?, page).await?)
}

/// One of the caller's own live API tokens by its id (another person's is "no such token").
pub async fn my_token(state: &App, caller: &Caller, id: &str) -> Result<ApiToken> {
    let tokens = my_tokens(state, caller, Page::all()).await?;
    tokens.items.into_iter().find(|t| t.id == id).ok_or(AppError::NotFound("token"))
}

/// Revoke one of the caller's own API tokens by its id: it stops working at once. Another
/// person's token is "no such token".
pub async fn revoke_my_token(state: &App, caller: &Caller, id: &str) -> Result<()> {
    authorise(caller, Action::UpdateOwnAccount, &Resource::OwnAccount)?;
    state.store.revoke_api_token(caller.person_id()?, id).await.map_err(AppError::or_not_found("token"))
}

/// Sign the caller out everywhere: end every one of their sessions (this one too) and revoke
/// every one of their API tokens, at once; audited. It cannot be undone.
pub async fn sign_out_everywhere(state: &App, caller: &Caller) -> Result<()> {
    authorise(caller, Action::UpdateOwnAccount, &Resource::OwnAccount)?;
    let id = caller.person_id()?;
    Ok(state.store.end_all_access(Some(id), id).await?)
}

/// Change the caller's own password. The current password is checked under the same throttling
/// as signing in (so this form is no way around it); then the new one is set, every session and
/// API token of the caller ends (audited, in one transaction), and a new session is issued for
/// the caller (a new id: the one they came with ended too). Returns the new session's secret.
pub async fn change_password(
    state: &App,
    caller: &Caller,
    change: PasswordChange,
    address: &str,
) -> Result<String, LoginFailure> {
    authorise(caller, Action::UpdateOwnAccount, &Resource::OwnAccount).map_err(LoginFailure::Error)?;
    let me = caller.person.as_ref().ok_or(LoginFailure::Error(AppError::Unauthenticated))?;
    if check_credentials(state, &me.email, &change.current, address).await? != me.id {
        return Err(LoginFailure::Wrong);
    }
    let hash = hash_password(change.new).await.map_err(LoginFailure::Error)?;
    state.store.set_password_hash(Some(me.id), me.id, &hash).await.map_err(|e| LoginFailure::Error(e.into()))?;
    let (session, _) = issue(state, me.id, Credential::Session).await.map_err(LoginFailure::Error)?;
    Ok(session)
}

/// End a browser session.
pub async fn sign_out(state: &App, session: &str) -> Result<()> {
    Ok(state.store.delete_session(session).await?)
}

/// Change one's own account if still at `expected_version`.
pub async fn update_account(
    state: &App,
    caller: &Caller,
    expected_version: i64,
    change: AccountChange,
) -> Result<Person> {
    authorise(caller, Action::UpdateOwnAccount, &Resource::OwnAccount)?;
    let id = caller.person_id()?;
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
