//! Test support: spawn the real application on a free port with a fresh database.
#![allow(dead_code)]

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

impl TestApp {
    /// Start the app on `backend`; `None` only for PostgreSQL without a configured server.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        let db = TestDb::new(backend, true).await?;
        let store = db.store.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let config = urbis_web::Config { behind_tls: false, base_url: format!("http://{addr}") };
        let state = urbis_web::AppState::new(store.clone(), config).await.unwrap();
        let app = urbis_web::app(state);
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
        });
        Some(TestApp { addr, store, db })
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

    /// An API token for an account.
    pub async fn token(&self, email: &str) -> String {
        let r = self
            .client()
            .post(self.url("/api/v1/auth/token"))
            .json(&serde_json::json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "token for {email}");
        r.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_string()
    }

    /// A browser signed in as `email` (through the real login form).
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let b = self.browser();
        let csrf = csrf_of(&b.get(self.url("/login")).send().await.unwrap().text().await.unwrap());
        let r = b
            .post(self.url("/login"))
            .form(&[("csrf", csrf.as_str()), ("email", email), ("password", PASSWORD), ("next", "/account")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "login as {email}");
        b
    }
}

impl TestApp {
    /// Create a pulse survey as `token`'s holder (`campaign` is the creation body), send it to
    /// `recipients` (the API's list) and open it; returns the survey's id.
    pub async fn open_survey(&self, token: &str, campaign: serde_json::Value, recipients: serde_json::Value) -> String {
        let c = self.client();
        let r = c.post(self.url("/api/v1/pulse/campaigns")).bearer_auth(token).json(&campaign).send().await.unwrap();
        assert_eq!(r.status(), 201, "survey created");
        let id = r.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        let url = self.url(&format!("/api/v1/pulse/campaigns/{id}"));
        let r = c
            .post(format!("{url}/recipients"))
            .bearer_auth(token)
            .json(&serde_json::json!({ "recipients": recipients }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "recipients added");
        let etag = r.json::<serde_json::Value>().await.unwrap()["campaign"]["version"].to_string();
        let r = c
            .patch(&url)
            .bearer_auth(token)
            .header("If-Match", format!("\"{etag}\""))
            .json(&serde_json::json!({"status": "open"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "survey opened");
        id
    }

    /// The secret token of the newest pulse survey link e-mailed to `email` (from the outbox).
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

    pub async fn survey_token(&self, email: &str) -> String {
        let mail = self.store.queued_mail(email).await.unwrap();
        let (_, _, body) = mail.last().unwrap_or_else(|| panic!("no mail for {email}"));
        let start = body.find("/surveys/").expect("a survey link") + "/surveys/".len();
        body[start..].chars().take_while(|c| c.is_ascii_hexdigit()).collect()
    }
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
