//! The `diagnostic` capability's repository: instruments (immutable published versions), waves,
//! assessments with answers per respondent, overrides, expert validation, submission, frozen wave
//! results, improvement plans, and pulse surveys.

mod answers;
mod assessments;
mod instruments;
mod plan;
pub mod pulse;
mod results;
mod validation;
mod waves;

pub(crate) use answers::answer_fields;
pub use answers::{NewAnswer, Override, StoredAnswer, by_respondent};
pub use assessments::{Assessment, AssessmentStatus};
pub use instruments::{
    INSTRUMENT_FILES, INSTRUMENT_TRANSLATIONS, InstrumentSummary, StoredInstrument, parse_instrument,
    parse_instrument_with,
};
pub use plan::PlanItem;
pub use results::{Figure, ResultChanges, Results, WaveResult};
pub use urbis_domain::diagnostic::RecommendedAction;
pub use validation::Validation;
pub use waves::Wave;

#[cfg(test)]
pub(crate) use instruments::digest;
