//! Pages of the `services` capability: a service's timeline (phases, milestones, research log,
//! indicators with charts and tables), the forms that build it, and the cohort's services and
//! results. Every form works without JavaScript and keeps what was typed when it is refused.
//!
//! - [`form`]: the one form page every service form is made of, and its field machinery;
//! - [`service`]: adding and changing a service (one table of its fields), a city's service link;
//! - [`timeline`]: a service's page;
//! - [`plan`]: phases with their exit assessment, milestones, the research log;
//! - [`indicators`]: indicators, measurements, CSV import, and an indicator's chart and table;
//! - [`cohort`]: the programme's services and results.

mod form;

pub mod cohort;
pub mod indicators;
pub mod plan;
pub mod service;
pub mod timeline;
