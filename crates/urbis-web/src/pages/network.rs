//! Pages of the `network` capability: home, programme and cohort, city, team, people, invitations.

use super::{Ctx, PageForm, Refusal, ShownError};
use crate::AppState;
use crate::charts::{MapPoint, europe_map};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Redirect, Response};
use std::collections::HashMap;
use urbis_app::network as ops;
use urbis_app::{Allowed, AppError};
use urbis_domain::network::{InvitationRequest, ParticipationStatus, ProfileChange};
use urbis_domain::policy::{Action, Resource, Role};
use urbis_store::Page;
use urbis_store::network::{
    CohortMember, DirectoryEntry, Invitation, Organisation, Participation, Programme, TeamMember,
};
use uuid::Uuid;

/// Roles offered in the invitation form: city roles for a city lead, all but admin for staff.
fn invitable_roles(ctx: &Ctx, programme: Uuid, organisation: Uuid) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|r| ctx.caller.can(Action::ManageTeam, &Resource::Invitation { programme, organisation, role: *r }))
        .collect()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    ctx: &'a Ctx,
    programmes: Vec<Programme>,
    /// Heading level of each programme card (below the page's "Programmes" heading).
    card_level: u8,
}

pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Response {
    match state.store.programmes(Page::new(1, 20)).await {
        Ok(p) => ctx.render(HomePage { ctx: &ctx, programmes: p.items, card_level: 3 }),
        Err(e) => ctx.fail(e.into()),
    }
}

#[derive(Template)]
#[template(path = "programmes.html")]
struct ProgrammesPage<'a> {
    ctx: &'a Ctx,
    programmes: Vec<Programme>,
    card_level: u8,
}

pub async fn programmes(State(state): State<AppState>, ctx: Ctx) -> Response {
    match state.store.programmes(Page::new(1, Page::MAX_PER_PAGE)).await {
        Ok(p) => ctx.render(ProgrammesPage { ctx: &ctx, programmes: p.items, card_level: 2 }),
        Err(e) => ctx.fail(e.into()),
    }
}

#[derive(Template)]
#[template(path = "programme.html")]
struct ProgrammePage<'a> {
    ctx: &'a Ctx,
    programme: Programme,
    cohort: Vec<CohortMember>,
    participating: usize,
    map: String,
    capabilities: Vec<String>,
    focus_areas: Vec<String>,
    can_manage: bool,
}

pub async fn programme(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Response {
    let r: Result<Response, AppError> = async {
        let programme = ops::programme(&state, &slug).await?;
        let cohort = state.store.cohort(programme.id, None, Page::all()).await?.items;
        let participating = cohort.iter().filter(|c| c.status == ParticipationStatus::Participating).count();
        let hrefs: Vec<String> = cohort.iter().map(|c| format!("/cities/{}", c.organisation.slug)).collect();
        let points: Vec<MapPoint> = cohort
            .iter()
            .zip(&hrefs)
            .filter_map(|(c, href)| {
                Some(MapPoint {
                    label: &c.organisation.name,
                    href,
                    latitude: c.organisation.latitude?,
                    longitude: c.organisation.longitude?,
                    class: c.status.as_str(),
                })
            })
            .collect();
        let count = participating.to_string();
        let total = cohort.len().to_string();
        let map = europe_map(
            &ctx.t.with("programme-map-title", &[("programme", &programme.name)]),
            &ctx.t.with("programme-map-desc", &[("participating", &count), ("total", &total)]),
            &points,
        );
        let can_manage = ctx.caller.can(Action::ReadInvitations, &Resource::Programme { id: programme.id });
        Ok(ctx.render(ProgrammePage {
            ctx: &ctx,
            cohort,
            participating,
            map,
            capabilities: state.store.capabilities().await?,
            focus_areas: state.store.focus_areas().await?,
            can_manage,
            programme,
        }))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

#[derive(Template)]
#[template(path = "city.html")]
struct CityPage<'a> {
    ctx: &'a Ctx,
    city: Organisation,
    participations: Vec<Participation>,
    team: Vec<TeamMember>,
    local_time: String,
    can_edit: bool,
    can_team: bool,
    saved: bool,
}

pub async fn city(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r: Result<Response, AppError> = async {
        let city = ops::city_for(&state, &ctx.caller, &slug, Action::Read).await?;
        let team = ops::team_members(&state, &ctx.caller, &city).await?;
        let resource = city.resource;
        let city = city.item;
        let tz = urbis_domain::network::TimeZone::parse(&city.timezone).map(|t| t.tz()).unwrap_or(chrono_tz::UTC);
        let local_time = chrono::Utc::now().with_timezone(&tz).format("%H:%M").to_string();
        Ok(ctx.render(CityPage {
            ctx: &ctx,
            participations: state.store.participations(city.id).await?,
            team,
            local_time,
            can_edit: ctx.caller.can(Action::UpdateProfile, &resource),
            can_team: ctx.caller.can(Action::ReadTeam, &resource),
            saved: q.contains_key("saved"),
            city,
        }))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

#[derive(Template)]
#[template(path = "city_edit.html")]
struct CityEditPage<'a> {
    ctx: &'a Ctx,
    city: Organisation,
    description: String,
    website: String,
    version: i64,
    errors: Vec<ShownError>,
    conflict: bool,
}

form_errors!(CityEditPage);

async fn editable_city(state: &AppState, ctx: &Ctx, slug: &str) -> Result<Allowed<Organisation>, AppError> {
    ops::city_for(state, &ctx.caller, slug, Action::UpdateProfile).await
}

pub async fn city_edit(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Response {
    match editable_city(&state, &ctx, &slug).await {
        Ok(city) => ctx.render(CityEditPage {
            ctx: &ctx,
            description: city.description.clone(),
            website: city.website.clone(),
            version: city.version,
            errors: vec![],
            conflict: false,
            city: city.item,
        }),
        Err(p) => ctx.fail(p),
    }
}

pub async fn city_edit_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    form: PageForm,
) -> Response {
    let city = match editable_city(&state, &ctx, &slug).await {
        Ok(c) => c,
        Err(p) => return ctx.fail(p),
    };
    let again = |errors: Vec<ShownError>, conflict: bool, version: i64| CityEditPage {
        ctx: &ctx,
        city: city.item.clone(),
        description: form.get("description").to_string(),
        website: form.get("website").to_string(),
        version,
        errors,
        conflict,
    };
    let Some(version) = form.version() else {
        return ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, again(vec![], true, city.version));
    };
    let change = match ProfileChange::parse(Some(form.get("description")), Some(form.get("website"))) {
        Ok(c) => c,
        Err(i) => {
            return ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, again(ctx.invalid(&i.0), false, version));
        }
    };
    match ops::update_profile(&state, &ctx.caller, &city, version, change).await {
        Ok(_) => Redirect::to(&format!("/cities/{}?saved=1", city.slug)).into_response(),
        // Someone else saved first: show their version's number so a second save is deliberate,
        // and keep what this person typed.
        Err(e) => match ctx.refusal(e) {
            Refusal::Errors(status, errors) => ctx.render_status(status, again(errors, false, version)),
            Refusal::Conflict => ctx.render_status(StatusCode::CONFLICT, again(vec![], true, city.version)),
            Refusal::Fail(e) => ctx.fail(e),
        },
    }
}

use axum::response::IntoResponse;

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage<'a> {
    ctx: &'a Ctx,
    city: Organisation,
    programmes: Vec<Participation>,
    memberships: Vec<urbis_store::network::TeamMember>,
    invitations: Vec<Invitation>,
    roles: Vec<Role>,
    can_manage: bool,
    form_email: String,
    form_name: String,
    form_role: String,
    form_programme: String,
    errors: Vec<ShownError>,
    created_link: Option<String>,
}

form_errors!(TeamPage);

impl TeamPage<'_> {
    fn state_of(&self, i: &Invitation) -> &'static str {
        i.state(urbis_store::now()).as_str()
    }
}

struct TeamInput {
    email: String,
    name: String,
    role: String,
    programme: String,
    errors: Vec<ShownError>,
    created_link: Option<String>,
}

async fn team_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    input: TeamInput,
    status: StatusCode,
) -> Result<Response, AppError> {
    let city = ops::city_for(state, &ctx.caller, slug, Action::ReadTeam).await?;
    let ops::Team { members: memberships, participations: programmes, invitations, can_manage } =
        ops::team(state, &ctx.caller, &city).await?;
    let city = city.item;
    let mut roles = vec![];
    for p in &programmes {
        for r in invitable_roles(ctx, p.programme_id, city.id) {
            if !roles.contains(&r) {
                roles.push(r);
            }
        }
    }
    Ok(ctx.render_status(
        status,
        TeamPage {
            ctx,
            memberships,
            invitations,
            roles,
            can_manage,
            form_programme: if input.programme.is_empty() {
                programmes.first().map(|p| p.programme_slug.clone()).unwrap_or_default()
            } else {
                input.programme
            },
            programmes,
            form_email: input.email,
            form_name: input.name,
            form_role: if input.role.is_empty() { "city-member".into() } else { input.role },
            errors: input.errors,
            created_link: input.created_link,
            city,
        },
    ))
}

pub async fn team(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Response {
    let input = TeamInput {
        email: String::new(),
        name: String::new(),
        role: String::new(),
        programme: String::new(),
        errors: vec![],
        created_link: None,
    };
    team_page(&state, &ctx, &slug, input, StatusCode::OK).await.unwrap_or_else(|p| ctx.fail(p))
}

pub async fn team_post(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>, form: PageForm) -> Response {
    let r: Result<Response, AppError> = async {
        let city = ops::city(&state, &slug).await?;
        let mut input = TeamInput {
            email: form.get("email").into(),
            name: form.get("name").into(),
            role: form.get("role").into(),
            programme: form.get("programme").into(),
            errors: vec![],
            created_link: None,
        };
        let programme = match state.store.programme(&input.programme).await {
            Ok(p) => p,
            Err(_) => {
                input.errors = vec![ShownError {
                    field: "programme".into(),
                    message: ctx.error_message("programme", "invalid-choice"),
                }];
                return team_page(&state, &ctx, &slug, input, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        };
        let req = match InvitationRequest::parse(&input.email, &input.name, &input.role) {
            Ok(r) => r,
            Err(i) => {
                input.errors = ctx.invalid(&i.0);
                return team_page(&state, &ctx, &slug, input, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        };
        match ops::invite(&state, &ctx.caller, &programme, &city, req).await {
            Ok((_, link)) => {
                let done = TeamInput {
                    email: String::new(),
                    name: String::new(),
                    role: String::new(),
                    programme: programme.slug,
                    errors: vec![],
                    created_link: Some(link),
                };
                team_page(&state, &ctx, &slug, done, StatusCode::CREATED).await
            }
            Err(e) => match ctx.refusal(e) {
                Refusal::Errors(status, errors) => {
                    input.errors = errors;
                    team_page(&state, &ctx, &slug, input, status).await
                }
                Refusal::Conflict => team_page(&state, &ctx, &slug, input, StatusCode::CONFLICT).await,
                Refusal::Fail(e) => Err(e),
            },
        }
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

pub async fn team_remove_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, membership)): Path<(String, String)>,
    _form: PageForm,
) -> Response {
    let r: Result<Response, AppError> = async {
        let city = ops::remove_member(&state, &ctx.caller, &slug, &membership).await?;
        Ok(Redirect::to(&format!("/cities/{}/team", city.slug)).into_response())
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage<'a> {
    ctx: &'a Ctx,
    people: Vec<DirectoryEntry>,
    page: u32,
    pages: u32,
}

pub async fn people(State(state): State<AppState>, ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let page = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    match state.store.directory(Page::new(page, 50)).await {
        Ok(d) => {
            let pages = d.total.div_ceil(50).max(1) as u32;
            ctx.render(PeoplePage { ctx: &ctx, people: d.items, page: d.page, pages })
        }
        Err(e) => ctx.fail(e.into()),
    }
}

#[derive(Template)]
#[template(path = "invitations.html")]
struct InvitationsPage<'a> {
    ctx: &'a Ctx,
    programme: Programme,
    invitations: Vec<Invitation>,
    cities: Vec<CohortMember>,
    roles: Vec<Role>,
    form_email: String,
    form_name: String,
    form_role: String,
    form_city: String,
    errors: Vec<ShownError>,
    created_link: Option<String>,
}

form_errors!(InvitationsPage);

impl InvitationsPage<'_> {
    fn state_of(&self, i: &Invitation) -> &'static str {
        i.state(urbis_store::now()).as_str()
    }
}

#[allow(clippy::too_many_arguments)]
async fn invitations_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    form: Option<&PageForm>,
    errors: Vec<ShownError>,
    created_link: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let programme = ops::programme_for(state, &ctx.caller, slug, Action::ReadInvitations).await?;
    let invitations = ops::invitations(state, &ctx.caller, &programme, None, Page::new(1, 100)).await?.items;
    let programme = programme.item;
    let cities = state.store.cohort(programme.id, None, Page::all()).await?.items;
    // Staff roles do not depend on the city, so any city of the cohort tells which roles they may give.
    let roles = cities.first().map(|c| invitable_roles(ctx, programme.id, c.organisation.id)).unwrap_or_default();
    let get = |k: &str| form.map(|f| f.get(k).to_string()).unwrap_or_default();
    let form_role = if get("role").is_empty() { "city-lead".into() } else { get("role") };
    Ok(ctx.render_status(
        status,
        InvitationsPage {
            ctx,
            invitations,
            cities,
            roles,
            form_email: get("email"),
            form_name: get("name"),
            form_role,
            form_city: get("city"),
            errors,
            created_link,
            programme,
        },
    ))
}

pub async fn invitations(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Response {
    invitations_page(&state, &ctx, &slug, None, vec![], None, StatusCode::OK).await.unwrap_or_else(|p| ctx.fail(p))
}

pub async fn invitations_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    form: PageForm,
) -> Response {
    let r: Result<Response, AppError> = async {
        // The programme's invitation desk is for its staff (a city lead invites from the team page).
        let programme = ops::programme_for(&state, &ctx.caller, &slug, Action::ReadInvitations).await?.item;
        let mut errors = vec![];
        let city = match ops::city(&state, form.get("city")).await {
            Ok(c) => Some(c),
            Err(_) => {
                errors.push(ShownError { field: "city".into(), message: ctx.error_message("city", "invalid-choice") });
                None
            }
        };
        let req = match InvitationRequest::parse(form.get("email"), form.get("name"), form.get("role")) {
            Ok(r) => Some(r),
            Err(i) => {
                errors.extend(ctx.invalid(&i.0));
                None
            }
        };
        let (Some(city), Some(req)) = (city, req) else {
            return invitations_page(&state, &ctx, &slug, Some(&form), errors, None, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        };
        match ops::invite(&state, &ctx.caller, &programme, &city, req).await {
            Ok((_, link)) => invitations_page(&state, &ctx, &slug, None, vec![], Some(link), StatusCode::CREATED).await,
            Err(e) => match ctx.refusal(e) {
                Refusal::Errors(status, errors) => {
                    invitations_page(&state, &ctx, &slug, Some(&form), errors, None, status).await
                }
                Refusal::Conflict => {
                    invitations_page(&state, &ctx, &slug, Some(&form), vec![], None, StatusCode::CONFLICT).await
                }
                Refusal::Fail(e) => Err(e),
            },
        }
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

pub async fn revoke_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    form: PageForm,
) -> Response {
    let r: Result<Response, AppError> = async {
        let programme = ops::programme(&state, &slug).await?;
        let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound("invitation"))?;
        ops::revoke(&state, &ctx.caller, &programme, id, form.version()).await?;
        Ok(Redirect::to(&super::local_next(form.0.get("next"))).into_response())
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}
