//! Pages for signing in and out, one's own account, and accepting an invitation.

use super::{Ctx, PageForm, Refusal, Saved, ShownError, local_next, redirect};
use crate::AppState;
use crate::auth::{ClientAddr, SESSION_COOKIE, cookie, set_cookie, sign, unsign};
use crate::i18n::LANGUAGES;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use urbis_app::AppError;
use urbis_app::network as ops;
use urbis_domain::network::{AccountChange, NewAccount, PasswordChange};

use urbis_store::Page;
use urbis_store::auth::ApiToken;
use urbis_store::network::{Invitation, Membership, Person};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    ctx: &'a Ctx,
    email: String,
    next: String,
    errors: Vec<ShownError>,
}

form_errors!(LoginPage);

/// Signing in and out, one's account, and accepting an invitation.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login).post(login_post))
        .route("/logout", post(logout_post))
        .route("/account", get(account).post(account_post))
        .route("/account/tokens/{id}/revoke", get(revoke_token).post(revoke_token_post))
        .route("/account/password", get(password).post(password_post))
        .route("/account/sign-out-everywhere", get(sign_out_everywhere).post(sign_out_everywhere_post))
        .route("/invitations/{token}", get(invitation).post(invitation_post))
}

pub async fn login(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    ctx.render(LoginPage { ctx: &ctx, email: String::new(), next: local_next(q.get("next")), errors: vec![] })
}

fn session_response(state: &AppState, token: &str, to: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    let max_age = urbis_store::auth::SESSION_HOURS * 3600;
    if let Ok(v) = HeaderValue::from_str(&set_cookie(state, SESSION_COOKIE, &sign(&state.secret, token), Some(max_age)))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn login_post(ctx: Ctx, ClientAddr(client): ClientAddr, form: PageForm) -> Response {
    let email = form.get("email").to_string();
    let next = local_next(form.0.get("next"));
    let fail = |errors: Vec<ShownError>, status| {
        ctx.render_status(status, LoginPage { ctx: &ctx, email: email.clone(), next: next.clone(), errors })
    };
    let mut errors = vec![];
    if email.trim().is_empty() {
        errors.push(ShownError { field: "email".into(), message: ctx.error_message("email", "required") });
    }
    if form.get("password").is_empty() {
        errors.push(ShownError { field: "password".into(), message: ctx.error_message("password", "required") });
    }
    if !errors.is_empty() {
        return fail(errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    match ops::sign_in(&ctx.state, &email, form.get("password"), &client, ops::Credential::Session).await {
        Ok((token, _)) => session_response(&ctx.state, &token, &next),
        Err(ops::LoginFailure::Wrong) => fail(
            vec![ShownError { field: "email".into(), message: ctx.t.get("login-wrong") }],
            StatusCode::UNAUTHORIZED,
        ),
        Err(ops::LoginFailure::Throttled(wait)) => {
            let minutes = wait.div_ceil(60).to_string();
            let mut res = fail(
                vec![ShownError {
                    field: "email".into(),
                    message: ctx.t.with("login-throttled", &[("minutes", &minutes)]),
                }],
                StatusCode::TOO_MANY_REQUESTS,
            );
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        Err(ops::LoginFailure::Error(p)) => ctx.fail(p),
    }
}

pub async fn logout_post(State(state): State<AppState>, headers: HeaderMap, _form: PageForm) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE).and_then(|c| unsign(&state.secret, c))
        && let Err(e) = ops::sign_out(&state, token).await
    {
        tracing::warn!(error = %e, "could not delete session");
    }
    signed_out_response(&state, "/")
}

/// A redirect to `to` that also forgets the session cookie.
fn signed_out_response(state: &AppState, to: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&set_cookie(state, SESSION_COOKIE, "", Some(0))) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage<'a> {
    ctx: &'a Ctx,
    errors: Vec<ShownError>,
}

form_errors!(PasswordPage);

/// The form to change one's password.
pub async fn password(ctx: Ctx) -> Response {
    ctx.respond(async {
        ops::account(&ctx.state, &ctx.caller).await?;
        Ok(ctx.render(PasswordPage { ctx: &ctx, errors: vec![] }))
    })
    .await
}

/// Changes one's password (see [`ops::change_password`]); this browser stays signed in with a new session.
pub async fn password_post(ctx: Ctx, ClientAddr(client): ClientAddr, form: PageForm) -> Response {
    // Who is asking comes first: a visitor who is not signed in is sent to sign in, not shown errors.
    if let Err(e) = ops::account(&ctx.state, &ctx.caller).await {
        return ctx.fail(e);
    }
    let (current, new) = (form.get("current_password"), form.get("new_password"));
    let change = PasswordChange::parse(current, new, form.get("new_password_confirm")).map_err(AppError::Invalid);
    let done = match change {
        Ok(change) => ops::change_password(&ctx.state, &ctx.caller, change, &client).await,
        Err(e) => Err(ops::LoginFailure::Error(e)),
    };
    let wrong = |message: String| vec![ShownError { field: "current_password".into(), message }];
    let (status, errors, wait) = match done {
        Ok(session) => return session_response(&ctx.state, &session, "/account?password=1"),
        Err(ops::LoginFailure::Wrong) => {
            (StatusCode::UNPROCESSABLE_ENTITY, wrong(ctx.t.get("error-password-wrong")), None)
        }
        Err(ops::LoginFailure::Throttled(wait)) => {
            let minutes = wait.div_ceil(60).to_string();
            (StatusCode::TOO_MANY_REQUESTS, wrong(ctx.t.with("login-throttled", &[("minutes", &minutes)])), Some(wait))
        }
        Err(ops::LoginFailure::Error(e)) => match ctx.refusal(e) {
            Refusal::Errors(status, errors) => (status, errors, None),
            Refusal::Conflict => (StatusCode::CONFLICT, vec![], None),
            Refusal::Fail(e) => return ctx.fail(e),
        },
    };
    let mut res = ctx.render_status(status, PasswordPage { ctx: &ctx, errors });
    if let Some(wait) = wait
        && let Ok(v) = HeaderValue::from_str(&wait.to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

#[derive(Template)]
#[template(path = "sign_out_everywhere.html")]
struct SignOutEverywherePage<'a> {
    ctx: &'a Ctx,
}

/// Asks to confirm signing out everywhere (it cannot be undone).
pub async fn sign_out_everywhere(ctx: Ctx) -> Response {
    ctx.respond(async {
        ops::account(&ctx.state, &ctx.caller).await?;
        Ok(ctx.render(SignOutEverywherePage { ctx: &ctx }))
    })
    .await
}

/// Ends every session and revokes every API token of the signed-in person, then shows the sign-in page.
pub async fn sign_out_everywhere_post(ctx: Ctx, _form: PageForm) -> Response {
    ctx.respond(async {
        ops::sign_out_everywhere(&ctx.state, &ctx.caller).await?;
        Ok(signed_out_response(&ctx.state, "/login"))
    })
    .await
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    ctx: &'a Ctx,
    person: Person,
    roles: Vec<Membership>,
    name: String,
    job_title: String,
    listed: bool,
    locale: String,
    version: i64,
    errors: Vec<ShownError>,
    conflict: bool,
    saved: bool,
    /// The account's API tokens (the newest hundred), each with a link to revoke it.
    tokens: Vec<ApiToken>,
    /// Shown after a token was revoked (`?revoked`).
    revoked: bool,
    /// Shown after the password was changed (`?password`).
    password_changed: bool,
}

form_errors!(AccountPage);

impl AccountPage<'_> {
    fn languages(&self) -> &'static [(&'static str, &'static str)] {
        LANGUAGES
    }
}

/// The newest tokens an account page lists.
const TOKENS_SHOWN: Page = Page { page: 1, per_page: 100 };

pub async fn account(ctx: Ctx, Saved(saved): Saved, Query(q): Query<HashMap<String, String>>) -> Response {
    ctx.respond(async {
        let (person, roles) = ops::account(&ctx.state, &ctx.caller).await?;
        let tokens = ops::my_tokens(&ctx.state, &ctx.caller, TOKENS_SHOWN).await?.items;
        Ok(ctx.render(AccountPage {
            tokens,
            revoked: q.contains_key("revoked"),
            password_changed: q.contains_key("password"),
            ctx: &ctx,
            roles,
            name: person.name.clone(),
            job_title: person.job_title.clone(),
            listed: person.listed,
            locale: person.locale.clone(),
            version: person.version,
            errors: vec![],
            conflict: false,
            saved,
            person,
        }))
    })
    .await
}

pub async fn account_post(ctx: Ctx, form: PageForm) -> Response {
    ctx.respond(async {
        let (person, roles) = ops::account(&ctx.state, &ctx.caller).await?;
        let codes: Vec<&str> = LANGUAGES.iter().map(|l| l.0).collect();
        let (name, job_title, listed, locale) =
            (form.get("name"), form.get("job_title"), form.checked("listed"), form.get("locale"));
        let done = async {
            let change = AccountChange::parse(name, job_title, listed, locale, &codes)?;
            ops::update_account(&ctx.state, &ctx.caller, form.version().unwrap_or(-1), change).await?;
            Ok(redirect("/account?saved=1"))
        };
        let versions = (form.version().unwrap_or(person.version), person.version);
        ctx.after_versioned_form(done.await, versions, async |errors, conflict, version| {
            let (name, job_title, locale) = (name.into(), job_title.into(), locale.into());
            let tokens = ops::my_tokens(&ctx.state, &ctx.caller, TOKENS_SHOWN).await?.items;
            Ok(AccountPage {
                ctx: &ctx,
                tokens,
                revoked: false,
                password_changed: false,
                roles,
                name,
                job_title,
                listed,
                locale,
                version,
                errors,
                conflict,
                saved: false,
                person,
            })
        })
        .await
    })
    .await
}

#[derive(Template)]
#[template(path = "token_revoke.html")]
struct RevokeTokenPage<'a> {
    ctx: &'a Ctx,
    token: ApiToken,
}

/// Asks to confirm revoking one of one's API tokens (it cannot be undone).
pub async fn revoke_token(ctx: Ctx, Path(id): Path<String>) -> Response {
    ctx.respond(async {
        let token = ops::my_token(&ctx.state, &ctx.caller, &id).await?;
        Ok(ctx.render(RevokeTokenPage { ctx: &ctx, token }))
    })
    .await
}

pub async fn revoke_token_post(ctx: Ctx, Path(id): Path<String>, _form: PageForm) -> Response {
    ctx.respond(async {
        ops::revoke_my_token(&ctx.state, &ctx.caller, &id).await?;
        Ok(redirect("/account?revoked=1#tokens"))
    })
    .await
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage<'a> {
    ctx: &'a Ctx,
    invitation: Invitation,
    state: &'static str,
    /// Signed in as the invited person.
    is_invitee: bool,
    /// Signed in as someone else.
    other_account: bool,
    account_exists: bool,
    name: String,
    listed: bool,
    errors: Vec<ShownError>,
}

form_errors!(InvitationPage);

async fn invitation_page<'a>(
    ctx: &'a Ctx,
    token: &str,
    form: Option<&PageForm>,
    errors: Vec<ShownError>,
) -> Result<InvitationPage<'a>, AppError> {
    let invitation = ops::invitation_by_token(&ctx.state, token).await?;
    let me = ctx.caller.person.as_ref();
    let is_invitee = me.is_some_and(|p| p.email == invitation.email);
    let account_exists = ctx.state.store.person_by_email(&invitation.email).await?.is_some();
    let name = form.map(|f| f.get("name").to_string()).unwrap_or_else(|| invitation.name.clone());
    Ok(InvitationPage {
        ctx,
        state: invitation.state(urbis_store::now()).as_str(),
        is_invitee,
        other_account: me.is_some() && !is_invitee,
        account_exists,
        name,
        listed: form.is_some_and(|f| f.checked("listed")),
        errors,
        invitation,
    })
}

pub async fn invitation(ctx: Ctx, Path(token): Path<String>) -> Response {
    ctx.respond(async { Ok(ctx.render(invitation_page(&ctx, &token, None, vec![]).await?)) }).await
}

pub async fn invitation_post(ctx: Ctx, Path(token): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let accepted = async {
            let new_account = if ctx.signed_in() {
                None
            } else {
                let (name, password) = (form.get("name"), form.get("password"));
                Some(NewAccount::parse(name, password, Some(form.get("password_confirm")), form.checked("listed"))?)
            };
            let fresh = new_account.is_some();
            let (inv, person) = ops::accept(&ctx.state, &ctx.caller, &token, new_account).await?;
            Ok((format!("/cities/{}", inv.organisation_slug), fresh.then_some(person)))
        };
        let done = match accepted.await {
            Ok((to, Some(person))) => {
                let (session, _) = ops::issue(&ctx.state, person.id, ops::Credential::Session).await?;
                Ok(session_response(&ctx.state, &session, &to))
            }
            Ok((to, None)) => Ok(redirect(&to)),
            Err(e) => Err(e),
        };
        let (status, errors) = match done.map_err(|e| ctx.refusal(e)) {
            Ok(answer) => return Ok(answer),
            Err(Refusal::Errors(status, errors)) => (status, errors),
            // The invitation changed meanwhile: the page again as it now is.
            Err(Refusal::Conflict) => (StatusCode::CONFLICT, vec![]),
            Err(Refusal::Fail(e)) => return Err(e),
        };
        Ok(ctx.render_status(status, invitation_page(&ctx, &token, Some(&form), errors).await?))
    })
    .await
}
