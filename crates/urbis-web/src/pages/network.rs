//! Pages of the `network` capability: home, programme and cohort, city, team, people, invitations.

use super::{Ctx, PageForm, Refusal, Saved, ShownError, redirect};
use crate::AppState;
use crate::charts::{MapPoint, europe_map};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use urbis_app::network as ops;
use urbis_app::{Allowed, AppError};
use urbis_domain::network::{InvitationRequest, ParticipationStatus, ProfileChange};
use urbis_domain::policy::{Action, Role};
use urbis_store::Page;
use urbis_store::network::{
    CohortMember, DirectoryEntry, Invitation, Organisation, Participation, Programme, TeamMember,
};

/// The pages of the network: home, programmes, cities, their teams, people, invitations.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/programmes", get(programmes))
        .route("/programmes/{slug}", get(programme))
        .route("/programmes/{slug}/invitations", get(invitations).post(invitations_post))
        .route("/programmes/{slug}/invitations/{id}/revoke", post(revoke_post))
        .route("/cities/{slug}", get(city))
        .route("/cities/{slug}/edit", get(city_edit).post(city_edit_post))
        .route("/cities/{slug}/team", get(team).post(team_post))
        .route("/cities/{slug}/team/{membership}/remove", post(team_remove_post))
        .route("/people", get(people))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    ctx: &'a Ctx,
    programmes: Vec<Programme>,
    /// Heading level of each programme card (below the page's "Programmes" heading).
    card_level: u8,
}

pub async fn home(ctx: Ctx) -> Response {
    match ops::programmes(&ctx.state, Page::new(1, 20)).await {
        Ok(p) => ctx.render(HomePage { ctx: &ctx, programmes: p.items, card_level: 3 }),
        Err(e) => ctx.fail(e),
    }
}

#[derive(Template)]
#[template(path = "programmes.html")]
struct ProgrammesPage<'a> {
    ctx: &'a Ctx,
    programmes: Vec<Programme>,
    card_level: u8,
}

pub async fn programmes(ctx: Ctx) -> Response {
    match ops::programmes(&ctx.state, Page::new(1, Page::MAX_PER_PAGE)).await {
        Ok(p) => ctx.render(ProgrammesPage { ctx: &ctx, programmes: p.items, card_level: 2 }),
        Err(e) => ctx.fail(e),
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

pub async fn programme(ctx: Ctx, Path(slug): Path<String>) -> Response {
    match ops::programme_overview(&ctx.state, &ctx.caller, &slug).await {
        Ok(o) => ctx.render(ProgrammePage {
            ctx: &ctx,
            participating: o.cohort.iter().filter(|c| c.status == ParticipationStatus::Participating).count(),
            map: cohort_map(&ctx, &o.programme, &o.cohort),
            cohort: o.cohort,
            capabilities: o.capabilities,
            focus_areas: o.focus_areas,
            can_manage: o.can_manage,
            programme: o.programme,
        }),
        Err(e) => ctx.fail(e),
    }
}

/// The map of the cohort's cities, each a link to its page and marked with its status.
fn cohort_map(ctx: &Ctx, programme: &Programme, cohort: &[CohortMember]) -> String {
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
    let (count, total) = (participating.to_string(), cohort.len().to_string());
    europe_map(
        &ctx.t.with("programme-map-title", &[("programme", &programme.name)]),
        &ctx.t.with("programme-map-desc", &[("participating", &count), ("total", &total)]),
        &points,
    )
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

pub async fn city(ctx: Ctx, Path(slug): Path<String>, Saved(saved): Saved) -> Response {
    match ops::city_profile(&ctx.state, &ctx.caller, &slug).await {
        Ok(p) => ctx.render(CityPage {
            ctx: &ctx,
            local_time: local_time(&p.city),
            participations: p.participations,
            team: p.team,
            can_edit: p.can_edit,
            can_team: p.can_team,
            saved,
            city: p.city,
        }),
        Err(e) => ctx.fail(e),
    }
}

/// The time now in the city (`HH:MM`).
fn local_time(city: &Organisation) -> String {
    let tz = urbis_domain::network::TimeZone::parse(&city.timezone).map(|t| t.tz()).unwrap_or(chrono_tz::UTC);
    chrono::Utc::now().with_timezone(&tz).format("%H:%M").to_string()
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

async fn editable_city(ctx: &Ctx, slug: &str) -> Result<Allowed<Organisation>, AppError> {
    ops::city_for(&ctx.state, &ctx.caller, slug, Action::UpdateProfile).await
}

pub async fn city_edit(ctx: Ctx, Path(slug): Path<String>) -> Response {
    match editable_city(&ctx, &slug).await {
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

pub async fn city_edit_post(ctx: Ctx, Path(slug): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let city = editable_city(&ctx, &slug).await?;
        let typed = async |errors: Vec<ShownError>, conflict: bool, version: i64| {
            let (description, website) = (form.get("description").into(), form.get("website").into());
            Ok::<_, AppError>(CityEditPage {
                ctx: &ctx,
                city: city.item.clone(),
                description,
                website,
                version,
                errors,
                conflict,
            })
        };
        let Some(version) = form.version() else {
            return Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, typed(vec![], true, city.version).await?));
        };
        let done = async {
            let change = ProfileChange::parse(Some(form.get("description")), Some(form.get("website")))?;
            ops::update_profile(&ctx.state, &ctx.caller, &city, version, change).await?;
            Ok(redirect(&format!("/cities/{}?saved=1", city.slug)))
        };
        ctx.after_versioned_form(done.await, (version, city.version), typed).await
    })
    .await
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage<'a> {
    ctx: &'a Ctx,
    city: Organisation,
    programmes: Vec<Participation>,
    memberships: Vec<TeamMember>,
    invitations: Vec<Invitation>,
    /// The page of invitations shown, of how many.
    page: u32,
    pages: u32,
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

/// An invitation form (on a city's team page or a programme's invitation desk): what was typed,
/// with `scope` the programme or the city it is for, and what came of the last try.
#[derive(Default)]
struct InviteForm {
    email: String,
    name: String,
    role: String,
    scope: String,
    errors: Vec<ShownError>,
    created_link: Option<String>,
}

impl InviteForm {
    /// The form as posted, its scope in the field `scope`.
    fn typed(form: &PageForm, scope: &str) -> InviteForm {
        InviteForm {
            email: form.get("email").into(),
            name: form.get("name").into(),
            role: form.get("role").into(),
            scope: form.get(scope).into(),
            ..InviteForm::default()
        }
    }

    /// An empty form after an invitation was made, with its link (shown once).
    fn created(link: String, scope: String) -> InviteForm {
        InviteForm { scope, created_link: Some(link), ..InviteForm::default() }
    }

    /// The form again with `field`'s choice refused.
    fn bad_choice(self, ctx: &Ctx, field: &str) -> InviteForm {
        let error = ShownError { field: field.into(), message: ctx.error_message(field, "invalid-choice") };
        InviteForm { errors: vec![error], ..self }
    }

    /// The form again after a refused invitation, with the status to answer, or the error page's
    /// error.
    fn refused(self, ctx: &Ctx, e: AppError) -> Result<(InviteForm, StatusCode), AppError> {
        match ctx.refusal(e) {
            Refusal::Errors(status, errors) => Ok((InviteForm { errors, ..self }, status)),
            Refusal::Conflict => Ok((self, StatusCode::CONFLICT)),
            Refusal::Fail(e) => Err(e),
        }
    }

    /// The role chosen, else `default`.
    fn role_or(&self, default: &str) -> String {
        if self.role.is_empty() { default.into() } else { self.role.clone() }
    }
}

async fn team_page(
    ctx: &Ctx,
    slug: &str,
    input: InviteForm,
    status: StatusCode,
    page: u32,
) -> Result<Response, AppError> {
    let city = ops::city_for(&ctx.state, &ctx.caller, slug, Action::ReadTeam).await?;
    let team = ops::team(&ctx.state, &ctx.caller, &city, Page::new(page, INVITATIONS_PER_PAGE)).await?;
    let form_programme = match input.scope.as_str() {
        "" => team.participations.first().map(|p| p.programme_slug.clone()).unwrap_or_default(),
        typed => typed.to_string(),
    };
    let page = TeamPage {
        ctx,
        city: city.item,
        programmes: team.participations,
        memberships: team.members,
        page: team.invitations.page,
        pages: team.invitations.total.div_ceil(u64::from(INVITATIONS_PER_PAGE)).max(1) as u32,
        invitations: team.invitations.items,
        roles: team.roles,
        can_manage: team.can_manage,
        form_role: input.role_or("city-member"),
        form_email: input.email,
        form_name: input.name,
        form_programme,
        errors: input.errors,
        created_link: input.created_link,
    };
    Ok(ctx.render_status(status, page))
}

pub async fn team(ctx: Ctx, Path(slug): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    let page = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    ctx.respond(team_page(&ctx, &slug, InviteForm::default(), StatusCode::OK, page)).await
}

pub async fn team_post(ctx: Ctx, Path(slug): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let city = ops::city(&ctx.state, &slug).await?;
        let input = InviteForm::typed(&form, "programme");
        let Ok(programme) = ops::programme(&ctx.state, &input.scope).await else {
            let input = input.bad_choice(&ctx, "programme");
            return team_page(&ctx, &slug, input, StatusCode::UNPROCESSABLE_ENTITY, 1).await;
        };
        let req = match InvitationRequest::parse(&input.email, &input.name, &input.role) {
            Ok(r) => r,
            Err(i) => {
                let input = InviteForm { errors: ctx.invalid(&i.0), ..input };
                return team_page(&ctx, &slug, input, StatusCode::UNPROCESSABLE_ENTITY, 1).await;
            }
        };
        let (input, status) = match ops::invite(&ctx.state, &ctx.caller, &programme, &city, req).await {
            Ok((_, link)) => (InviteForm::created(link, programme.slug), StatusCode::CREATED),
            Err(e) => input.refused(&ctx, e)?,
        };
        team_page(&ctx, &slug, input, status, 1).await
    })
    .await
}

pub async fn team_remove_post(ctx: Ctx, Path((slug, membership)): Path<(String, String)>, _form: PageForm) -> Response {
    ctx.respond(async {
        let city = ops::remove_member(&ctx.state, &ctx.caller, &slug, &membership).await?;
        Ok(Redirect::to(&format!("/cities/{}/team", city.slug)).into_response())
    })
    .await
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage<'a> {
    ctx: &'a Ctx,
    people: Vec<DirectoryEntry>,
    page: u32,
    pages: u32,
}

pub async fn people(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let page = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    match ops::directory(&ctx.state, Page::new(page, 50)).await {
        Ok(d) => {
            let pages = d.total.div_ceil(50).max(1) as u32;
            ctx.render(PeoplePage { ctx: &ctx, people: d.items, page: d.page, pages })
        }
        Err(e) => ctx.fail(e),
    }
}

#[derive(Template)]
#[template(path = "invitations.html")]
struct InvitationsPage<'a> {
    ctx: &'a Ctx,
    programme: Programme,
    invitations: Vec<Invitation>,
    /// The page of invitations shown, of how many.
    page: u32,
    pages: u32,
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

/// How many invitations a page of the invitation desk shows.
const INVITATIONS_PER_PAGE: u32 = 50;

async fn invitations_page(
    ctx: &Ctx,
    slug: &str,
    input: InviteForm,
    status: StatusCode,
    page: u32,
) -> Result<Response, AppError> {
    let desk = ops::invitation_desk(&ctx.state, &ctx.caller, slug, Page::new(page, INVITATIONS_PER_PAGE)).await?;
    let page = InvitationsPage {
        ctx,
        programme: desk.programme,
        page: desk.invitations.page,
        pages: desk.invitations.total.div_ceil(u64::from(INVITATIONS_PER_PAGE)).max(1) as u32,
        invitations: desk.invitations.items,
        cities: desk.cities,
        roles: desk.roles,
        form_role: input.role_or("city-lead"),
        form_email: input.email,
        form_name: input.name,
        form_city: input.scope,
        errors: input.errors,
        created_link: input.created_link,
    };
    Ok(ctx.render_status(status, page))
}

pub async fn invitations(ctx: Ctx, Path(slug): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    let page = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    ctx.respond(invitations_page(&ctx, &slug, InviteForm::default(), StatusCode::OK, page)).await
}

pub async fn invitations_post(ctx: Ctx, Path(slug): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        // The programme's invitation desk is for its staff (a city lead invites from the team page).
        let programme = ops::programme_for(&ctx.state, &ctx.caller, &slug, Action::ReadInvitations).await?.item;
        let mut input = InviteForm::typed(&form, "city");
        let city = ops::city(&ctx.state, &input.scope).await.ok();
        if city.is_none() {
            input = input.bad_choice(&ctx, "city");
        }
        let req = match InvitationRequest::parse(&input.email, &input.name, &input.role) {
            Ok(r) => Some(r),
            Err(i) => {
                input.errors.extend(ctx.invalid(&i.0));
                None
            }
        };
        let (Some(city), Some(req)) = (city, req) else {
            return invitations_page(&ctx, &slug, input, StatusCode::UNPROCESSABLE_ENTITY, 1).await;
        };
        let (input, status) = match ops::invite(&ctx.state, &ctx.caller, &programme, &city, req).await {
            Ok((_, link)) => (InviteForm::created(link, String::new()), StatusCode::CREATED),
            Err(e) => input.refused(&ctx, e)?,
        };
        invitations_page(&ctx, &slug, input, status, 1).await
    })
    .await
}

pub async fn revoke_post(ctx: Ctx, Path((slug, id)): Path<(String, String)>, form: PageForm) -> Response {
    ctx.respond(async {
        let programme = ops::programme(&ctx.state, &slug).await?;
        let id = urbis_app::parse_id("invitation", &id)?;
        ops::revoke(&ctx.state, &ctx.caller, &programme, id, form.version()).await?;
        Ok(Redirect::to(&super::local_next(form.0.get("next"))).into_response())
    })
    .await
}
