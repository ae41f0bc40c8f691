//! API handlers of the `network` capability (and tokens).

use super::{Api, ApiJson, IfMatch, PageQuery, PublicApi, created, paged, with_etag};
use crate::AppState;
use crate::auth::ClientAddr;
use crate::error::{
    BodyErrors, NotFoundErrors, PROBLEM_JSON, Problem, QueryErrors, ReadErrors, RuleErrors, StaleErrors, TokenErrors,
    VersionErrors,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use urbis_app::network as ops;
use urbis_domain::network::{InvitationRequest, NewAccount, ProfileChange};
use urbis_domain::policy::{Action, Scope};
use urbis_store::Paged;
use urbis_store::network::{CohortMember, Invitation, Membership, Organisation, Programme};
use utoipa::ToSchema;
use uuid::Uuid;

/// A page of a list.
#[derive(Serialize, ToSchema)]
pub struct List<T: ToSchema> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl<T: ToSchema> List<T> {
    pub(crate) fn map<U>(p: Paged<U>, f: impl Fn(U) -> T) -> List<T> {
        List { items: p.items.into_iter().map(f).collect(), page: p.page, per_page: p.per_page, total: p.total }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProgrammeOut {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub announced_on: Option<NaiveDate>,
}

impl From<Programme> for ProgrammeOut {
    fn from(p: Programme) -> Self {
        ProgrammeOut {
            slug: p.slug,
            name: p.name,
            description: p.description,
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            announced_on: p.announced_on,
        }
    }
}

/// A city (an organisation of kind `city`).
#[derive(Serialize, ToSchema)]
pub struct CityOut {
    pub slug: String,
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// IANA time zone.
    pub timezone: String,
    pub description: String,
    pub website: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<Organisation> for CityOut {
    fn from(o: Organisation) -> Self {
        CityOut {
            slug: o.slug,
            name: o.name,
            country_code: o.country_code,
            latitude: o.latitude,
            longitude: o.longitude,
            timezone: o.timezone,
            description: o.description,
            website: o.website,
            version: o.version,
            updated_at: o.updated_at,
        }
    }
}

/// A city in a programme's cohort.
#[derive(Serialize, ToSchema)]
pub struct CohortCityOut {
    #[serde(flatten)]
    pub city: CityOut,
    /// `participating`, `invited` or `declined`.
    pub status: String,
    pub note: String,
}

impl From<CohortMember> for CohortCityOut {
    fn from(c: CohortMember) -> Self {
        CohortCityOut { city: c.organisation.into(), status: c.status.as_str().into(), note: c.note }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ParticipationOut {
    pub programme: String,
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct CityDetailOut {
    #[serde(flatten)]
    pub city: CityOut,
    pub programmes: Vec<ParticipationOut>,
}

#[derive(Serialize, ToSchema)]
pub struct RoleOut {
    pub role: String,
    /// `global`, `programme` or `organisation`.
    pub scope: String,
    pub scope_slug: String,
    pub scope_name: String,
}

impl From<Membership> for RoleOut {
    fn from(m: Membership) -> Self {
        let scope = match m.scope {
            Scope::Global => "global",
            Scope::Programme(_) => "programme",
            Scope::Organisation(_) => "organisation",
        };
        RoleOut {
            role: m.role.as_str().into(),
            scope: scope.into(),
            scope_slug: m.scope_slug,
            scope_name: m.scope_name,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeOut {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub job_title: String,
    pub listed: bool,
    pub locale: String,
    /// Always true: a deactivated person's tokens stop working.
    pub active: bool,
    pub roles: Vec<RoleOut>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    pub id: Uuid,
    pub name: String,
    pub job_title: String,
    pub roles: Vec<RoleOut>,
}

#[derive(Serialize, ToSchema)]
pub struct TeamMemberOut {
    pub person_id: Uuid,
    pub name: String,
    pub job_title: String,
    pub role: String,
    /// Whether the person agreed to be listed publicly (unlisted members are shown to the team only).
    pub listed: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Profile fields a city's lead, programme managers and admins may change. Absent fields stay as
/// they are; an empty `website` clears it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CityPatch {
    pub description: Option<String>,
    pub website: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationOut {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub city: String,
    pub role: String,
    /// `pending`, `accepted`, `expired` or `revoked`.
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<Invitation> for InvitationOut {
    fn from(i: Invitation) -> Self {
        InvitationOut {
            id: i.id,
            state: i.state(urbis_store::now()).as_str().into(),
            email: i.email,
            name: i.name,
            city: i.organisation_slug,
            role: i.role.as_str().into(),
            created_at: i.created_at,
            expires_at: i.expires_at,
            accepted_at: i.accepted_at,
            revoked_at: i.revoked_at,
            version: i.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InvitationCreatedOut {
    #[serde(flatten)]
    pub invitation: InvitationOut,
    /// The link that accepts the invitation. Shown only now: keep it or send it.
    pub link: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationCreate {
    pub email: String,
    #[serde(default)]
    pub name: String,
    /// The city's slug.
    pub city: String,
    pub role: String,
}

/// Accept as a new account (name and password), or send a Bearer token of the invited account and
/// an empty body.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct InvitationAccept {
    pub name: Option<String>,
    pub password: Option<String>,
    #[serde(default)]
    pub listed: bool,
}

/// Exchange e-mail and password for an API token.
#[utoipa::path(post, path = "/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenOut), (status = 401, description = "Wrong e-mail or password", body = Problem, content_type = PROBLEM_JSON), (status = 429, description = "Too many failed sign-ins; try again after the seconds in `Retry-After`", body = Problem, content_type = PROBLEM_JSON, headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))), BodyErrors))]
pub async fn create_token(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<TokenRequest>,
) -> Result<Json<TokenOut>, Response> {
    match ops::sign_in(&state, &req.email, &req.password, &client, ops::Credential::ApiToken).await {
        Ok((token, expires_at)) => Ok(Json(TokenOut { token, expires_at })),
        Err(ops::LoginFailure::Wrong) => Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "bad-credentials",
            "Wrong e-mail or password",
            "the e-mail address or the password is not right",
        )
        .into_response()),
        Err(ops::LoginFailure::Throttled(wait)) => {
            let mut res = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-attempts",
                "Too many attempts",
                format!("too many failed sign-ins; try again in {wait} seconds"),
            )
            .into_response();
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait));
            Err(res)
        }
        Err(ops::LoginFailure::Error(e)) => Err(Problem::from(e).into_response()),
    }
}

/// An API token of the caller's: never its secret.
#[derive(Serialize, ToSchema)]
pub struct TokenInfoOut {
    /// The token's public id, to revoke it by.
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When it was last used (noted at most once a minute); null if never.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<urbis_store::auth::ApiToken> for TokenInfoOut {
    fn from(t: urbis_store::auth::ApiToken) -> Self {
        TokenInfoOut { id: t.id, created_at: t.created_at, expires_at: t.expires_at, last_used_at: t.last_used_at }
    }
}

/// The caller's live API tokens, newest first (never their secrets).
#[utoipa::path(get, path = "/auth/tokens", tag = "auth", security(("bearer" = [])),
    params(("page" = Option<u32>, Query, minimum = 1, maximum = 1000000, description = "Page, from 1"), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page, 1 to 100")),
    responses((status = 200, body = List<TokenInfoOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), TokenErrors, QueryErrors))]
pub async fn list_tokens(api: Api, q: PageQuery) -> Result<Response, Problem> {
    let tokens = List::map(ops::my_tokens(&api.state, &api.caller, q.page).await?, TokenInfoOut::from);
    Ok(paged(&q, "/api/v1/auth/tokens", tokens))
}

/// Revoke one of the caller's API tokens: it stops working at once. This cannot be undone.
#[utoipa::path(delete, path = "/auth/tokens/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = String, Path, description = "The token's id (from the list of tokens)")),
    responses((status = 204, description = "Revoked"), TokenErrors, NotFoundErrors))]
pub async fn revoke_token(api: Api, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    ops::revoke_my_token(&api.state, &api.caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in account and its roles.
#[utoipa::path(get, path = "/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeOut), TokenErrors))]
pub async fn me(api: Api) -> Result<Json<MeOut>, Problem> {
    let (p, roles) = ops::account(&api.state, &api.caller).await?;
    let roles = roles.into_iter().map(RoleOut::from).collect();
    let active = p.is_active();
    Ok(Json(MeOut {
        active,
        id: p.id,
        email: p.email,
        name: p.name,
        job_title: p.job_title,
        listed: p.listed,
        locale: p.locale,
        roles,
    }))
}

/// Programmes, newest first.
#[utoipa::path(get, path = "/programmes", tag = "network",
    params(("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, body = List<ProgrammeOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), QueryErrors))]
pub async fn list_programmes(State(state): State<AppState>, q: PageQuery) -> Result<Response, Problem> {
    Ok(paged(&q, "/api/v1/programmes", List::map(ops::programmes(&state, q.page).await?, ProgrammeOut::from)))
}

/// One programme.
#[utoipa::path(get, path = "/programmes/{slug}", tag = "network",
    params(("slug" = String, Path, description = "the programme's slug")),
    responses((status = 200, body = ProgrammeOut), NotFoundErrors))]
pub async fn get_programme(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<ProgrammeOut>, Problem> {
    Ok(Json(ops::programme(&state, &slug).await?.into()))
}

/// A programme's cohort of cities, by name. Filter with `?status=participating|invited|declined`.
#[utoipa::path(get, path = "/programmes/{slug}/cities", tag = "network",
    params(("slug" = String, Path, description = "the programme's slug"), ("status" = Option<String>, Query), ("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, body = List<CohortCityOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), QueryErrors, NotFoundErrors))]
pub async fn list_cities(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    q: PageQuery,
) -> Result<Response, Problem> {
    let p = ops::programme(&state, &slug).await?;
    let cities = ops::cohort(&state, &p, q.get("status"), q.page).await?;
    Ok(paged(&q, &format!("/api/v1/programmes/{}/cities", p.slug), List::map(cities, CohortCityOut::from)))
}

/// One city with the programmes it takes part in. The `ETag` is its version.
#[utoipa::path(get, path = "/cities/{slug}", tag = "network",
    params(("slug" = String, Path, description = "the city's slug")),
    responses((status = 200, body = CityDetailOut, headers(("ETag" = String))), NotFoundErrors))]
pub async fn get_city(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, Problem> {
    let org = ops::city(&state, &slug).await?;
    let programmes = ops::participations(&state, &org)
        .await?
        .into_iter()
        .map(|p| ParticipationOut { programme: p.programme_slug, status: p.status.as_str().into() })
        .collect();
    Ok(with_etag(org.version, CityDetailOut { city: org.into(), programmes }))
}

/// Change a city's profile. Needs `If-Match` with the current `ETag`: a stale one gets 412 and
/// nothing changes.
#[utoipa::path(patch, path = "/cities/{slug}", tag = "network", security(("bearer" = [])), request_body = CityPatch,
    params(("slug" = String, Path, description = "the city's slug"), ("If-Match" = String, Header, description = "the ETag from GET")),
    responses((status = 200, body = CityOut, headers(("ETag" = String))), ReadErrors, BodyErrors, VersionErrors))]
pub async fn patch_city(
    api: Api,
    Path(slug): Path<String>,
    if_match: IfMatch,
    ApiJson(patch): ApiJson<CityPatch>,
) -> Result<Response, Problem> {
    let org = ops::city_for(&api.state, &api.caller, &slug, Action::UpdateProfile).await?;
    let version = if_match.version_of(org.version)?;
    let change = ProfileChange::parse(patch.description.as_deref(), patch.website.as_deref())?;
    let updated = ops::update_profile(&api.state, &api.caller, &org, version, change).await?;
    Ok(with_etag(updated.version, CityOut::from(updated)))
}

/// A city's team: members who agreed to be listed, or everyone for the team and programme staff.
#[utoipa::path(get, path = "/cities/{slug}/team", tag = "network",
    params(("slug" = String, Path, description = "the city's slug")),
    responses((status = 200, body = Vec<TeamMemberOut>), TokenErrors, NotFoundErrors))]
pub async fn city_team(api: Api, Path(slug): Path<String>) -> Result<Json<Vec<TeamMemberOut>>, Problem> {
    let org = ops::city_for(&api.state, &api.caller, &slug, Action::Read).await?;
    let members = ops::team_members(&api.state, &api.caller, &org).await?;
    Ok(Json(
        members
            .into_iter()
            .map(|m| TeamMemberOut {
                person_id: m.person_id,
                name: m.name,
                job_title: m.job_title,
                role: m.role.as_str().into(),
                listed: m.listed,
            })
            .collect(),
    ))
}

/// People who agreed to be listed, by name, with their roles.
#[utoipa::path(get, path = "/people", tag = "network",
    params(("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, body = List<PersonOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), QueryErrors))]
pub async fn list_people(State(state): State<AppState>, q: PageQuery) -> Result<Response, Problem> {
    let people = List::map(ops::directory(&state, q.page).await?, |d| PersonOut {
        id: d.person_id,
        name: d.name,
        job_title: d.job_title,
        roles: d.memberships.into_iter().map(RoleOut::from).collect(),
    });
    Ok(paged(&q, "/api/v1/people", people))
}

/// A programme's invitations, newest first (programme staff only). Filter with `?city=`.
#[utoipa::path(get, path = "/programmes/{slug}/invitations", tag = "network", security(("bearer" = [])),
    params(("slug" = String, Path, description = "the programme's slug"), ("city" = Option<String>, Query), ("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, body = List<InvitationOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), ReadErrors, QueryErrors))]
pub async fn list_invitations(api: Api, Path(slug): Path<String>, q: PageQuery) -> Result<Response, Problem> {
    let p = ops::programme_for(&api.state, &api.caller, &slug, Action::ReadInvitations).await?;
    let invitations = ops::invitations(&api.state, &api.caller, &p, q.get("city"), q.page).await?;
    Ok(paged(&q, &format!("/api/v1/programmes/{}/invitations", p.slug), List::map(invitations, InvitationOut::from)))
}

/// Invite a person to a city's team with a role. Programme staff may invite to any role but admin;
/// a city lead to `city-lead` or `city-member` of their own city.
#[utoipa::path(post, path = "/programmes/{slug}/invitations", tag = "network", security(("bearer" = [])), request_body = InvitationCreate,
    params(("slug" = String, Path, description = "the programme's slug")),
    responses((status = 201, body = InvitationCreatedOut), ReadErrors, BodyErrors, RuleErrors))]
pub async fn create_invitation(
    api: Api,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<InvitationCreate>,
) -> Result<Response, Problem> {
    let p = ops::programme(&api.state, &slug).await?;
    let req = InvitationRequest::parse(&body.email, &body.name, &body.role)?;
    let org = ops::city(&api.state, &body.city).await.map_err(|_| {
        Problem::field(StatusCode::UNPROCESSABLE_ENTITY, "city", "unknown-city", "no city with this slug")
    })?;
    let (inv, link) = ops::invite(&api.state, &api.caller, &p, &org, req).await?;
    Ok(created(InvitationCreatedOut { invitation: inv.into(), link }))
}

/// Revoke a pending invitation. `If-Match` is optional here; when sent it must match.
#[utoipa::path(delete, path = "/programmes/{slug}/invitations/{id}", tag = "network", security(("bearer" = [])),
    params(("slug" = String, Path, description = "the programme's slug"), ("id" = String, Path, description = "the invitation's id (a UUID)")),
    responses((status = 200, body = InvitationOut), ReadErrors, StaleErrors, RuleErrors))]
pub async fn revoke_invitation(
    api: Api,
    Path((slug, id)): Path<(String, String)>,
    if_match: IfMatch,
) -> Result<Json<InvitationOut>, Problem> {
    let p = ops::programme(&api.state, &slug).await?;
    let id = Uuid::parse_str(&id).map_err(|_| Problem::not_found("invitation"))?;
    let expected = if if_match.is_sent() {
        if_match.sent_of(ops::invitation_of(&api.state, &p, id).await?.version)?
    } else {
        None
    };
    Ok(Json(ops::revoke(&api.state, &api.caller, &p, id, expected).await?.into()))
}

/// An invitation, by the secret token of its link.
#[utoipa::path(get, path = "/invitations/{token}", tag = "network",
    params(("token" = String, Path, description = "the secret token of the invitation's link")),
    responses((status = 200, body = InvitationOut), NotFoundErrors))]
pub async fn get_invitation(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<InvitationOut>, Problem> {
    Ok(Json(ops::invitation_by_token(&state, &token).await?.into()))
}

/// Accept an invitation: with a Bearer token of the invited account, or as a new account with
/// `name` and `password` (at least 12 characters).
#[utoipa::path(post, path = "/invitations/{token}/accept", tag = "network", request_body = InvitationAccept,
    params(("token" = String, Path, description = "the secret token of the invitation's link")),
    responses((status = 200, body = InvitationOut), TokenErrors, NotFoundErrors, BodyErrors, RuleErrors))]
pub async fn accept_invitation(
    api: PublicApi,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<InvitationAccept>,
) -> Result<Json<InvitationOut>, Problem> {
    ops::invitation_by_token(&api.state, &token).await?;
    let new_account = if api.caller.actor.is_authenticated() {
        None
    } else {
        Some(NewAccount::parse(
            body.name.as_deref().unwrap_or(""),
            body.password.as_deref().unwrap_or(""),
            None,
            body.listed,
        )?)
    };
    let (inv, _) = ops::accept(&api.state, &api.caller, &token, new_account).await?;
    Ok(Json(inv.into()))
}
