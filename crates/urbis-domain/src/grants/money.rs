//! Money: integer minor units and an ISO 4217 currency, never floats. Amounts of different
//! currencies are never added or compared.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The ISO 4217 currencies Urbis accepts, with their minor-unit exponent (digits after the
/// decimal point): the currencies of the programme's countries and the main reserve currencies.
pub const CURRENCIES: &[(&str, u32)] = &[
    ("BGN", 2),
    ("CHF", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HUF", 2),
    ("ISK", 0),
    ("JPY", 0),
    ("NOK", 2),
    ("PLN", 2),
    ("RON", 2),
    ("SEK", 2),
    ("USD", 2),
];

/// An ISO 4217 currency code from [`CURRENCIES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(&'static str);

impl Currency {
    pub const EUR: Currency = Currency("EUR");

    pub fn parse(s: &str) -> Result<Currency, FieldError> {
        let s = s.trim();
        CURRENCIES.iter().find(|(c, _)| c.eq_ignore_ascii_case(s)).map(|(c, _)| Currency(c)).ok_or_else(|| {
            FieldError::new("currency", "unknown-currency", "must be an ISO 4217 currency code such as EUR")
        })
    }
    pub fn code(self) -> &'static str {
        self.0
    }
    /// Digits after the decimal point (2 for EUR, 0 for ISK).
    pub fn exponent(self) -> u32 {
        CURRENCIES.iter().find(|(c, _)| *c == self.0).map_or(2, |(_, e)| *e)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// An amount of money: minor units (cents) and a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

/// Money as the API writes and reads it: `{"amount_minor": 1250050, "currency": "EUR"}`. A float
/// `amount_minor` is refused by the JSON decoder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoneyJson {
    pub amount_minor: i64,
    pub currency: String,
}

/// The largest amount accepted, in minor units (a thousand billion in major units of EUR).
pub const MAX_MINOR: i64 = 100_000_000_000_000;

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }
    pub fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// Parse `12,500.50 EUR` (thousands separated by commas in groups of three, or not at all; at
    /// most the currency's minor digits after a point; the code after a space). `field` names the
    /// input in errors. Negative amounts only when `allow_negative`.
    pub fn parse(field: &str, s: &str, allow_negative: bool) -> Result<Money, FieldError> {
        let s = s.trim();
        let bad = |code: &'static str, message: &str| FieldError::new(field, code, message);
        let Some((amount, code)) = s.rsplit_once(' ') else {
            return Err(bad("invalid-money", "must be an amount and a currency, such as 12,500.50 EUR"));
        };
        let currency = Currency::parse(code).map_err(|e| FieldError { field: field.into(), ..e })?;
        Money::parse_amount(field, amount, currency, allow_negative)
    }

    /// Parse an amount such as `12,500.50` in `currency`.
    pub fn parse_amount(field: &str, s: &str, currency: Currency, allow_negative: bool) -> Result<Money, FieldError> {
        let bad = |code: &'static str, message: String| FieldError::new(field, code, message);
        let mut s = s.trim();
        let negative = s.starts_with('-');
        if negative {
            if !allow_negative {
                return Err(bad("negative-amount", "must not be negative".into()));
            }
            s = &s[1..];
        }
        let exp = currency.exponent();
        let format = || {
            bad(
                "invalid-amount",
                if exp == 0 {
                    "must be a whole amount such as 12,500".into()
                } else {
                    format!("must be an amount such as 12,500.50 with at most {exp} digits after the point")
                },
            )
        };
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (s, None),
        };
        // Thousands separators: none at all, or a comma before every group of three digits.
        let groups: Vec<&str> = whole.split(',').collect();
        let grouped_ok = groups.len() == 1
            || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
        if whole.is_empty() || !grouped_ok || !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
            return Err(format());
        }
        let digits: String = groups.concat();
        let frac = match frac {
            None => String::new(),
            Some(f) if !f.is_empty() && f.len() as u32 <= exp && f.bytes().all(|b| b.is_ascii_digit()) => f.into(),
            Some(_) => return Err(format()),
        };
        let too_large = || bad("amount-too-large", format!("must be at most {}", Money::new(MAX_MINOR, currency)));
        let whole: i64 = digits.parse().map_err(|_| too_large())?;
        let scale = 10_i64.pow(exp);
        let frac: i64 =
            if frac.is_empty() { 0 } else { format!("{frac:0<w$}", w = exp as usize).parse().map_err(|_| format())? };
        let minor = whole.checked_mul(scale).and_then(|m| m.checked_add(frac)).ok_or_else(too_large)?;
        if minor > MAX_MINOR {
            return Err(too_large());
        }
        Ok(Money::new(if negative { -minor } else { minor }, currency))
    }

    /// Money from the API's `{amount_minor, currency}`.
    pub fn from_json(field: &str, j: &MoneyJson, allow_negative: bool) -> Result<Money, FieldError> {
        let currency =
            Currency::parse(&j.currency).map_err(|e| FieldError { field: format!("{field}.currency"), ..e })?;
        if j.amount_minor < 0 && !allow_negative {
            return Err(FieldError::new(format!("{field}.amount_minor"), "negative-amount", "must not be negative"));
        }
        if j.amount_minor.unsigned_abs() > MAX_MINOR as u64 {
            return Err(FieldError::new(
                format!("{field}.amount_minor"),
                "amount-too-large",
                format!("must be at most {}", Money::new(MAX_MINOR, currency)),
            ));
        }
        Ok(Money::new(j.amount_minor, currency))
    }

    pub fn json(self) -> MoneyJson {
        MoneyJson { amount_minor: self.minor, currency: self.currency.code().into() }
    }

    /// The sum, or `None` when the currencies differ or it overflows.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_add(other.minor))
            .flatten()
            .map(|m| Money::new(m, self.currency))
    }

    /// The difference, or `None` when the currencies differ or it overflows.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_sub(other.minor))
            .flatten()
            .map(|m| Money::new(m, self.currency))
    }

    /// Compare two amounts of the same currency (`None` across currencies).
    pub fn cmp_same(self, other: Money) -> Option<std::cmp::Ordering> {
        (self.currency == other.currency).then(|| self.minor.cmp(&other.minor))
    }

    /// The sum of `items` in `currency`; `None` when one is in another currency or it overflows.
    pub fn sum(currency: Currency, items: impl IntoIterator<Item = Money>) -> Option<Money> {
        items.into_iter().try_fold(Money::zero(currency), Money::checked_add)
    }

    /// The amount without its currency: `12,500.50`.
    pub fn amount_text(self) -> String {
        let exp = self.currency.exponent();
        let scale = 10_u64.pow(exp);
        let abs = self.minor.unsigned_abs();
        let whole = (abs / scale).to_string();
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.minor < 0 { "-" } else { "" };
        if exp == 0 {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}.{:0w$}", abs % scale, w = exp as usize)
        }
    }
}

/// `12,500.50 EUR`, which [`Money::parse`] reads back.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_text(), self.currency)
    }
}
