//! The `opendata` capability: open-standard serialisations of Urbis records. Pure functions from
//! plain data to text or serialisable structures; the web layer serves them.

pub mod cpsv;
pub mod sdm;
