//! The `grants` capability: calls for applications, applications with their budgets, the review
//! arithmetic (EU Funding & Tenders model) and the rules of awards. See docs/grants.md.

pub mod application;
pub mod call;
pub mod money;
pub mod review;
#[cfg(test)]
mod tests;

pub use application::{Budget, BudgetLine, RawBudgetLine, check_budget, missing_sections, word_count};
pub use call::{
    CallInput, CallState, Eligibility, RawCall, RawCriterion, Section, local_display, local_text, parse_local,
};
pub use money::{Currency, Money, MoneyJson};
pub use review::{
    Criterion, Evaluation, Half, MIN_REVIEWS, Mark, Marks, Ratio, Rubric, Standing, check_marks, evaluate, points_text,
    rank_order, weighted_text,
};

use crate::error::FieldError;

/// Check an award: its amount positive and in the call's currency, at most the amount requested,
/// at most the call's maximum award, at most what remains of the call's budget
/// (`total_budget − already awarded`); the application must have its consensus and pass.
pub fn check_award(
    amount: Money,
    requested: Money,
    max_award: Money,
    total_budget: Money,
    awarded: Money,
    evaluation: &Evaluation,
) -> Result<(), FieldError> {
    if evaluation.standing != Standing::Final {
        return Err(FieldError::new("application", "no-consensus", "record the consensus before deciding"));
    }
    if !evaluation.passes() {
        return Err(FieldError::new("application", "below-threshold", "the application does not pass the thresholds"));
    }
    if amount.currency != total_budget.currency {
        return Err(FieldError::new("amount", "currency-mismatch", format!("must be in {}", total_budget.currency)));
    }
    if amount.minor <= 0 {
        return Err(FieldError::new("amount", "zero-amount", "must be more than zero"));
    }
    if amount.minor > requested.minor {
        return Err(FieldError::new("amount", "above-requested", format!("must be at most the {requested} requested")));
    }
    if amount.minor > max_award.minor {
        return Err(FieldError::new(
            "amount",
            "above-max-award",
            format!("must be at most the maximum award of {max_award}"),
        ));
    }
    let remaining = total_budget.checked_sub(awarded).unwrap_or(Money::zero(total_budget.currency));
    if amount.minor > remaining.minor {
        return Err(FieldError::new(
            "amount",
            "budget-exhausted",
            format!("only {remaining} of the call's budget of {total_budget} remains"),
        ));
    }
    Ok(())
}
