//! Urbis web layer: server-rendered pages (askama, Fluent), the JSON API (`/api/v1`, OpenAPI 3.1 built
//! from the same declarations as the router), authentication, security headers, metrics and charts.

pub mod api;
pub mod auth;
pub mod charts;
pub mod diagnostic;
pub mod error;
pub mod i18n;
pub mod metrics;
pub mod network;
pub mod pages;
pub mod security;
pub mod services;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::sync::Arc;
use std::time::Instant;
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
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub secret: Vec<u8>,
    pub config: Config,
    pub metrics: metrics::Metrics,
    pub limiter: auth::RateLimiter,
    pub started: Instant,
    /// Waves' diagnostic results, kept between requests while unchanged.
    pub results: diagnostic::ResultsCache,
    /// Instruments (immutable once published), read once.
    pub instruments: diagnostic::InstrumentCache,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub async fn new(store: Store, config: Config) -> Result<AppState, urbis_store::StoreError> {
        let secret = store.secret().await?;
        Ok(AppState(Arc::new(Inner {
            store,
            secret,
            config,
            metrics: metrics::Metrics::default(),
            limiter: auth::RateLimiter::default(),
            started: Instant::now(),
            results: diagnostic::ResultsCache::default(),
            instruments: diagnostic::InstrumentCache::default(),
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
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .with_state(state)
}
