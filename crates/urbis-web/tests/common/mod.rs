//! Test support: spawn the real application on a free port with a fresh database.
#![allow(dead_code)]

use reqwest::{Client, Method, Response};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::OnceLock;
use urbis_domain::policy::{Grant, Role};
use urbis_store::network::NewPerson;
use urbis_store::testing::TestDb;
use urbis_store::{Backend, Store};

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Store,
    pub db: TestDb,
}

/// Having a `Drop` makes test closures capture the whole app, keeping its database alive.
impl Drop for TestApp {
    fn drop(&mut self) {}
}

static HASH: OnceLock<String> = OnceLock::new();

async fn password_hash() -> String {
    if let Some(h) = HASH.get() {
        return h.clone();
    }
    let h = urbis_web::auth::hash_password(PASSWORD.into()).await.unwrap();
    HASH.get_or_init(|| h).clone()
}

/// Serve the app on `store` on a free local port, behind the real server loop; its address.
async fn serve(store: Store, trusted_proxies: &[&str], limits: urbis_web::server::Limits) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = urbis_web::Config {
        behind_tls: false,
        base_url: format!("http://{addr}"),
        trusted_proxies: trusted_proxies.iter().map(|p| p.parse().unwrap()).collect(),
    };
    let state = urbis_web::AppState::new(store, config).await.unwrap();
    let app = urbis_web::app(state);
    tokio::spawn(async move {
        urbis_web::server::serve(listener, app, limits, std::future::pending()).await.unwrap();
    });
    addr
}

impl TestApp {
    /// Start the app on `backend`; `None` only for PostgreSQL without a configured server.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        TestApp::spawn_with(backend, urbis_web::server::Limits::default()).await
    }

    /// Start the app on `backend` behind the server loop with `limits` (timeouts, connection limit).
    pub async fn spawn_with(backend: Backend, limits: urbis_web::server::Limits) -> Option<TestApp> {
        let db = TestDb::new(backend, true).await?;
        let store = db.store.clone();
        let addr = serve(store.clone(), &["127.0.0.1"], limits).await;
        Some(TestApp { addr, store, db })
    }

    /// A second instance of the app on the same database (its own connection pool and in-memory
    /// state, as a second server behind a load balancer), trusting `trusted_proxies`; its base URL.
    pub async fn another_instance(&self, trusted_proxies: &[&str]) -> String {
        let store = Store::connect(&self.db.url).await.unwrap();
        let addr = serve(store, trusted_proxies, urbis_web::server::Limits::default()).await;
        format!("http://{addr}")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A client that keeps cookies and does not follow redirects.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    /// Create an account holding `role` (scoped to Riga for city roles, the reference programme for
    /// programme roles) and return its e-mail.
    pub async fn person(&self, email: &str, role: Option<Role>, city: &str) -> String {
        let prog = self.store.programme("digital-innovation-initiative").await.unwrap();
        let org = self.store.organisation(city).await.unwrap();
        let grants: Vec<Grant> =
            role.map(|r| vec![Grant { role: r, scope: r.scope_in(prog.id, org.id) }]).unwrap_or_default();
        self.store
            .create_person(
                None,
                NewPerson {
                    email: email.into(),
                    name: format!("Test {email}"),
                    job_title: String::new(),
                    password_hash: Some(password_hash().await),
                    listed: false,
                    locale: String::new(),
                },
                &grants,
            )
            .await
            .unwrap();
        email.into()
    }

    /// Ask the API for a token with `email` and `password` (the response, whatever it says).
    pub async fn request_token(&self, email: &str, password: &str) -> Response {
        self.client()
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// An API token for an account.
    pub async fn token(&self, email: &str) -> String {
        let r = self.request_token(email, PASSWORD).await;
        assert_eq!(r.status(), 200, "token for {email}");
        json_of(r).await["token"].as_str().unwrap().to_string()
    }

    /// Create an account holding `role` in `city` (see [`TestApp::person`]) and return its API token.
    pub async fn token_as(&self, email: &str, role: Role, city: &str) -> String {
        self.token(&self.person(email, Some(role), city).await).await
    }

    /// Create an account holding `role` in `city` (see [`TestApp::person`]) and sign it in.
    pub async fn signed_in_as(&self, email: &str, role: Role, city: &str) -> Client {
        self.signed_in(&self.person(email, Some(role), city).await).await
    }

    /// A browser signed in as `email` (through the real login form).
    pub async fn signed_in(&self, email: &str) -> Client {
        let b = self.browser();
        let csrf = self.csrf(&b, "/login").await;
        let r = self
            .post_form(&b, "/login", &csrf, &[("email", email), ("password", PASSWORD), ("next", "/account")])
            .await;
        assert_eq!(r.status(), 303, "login as {email}");
        b
    }
}

/// Requests to the JSON API, as the holder of an API token or anonymously.
impl TestApp {
    /// `method path` as `token`'s holder with a JSON `body`.
    pub async fn api_json(&self, token: &str, method: Method, path: &str, body: &Value) -> Response {
        self.client().request(method, self.url(path)).bearer_auth(token).json(body).send().await.unwrap()
    }

    /// `POST path` as `token`'s holder with a JSON `body`.
    pub async fn post_json(&self, token: &str, path: &str, body: &Value) -> Response {
        self.api_json(token, Method::POST, path, body).await
    }

    /// `PUT path` as `token`'s holder with a JSON `body`.
    pub async fn put_json(&self, token: &str, path: &str, body: &Value) -> Response {
        self.api_json(token, Method::PUT, path, body).await
    }

    /// `method path` as `token`'s holder with `If-Match: if_match` and a JSON `body`.
    pub async fn api_if_match(
        &self,
        token: &str,
        method: Method,
        path: &str,
        if_match: &str,
        body: &Value,
    ) -> Response {
        let req = self.client().request(method, self.url(path)).bearer_auth(token).header("If-Match", if_match);
        req.json(body).send().await.unwrap()
    }

    /// `PATCH path` as `token`'s holder with `If-Match: if_match` and a JSON `body`.
    pub async fn patch_if_match(&self, token: &str, path: &str, if_match: &str, body: &Value) -> Response {
        self.api_if_match(token, Method::PATCH, path, if_match, body).await
    }

    /// `PUT path` as `token`'s holder with `If-Match: if_match` and a JSON `body`.
    pub async fn put_if_match(&self, token: &str, path: &str, if_match: &str, body: &Value) -> Response {
        self.api_if_match(token, Method::PUT, path, if_match, body).await
    }

    /// Read `path`'s ETag as `token`'s holder, then PATCH it with that ETag as the same holder.
    pub async fn patch_with_etag(&self, token: &str, path: &str, body: &Value) -> Response {
        let etag = self.etag(Some(token), path).await;
        self.patch_if_match(token, path, &etag, body).await
    }

    /// The ETag of `GET path`, read as `token`'s holder or anonymously.
    pub async fn etag(&self, token: Option<&str>, path: &str) -> String {
        let req = self.client().get(self.url(path));
        let req = match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        req.send().await.unwrap().headers()["etag"].to_str().unwrap().to_string()
    }

    /// The JSON of `GET path`, anonymously.
    pub async fn get_json(&self, path: &str) -> Value {
        json_of(self.client().get(self.url(path)).send().await.unwrap()).await
    }

    /// The JSON of `GET path` as `token`'s holder.
    pub async fn get_json_as(&self, token: &str, path: &str) -> Value {
        json_of(self.client().get(self.url(path)).bearer_auth(token).send().await.unwrap()).await
    }

    /// The text of `GET path`, anonymously.
    pub async fn get_text(&self, path: &str) -> String {
        self.client().get(self.url(path)).send().await.unwrap().text().await.unwrap()
    }

    /// The text of `GET path` as `token`'s holder.
    pub async fn get_text_as(&self, token: &str, path: &str) -> String {
        self.client().get(self.url(path)).bearer_auth(token).send().await.unwrap().text().await.unwrap()
    }

    /// Create a record through the API: `POST path` as `token`'s holder must answer 201; returns the
    /// created record.
    pub async fn created(&self, token: &str, path: &str, body: &Value) -> Value {
        let r = self.post_json(token, path, body).await;
        assert_eq!(r.status(), 201, "POST {path} {body}");
        json_of(r).await
    }

    /// Start a draft city-digital-maturity assessment of `city` in `wave` through the API; returns its id.
    pub async fn start_assessment(&self, token: &str, city: &str, wave: &str) -> String {
        let body = json!({"instrument": "city-digital-maturity", "wave": wave});
        let a = self.created(token, &format!("/api/v1/cities/{city}/assessments"), &body).await;
        a["id"].as_str().unwrap().to_string()
    }
}

/// Pages and their forms, through a browser (see [`TestApp::browser`]).
impl TestApp {
    /// The text of the page at `path`.
    pub async fn page(&self, b: &Client, path: &str) -> String {
        b.get(self.url(path)).send().await.unwrap().text().await.unwrap()
    }

    /// The CSRF token of the forms on the page at `path`.
    pub async fn csrf(&self, b: &Client, path: &str) -> String {
        csrf_of(&self.page(b, path).await)
    }

    /// Post a form to `path` with the CSRF token `csrf` and `fields` (in that order).
    pub async fn post_form(&self, b: &Client, path: &str, csrf: &str, fields: &[(&str, &str)]) -> Response {
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf)];
        form.extend_from_slice(fields);
        b.post(self.url(path)).form(&form).send().await.unwrap()
    }

    /// Fill in the form on the page at `path` and send it: read the page's CSRF token, then post
    /// `fields` with it to the same path.
    pub async fn submit_form(&self, b: &Client, path: &str, fields: &[(&str, &str)]) -> Response {
        let csrf = self.csrf(b, path).await;
        self.post_form(b, path, &csrf, fields).await
    }
}

impl TestApp {
    /// Create a pulse survey as `token`'s holder (`campaign` is the creation body), send it to
    /// `recipients` (the API's list) and open it; returns the survey's id.
    pub async fn open_survey(&self, token: &str, campaign: Value, recipients: Value) -> String {
        let r = self.post_json(token, "/api/v1/pulse/campaigns", &campaign).await;
        assert_eq!(r.status(), 201, "survey created");
        let id = json_of(r).await["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/pulse/campaigns/{id}");
        let r = self.post_json(token, &format!("{path}/recipients"), &json!({ "recipients": recipients })).await;
        assert_eq!(r.status(), 201, "recipients added");
        let etag = json_of(r).await["campaign"]["version"].to_string();
        let r = self.patch_if_match(token, &path, &format!("\"{etag}\""), &json!({"status": "open"})).await;
        assert_eq!(r.status(), 200, "survey opened");
        id
    }

    /// Import a complete sample assessment of `city` in wave number `wave` (0 = t0), submitted by
    /// `by`, published or not.
    pub async fn import_assessment(&self, city: &str, wave: usize, by: &str, published: bool) {
        use urbis_domain::diagnostic::{normalise, sample};
        let person = self.store.person_by_email(by).await.unwrap().unwrap();
        let prog = self.store.programme("digital-innovation-initiative").await.unwrap();
        let w = &self.store.waves(prog.id).await.unwrap()[wave];
        let inst = self.store.instrument("city-digital-maturity", None).await.unwrap().instrument;
        let org = self.store.organisation(city).await.unwrap();
        let m = sample::maturity(&inst, city, wave);
        let answers: Vec<_> = sample::answers(&inst, &m, &mut sample::Rng::from_text(&format!("{city}{}", w.slug)))
            .into_iter()
            .map(|(q, a)| {
                let v = normalise(inst.question(&q).unwrap(), &a).unwrap();
                (q, a, v)
            })
            .collect();
        assert!(
            self.store
                .import_assessment(org.id, w.id, &inst.slug, inst.version, person.id, &answers, published, false)
                .await
                .unwrap()
        );
    }

    /// The city-digital-maturity assessment of `city` in the reference programme's wave `wave` (from
    /// the store).
    pub async fn wave_assessment(&self, wave: &str, city: &str) -> urbis_store::diagnostic::Assessment {
        let prog = self.store.programme("digital-innovation-initiative").await.unwrap();
        let wave = self.store.wave(prog.id, wave).await.unwrap();
        let all = self.store.wave_assessments(wave.id, "city-digital-maturity").await.unwrap();
        all.into_iter().find(|a| a.organisation_slug == city).unwrap_or_else(|| panic!("{city} in {}", wave.slug))
    }

    /// The secret token of the newest pulse survey link e-mailed to `email` (from the outbox).
    pub async fn survey_token(&self, email: &str) -> String {
        let mail = self.store.queued_mail(email).await.unwrap();
        let (_, _, body) = mail.last().unwrap_or_else(|| panic!("no mail for {email}"));
        let start = body.find("/surveys/").expect("a survey link") + "/surveys/".len();
        body[start..].chars().take_while(|c| c.is_ascii_hexdigit()).collect()
    }
}

/// A response's JSON body.
pub async fn json_of(r: Response) -> Value {
    r.json().await.unwrap()
}

/// The fields a problem+json document's errors name, in order.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

/// The CSRF token in a page's forms.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Run an async test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = common::TestApp::spawn(urbis_store::Backend::Sqlite).await.unwrap();
                ($body)(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = common::TestApp::spawn(urbis_store::Backend::Postgres).await {
                    ($body)(app).await;
                }
            }
        }
    };
}
