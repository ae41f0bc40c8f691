//! Urbis application layer: the operations of each capability, shared by pages and API.
//!
//! Every operation takes the [`Caller`], authorises once through the one policy
//! ([`urbis_domain::policy::can`], via [`authorise`]), parses its input with the domain's
//! constructors, calls the store (which writes, audits and checks versions in one transaction) and
//! returns a typed result or the one [`AppError`]. Nothing here knows about HTTP: the web layer
//! turns results into pages and JSON, and errors into problem details or error summaries.

pub mod auth;
pub mod cache;
pub mod convenings;
pub mod csv;
pub mod diagnostic;
pub mod error;
pub mod grants;
pub mod i18n;
pub mod network;
pub mod people;
pub mod services;

pub use error::{AppError, Result};

use urbis_domain::policy::{Action, Actor, Resource, can};
use urbis_store::Store;
use urbis_store::network::Person;
use uuid::Uuid;

/// What every operation can reach: the store, the installation's secret, settings and the
/// in-memory caches (each invalidated across instances, see [`diagnostic::ResultsCache`]).
pub struct App {
    pub store: Store,
    /// The installation's secret (signing cookies, keyed hashes).
    pub secret: Vec<u8>,
    /// The public base URL used in links sent by e-mail, e.g. `https://urbis.example.org`.
    pub base_url: String,
    /// Waves' diagnostic results, kept between requests while unchanged.
    pub results: diagnostic::ResultsCache,
    /// Instruments (immutable once published), read once.
    pub instruments: diagnostic::InstrumentCache,
    /// The database's commit generation, which tells every other cache whether it is current.
    pub generation: cache::Generation,
}

impl App {
    pub async fn new(store: Store, base_url: String) -> Result<App> {
        let secret = store.secret().await?;
        Ok(App {
            generation: cache::Generation::new(store.clone()),
            store,
            secret,
            base_url,
            results: diagnostic::ResultsCache::default(),
            instruments: diagnostic::InstrumentCache::default(),
        })
    }

    /// A link to `path` on this installation, for e-mails.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.trim_end_matches('/'))
    }
}

/// Who is making the request, with their account when signed in.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub actor: Actor,
    pub person: Option<Person>,
}

impl Caller {
    /// The policy's answer, for deciding what to show (links, buttons, optional sections). An
    /// operation uses [`authorise`] instead.
    pub fn can(&self, action: Action, resource: &Resource) -> bool {
        can(&self.actor, action, resource)
    }

    /// The signed-in person's id, or `Unauthenticated`.
    pub fn person_id(&self) -> Result<Uuid> {
        self.actor.person.ok_or(AppError::Unauthenticated)
    }
}

/// The policy's yes, or why not: `Unauthenticated` for an anonymous caller, `Denied` otherwise.
pub fn authorise(caller: &Caller, action: Action, resource: &Resource) -> Result<()> {
    if caller.can(action, resource) {
        Ok(())
    } else if caller.actor.is_authenticated() {
        Err(AppError::Denied)
    } else {
        Err(AppError::Unauthenticated)
    }
}

/// A record loaded for an action (by a capability's `load_for`): the policy's view of it, and the
/// action the caller was authorised for when it was loaded. An operation given such a record asks
/// the policy only when it needs another action, so each request is authorised once.
pub trait Loaded {
    fn resource(&self) -> &Resource;
    /// The action the record was loaded (and authorised) for.
    fn granted(&self) -> Action;
    /// May the caller do `action` on it? Settled when it was loaded for `action`; otherwise the
    /// policy is asked now.
    fn check(&self, caller: &Caller, action: Action) -> Result<()> {
        if self.granted() == action { Ok(()) } else { authorise(caller, action, self.resource()) }
    }
}

/// Implement [`Loaded`] for a capability's loaded record: a struct with `resource: Resource` and
/// `granted: Action` fields.
#[macro_export]
#[doc(hidden)]
macro_rules! loaded {
    ($t:ty) => {
        impl $crate::Loaded for $t {
            fn resource(&self) -> &urbis_domain::policy::Resource {
                &self.resource
            }
            fn granted(&self) -> urbis_domain::policy::Action {
                self.granted
            }
        }
    };
}

/// Any record loaded for an action, with the policy's view of it.
#[derive(Debug, Clone)]
pub struct Allowed<T> {
    pub item: T,
    pub resource: Resource,
    granted: Action,
}

impl<T> Allowed<T> {
    /// Authorise `action` on `item` as the policy sees it (`resource`).
    pub fn new(caller: &Caller, action: Action, item: T, resource: Resource) -> Result<Allowed<T>> {
        authorise(caller, action, &resource)?;
        Ok(Allowed { item, resource, granted: action })
    }
}

impl<T> std::ops::Deref for Allowed<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.item
    }
}

impl<T> Loaded for Allowed<T> {
    fn resource(&self) -> &Resource {
        &self.resource
    }
    fn granted(&self) -> Action {
        self.granted
    }
}

/// Parse a record id from a URL; anything that is not a UUID is "no such `what`".
pub fn parse_id(what: &'static str, id: &str) -> Result<Uuid> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound(what))
}
