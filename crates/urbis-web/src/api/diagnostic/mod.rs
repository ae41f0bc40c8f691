//! API handlers of the `diagnostic` capability, one module per sub-capability.

pub mod answers;
pub mod assessments;
pub mod benchmark;
pub mod instruments;
pub mod plan;
pub mod pulse;
pub mod review;
pub mod survey;
pub mod waves;

pub use crate::download::csv;
pub use answers::{AnswerIn, AnswerOut};
pub use benchmark::DistributionOut;
use urbis_app::csv::field as csv_field;

/// A figure for a CSV cell: two decimals, empty when there is none.
fn num(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_default()
}
