//! Operations endpoints: `/healthz` (the process answers), `/readyz` (the database answers) and
//! `/metrics` (Prometheus text format: request counts and latency histograms per route).

use crate::AppState;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

/// Latency bucket upper bounds in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Request metrics by route pattern, then method and status. Nested so that recording a request
/// of a route already seen only looks keys up (no allocation on the hot path).
#[derive(Default)]
pub struct Metrics {
    series: Mutex<ByRoute>,
}

/// Series by route pattern, then (method, status).
type ByRoute = BTreeMap<String, BTreeMap<(String, u16), Series>>;

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut map = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let by_method = match map.get_mut(route) {
            Some(m) => m,
            None => map.entry(route.to_string()).or_default(),
        };
        let s = match by_method.iter_mut().find(|((m, st), _)| m == method && *st == status) {
            Some((_, s)) => s,
            None => by_method.entry((method.to_string(), status)).or_default(),
        };
        s.count += 1;
        s.sum += seconds;
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    /// Every series as (method, route, status), in a stable order.
    fn each(map: &ByRoute) -> impl Iterator<Item = (&str, &str, u16, &Series)> {
        map.iter().flat_map(|(r, by)| by.iter().map(move |((m, st), s)| (m.as_str(), r.as_str(), *st, s)))
    }

    pub fn render(&self, uptime: f64, backend: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP urbis_up 1 while the process serves.\n# TYPE urbis_up gauge\nurbis_up 1");
        let _ = writeln!(
            out,
            "# HELP urbis_uptime_seconds Seconds since start.\n# TYPE urbis_uptime_seconds gauge\nurbis_uptime_seconds {uptime:.3}"
        );
        let _ = writeln!(
            out,
            "# HELP urbis_info Build and database.\n# TYPE urbis_info gauge\nurbis_info{{version=\"{}\",database=\"{backend}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        let map = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(
            out,
            "# HELP urbis_http_requests_total Requests served.\n# TYPE urbis_http_requests_total counter"
        );
        for (m, r, st, s) in Self::each(&map) {
            let _ =
                writeln!(out, "urbis_http_requests_total{{method=\"{m}\",route=\"{r}\",status=\"{st}\"}} {}", s.count);
        }
        let _ = writeln!(
            out,
            "# HELP urbis_http_request_duration_seconds Time to respond.\n# TYPE urbis_http_request_duration_seconds histogram"
        );
        for (m, r, st, s) in Self::each(&map) {
            let labels = format!("method=\"{m}\",route=\"{r}\",status=\"{st}\"");
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ =
                    writeln!(out, "urbis_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}", s.buckets[i]);
            }
            let _ = writeln!(out, "urbis_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "urbis_http_request_duration_seconds_sum{{{labels}}} {:.6}", s.sum);
            let _ = writeln!(out, "urbis_http_request_duration_seconds_count{{{labels}}} {}", s.count);
        }
        out
    }
}

/// Middleware: time every request and record it under its route pattern (never the raw path, so
/// the number of series stays bounded).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let res = next.run(req).await;
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    state.metrics.observe(method.as_str(), route, res.status().as_u16(), start.elapsed().as_secs_f64());
    res
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let body = state.metrics.render(state.started.elapsed().as_secs_f64(), state.store.backend().as_str());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}
