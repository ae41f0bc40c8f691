//! An application's answers (one per section of the call's form) and budget (lines by cost
//! category, totals computed, at most the call's maximum award).

use super::call::Section;
use super::money::{Currency, Money};
use crate::error::{FieldError, Invalid};
use serde::{Deserialize, Serialize};

/// Words in an answer: runs of non-whitespace.
pub fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Check one section's answer: within the word limit (an empty answer is allowed while drafting;
/// required sections are checked on submission).
pub fn check_answer(section: &Section, text: &str) -> Result<String, FieldError> {
    let n = word_count(text);
    if n > section.word_limit as usize {
        return Err(FieldError::new(
            section.key.clone(),
            "too-many-words",
            format!("has {n} words; the limit is {}", section.word_limit),
        ));
    }
    if text.chars().count() > 60_000 {
        return Err(FieldError::new(section.key.clone(), "too-long", "is too long"));
    }
    Ok(text.trim().to_string())
}

/// The required sections left unanswered, by key, in the form's order.
pub fn missing_sections<'a>(sections: &'a [Section], answered: &[String]) -> Vec<&'a str> {
    sections.iter().filter(|s| s.required && !answered.iter().any(|a| a == &s.key)).map(|s| s.key.as_str()).collect()
}

/// A budget line as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawBudgetLine {
    pub category: String,
    pub description: String,
    /// `12,500.50` (forms, in the call's currency) — the API sends minor units.
    pub amount: String,
}

/// A checked budget line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    pub category: String,
    pub description: String,
    pub amount: Money,
}

/// A checked budget: its lines and their total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub lines: Vec<BudgetLine>,
    pub total: Money,
}

/// The most lines a budget has.
pub const MAX_LINES: usize = 50;

/// Check budget lines against the call's cost categories and maximum award: each line's category
/// is one of the call's, its amount in the call's currency and not negative; the total at most
/// the maximum award (refused naming the field `budget`).
pub fn check_budget(
    lines: &[(String, String, Result<Money, FieldError>)],
    categories: &[String],
    max_award: Money,
) -> Result<Budget, Invalid> {
    let mut e = Invalid::default();
    let currency: Currency = max_award.currency;
    let mut out = vec![];
    if lines.len() > MAX_LINES {
        e.0.push(FieldError::new("budget", "too-many-lines", format!("at most {MAX_LINES} lines")));
    }
    for (i, (category, description, amount)) in lines.iter().enumerate() {
        let f = |n: &str| format!("budget[{i}].{n}");
        if !categories.iter().any(|c| c == category.trim()) {
            e.0.push(FieldError::new(
                f("category"),
                "unknown-category",
                format!("must be one of: {}", categories.join(", ")),
            ));
        }
        if description.chars().count() > 500 {
            e.0.push(FieldError::new(f("description"), "too-long", "must be at most 500 characters"));
        }
        match amount {
            Err(err) => e.0.push(FieldError { field: f("amount"), ..err.clone() }),
            Ok(m) if m.currency != currency => e.0.push(FieldError::new(
                f("amount"),
                "currency-mismatch",
                format!("must be in {currency}, the call's currency"),
            )),
            Ok(m) => out.push(BudgetLine {
                category: category.trim().into(),
                description: description.trim().into(),
                amount: *m,
            }),
        }
    }
    e.into_result()?;
    let total = Money::sum(currency, out.iter().map(|l| l.amount))
        .ok_or_else(|| Invalid::one("budget", "amount-too-large", "the total is too large"))?;
    if total.minor > max_award.minor {
        return Err(Invalid::one(
            "budget",
            "above-max-award",
            format!("the total {total} is above the call's maximum award of {max_award}"),
        ));
    }
    Ok(Budget { lines: out, total })
}
