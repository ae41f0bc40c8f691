//! Knowing when what was read is still current: the database's commit generation
//! ([`urbis_store::Store::generation`]), read at most once per database round trip however many
//! requests ask for it at once.
//!
//! A value read from the database after the generation was `g` stays current while the generation
//! is still `g`: any commit, through this instance, another instance on the same database or the
//! CLI, changes it. A cache keeps each value with the generation it was read at and serves it only
//! while [`Generation::current`] still answers the same; so a write through one instance is seen by
//! the next read through any other, with no message between them to be lost.

use crate::Result;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use urbis_store::Store;

/// The commit generation, read on demand and shared between concurrent requests.
pub struct Generation {
    store: Store,
    /// How many reads have been started.
    started: AtomicU64,
    /// The last read to finish: its number and the generation it read. Held while a read runs, so
    /// requests arriving meanwhile queue (in order) for the next one.
    last: tokio::sync::Mutex<(u64, Arc<str>)>,
}

impl Generation {
    pub fn new(store: Store) -> Generation {
        Generation { store, started: AtomicU64::new(0), last: tokio::sync::Mutex::new((0, Arc::from(""))) }
    }

    /// The generation as of a read that began after this call did: never one read before the
    /// request arrived (which could miss a write the caller has just seen acknowledged), yet one
    /// database read serves every request that arrived while the previous read was running.
    pub async fn current(&self) -> Result<Arc<str>> {
        let arrived = self.started.load(Ordering::SeqCst);
        let mut last = self.last.lock().await;
        if last.0 > arrived {
            // That read was numbered after `arrived`, so it began after this request arrived.
            return Ok(last.1.clone());
        }
        let number = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        let value: Arc<str> = self.store.generation().await?.into();
        *last = (number, value.clone());
        Ok(value)
    }
}
