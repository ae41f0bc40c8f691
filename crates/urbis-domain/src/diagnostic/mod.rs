//! The `diagnostic` capability: instruments (questionnaire + scoring model, versioned data),
//! scoring of answers, consolidation of several respondents, benchmarks against peers.
//!
//! Every formula here is documented with worked examples in `docs/diagnostic.md`, and tested with
//! the vectors in `data/test-vectors/diagnostic.toml`, which the documentation quotes.

pub mod benchmark;
pub mod instrument;
pub mod plan;
pub mod pulse;
pub mod sample;
pub mod scoring;
#[cfg(test)]
mod tests;
pub mod translation;

pub use benchmark::{Distribution, PeerGroup, Ranks, percentile_rank};
pub use instrument::{
    Capability, ContextQuestion, Instrument, InstrumentKind, Question, QuestionKind, RecommendedAction,
};
pub use plan::{Confidence, PlanItemInput, PlanStatus, WaveInput};
pub use scoring::{
    Answer, CapabilityResult, Choice, Scores, Spread, check_context, consolidate, gated_level, lower_median, normalise,
    question_spread, required_questions, score, score_respondents, spread,
};
pub use translation::{SOURCE_LANGUAGE, Translation, action_ids, apply_translation, check_translation, localise};
