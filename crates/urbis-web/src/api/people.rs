//! API handlers of people administration (admins): every account, and deactivating and
//! reactivating a person (see `urbis_app::people`).

use super::network::{List, RoleOut};
use super::{Api, IfMatch, PageQuery, paged, with_etag};
use crate::error::{AuthErrors, QueryErrors, ReadErrors, RuleErrors, VersionErrors};
use axum::extract::Path;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Serialize;
use urbis_app::people as ops;
use urbis_domain::policy::Action;
use urbis_store::network::Person;
use utoipa::ToSchema;
use uuid::Uuid;

/// A person's account as an admin sees it.
#[derive(Serialize, ToSchema)]
pub struct AccountOut {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub job_title: String,
    /// Whether the person may sign in: false once deactivated.
    pub active: bool,
    /// When the person was deactivated; null while active.
    pub deactivated_at: Option<DateTime<Utc>>,
    /// The admin who deactivated them; null while active, or when an operator did it on the server.
    pub deactivated_by: Option<Uuid>,
    pub version: i64,
}

impl From<Person> for AccountOut {
    fn from(p: Person) -> Self {
        AccountOut {
            active: p.is_active(),
            id: p.id,
            email: p.email,
            name: p.name,
            job_title: p.job_title,
            deactivated_at: p.deactivated_at,
            deactivated_by: p.deactivated_by,
            version: p.version,
        }
    }
}

/// A person's account with their roles.
#[derive(Serialize, ToSchema)]
pub struct AccountDetailOut {
    #[serde(flatten)]
    pub account: AccountOut,
    pub roles: Vec<RoleOut>,
}

/// Every account of the installation, active or deactivated, by name (admins only). `?q=` keeps
/// those whose name or e-mail contains it.
#[utoipa::path(get, path = "/admin/people", tag = "network", security(("bearer" = [])),
    params(("q" = Option<String>, Query, description = "Part of a name or e-mail address"), ("page" = Option<u32>, Query, minimum = 1, maximum = 1000000, description = "Page, from 1"), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page, 1 to 100")),
    responses((status = 200, body = List<AccountOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), AuthErrors, QueryErrors))]
pub async fn list_accounts(api: Api, q: PageQuery) -> Result<Response, crate::error::Problem> {
    let people = ops::accounts(&api.state, &api.caller, q.get("q"), q.page).await?;
    Ok(paged(&q, "/api/v1/admin/people", List::map(people, |e| AccountOut::from(e.person))))
}

/// A person's account (admins only): whether they are active, and their roles. The `ETag` is its
/// version, for `If-Match` when deactivating or reactivating them.
#[utoipa::path(get, path = "/people/{id}", tag = "network", security(("bearer" = [])),
    params(("id" = String, Path, description = "The person's id (a UUID)")),
    responses((status = 200, body = AccountDetailOut, headers(("ETag" = String))), ReadErrors))]
pub async fn get_person(api: Api, Path(id): Path<String>) -> Result<Response, crate::error::Problem> {
    let person = ops::person_for(&api.state, &api.caller, &id, Action::ManagePeople).await?;
    let roles = ops::roles(&api.state, &api.caller, &person).await?.into_iter().map(RoleOut::from).collect();
    Ok(with_etag(person.version, AccountDetailOut { account: person.item.into(), roles }))
}

/// Deactivate a person (admins only; never oneself): they cannot sign in, and every session and
/// API token of theirs ends at once. Invitations they sent stay. Needs `If-Match`.
#[utoipa::path(post, path = "/people/{id}/deactivate", tag = "network", security(("bearer" = [])),
    params(("id" = String, Path, description = "The person's id (a UUID)"), ("If-Match" = String, Header, description = "The ETag from GET /people/{id}")),
    responses((status = 200, body = AccountOut, headers(("ETag" = String))), ReadErrors, VersionErrors, RuleErrors))]
pub async fn deactivate_person(
    api: Api,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> Result<Response, crate::error::Problem> {
    set_active(api, &id, if_match, false).await
}

/// Reactivate a deactivated person (admins only). They sign in afresh: no session or token of
/// before comes back. Needs `If-Match`.
#[utoipa::path(post, path = "/people/{id}/reactivate", tag = "network", security(("bearer" = [])),
    params(("id" = String, Path, description = "The person's id (a UUID)"), ("If-Match" = String, Header, description = "The ETag from GET /people/{id}")),
    responses((status = 200, body = AccountOut, headers(("ETag" = String))), ReadErrors, VersionErrors, RuleErrors))]
pub async fn reactivate_person(
    api: Api,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> Result<Response, crate::error::Problem> {
    set_active(api, &id, if_match, true).await
}

/// Deactivate (`active` false) or reactivate a person at the version `If-Match` names.
async fn set_active(api: Api, id: &str, if_match: IfMatch, active: bool) -> Result<Response, crate::error::Problem> {
    let person = ops::person_for(&api.state, &api.caller, id, Action::ManagePeople).await?;
    let version = if_match.version_of(person.version)?;
    let after = if active {
        ops::reactivate_person(&api.state, &api.caller, &person, version).await?
    } else {
        ops::deactivate_person(&api.state, &api.caller, &person, version).await?
    };
    Ok(with_etag(after.version, AccountOut::from(after)))
}
