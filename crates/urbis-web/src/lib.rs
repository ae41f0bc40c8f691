//! Urbis web layer: server-rendered pages (askama, Fluent), the JSON API (`/api/v1`, OpenAPI 3.1 built
//! from the same declarations as the router), authentication, security headers, metrics and charts.

pub mod api;
pub mod auth;
pub mod cache;
pub mod charts;
pub mod download;
pub mod error;
pub mod i18n;
pub mod metrics;
pub mod pages;
pub mod security;
pub mod server;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::sync::Arc;
use std::time::Instant;
use urbis_app::App;
use urbis_store::Store;

/// Largest request body accepted anywhere (forms and JSON). Larger bodies get 413.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Settings that change how the server behaves.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Set when Urbis is served over HTTPS (directly or behind a TLS-terminating proxy): cookies get
    /// `Secure` and responses carry HSTS.
    pub behind_tls: bool,
    /// The public base URL used in invitation links, e.g. `https://urbis.example.org`.
    pub base_url: String,
    /// Reverse proxies whose `X-Forwarded-For` is believed when counting failed sign-ins per
    /// client address (see [`auth::ClientAddr`]); none by default.
    pub trusted_proxies: Vec<auth::IpNet>,
}

/// What every handler can reach: the application layer (store, caches, secret) and the web's own
/// settings and metrics.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

pub struct Inner {
    pub app: App,
    pub config: Config,
    pub metrics: metrics::Metrics,
    pub started: Instant,
    /// Public answers kept between requests (see [`cache`]).
    pub responses: cache::Responses,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// Handlers reach the operations' context (`&state` where an `&App` is wanted) and the store
/// through the state.
impl std::ops::Deref for Inner {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

impl AppState {
    pub async fn new(store: Store, config: Config) -> Result<AppState, urbis_app::AppError> {
        let app = App::new(store, config.base_url.clone()).await?;
        Ok(AppState(Arc::new(Inner {
            app,
            config,
            metrics: metrics::Metrics::default(),
            started: Instant::now(),
            responses: cache::Responses::default(),
        })))
    }
}

/// The whole application: pages, API, operations endpoints, static assets, and the layers around them.
pub fn app(state: AppState) -> Router {
    let (api_router, _) = api::router().split_for_parts();
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api_router)
        .merge(metrics::router())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), cache::public))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .with_state(state)
}
