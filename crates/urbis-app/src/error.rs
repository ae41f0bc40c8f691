//! The one error of the application layer. It says what went wrong in the terms of the operation,
//! never in HTTP: the web layer turns it into an RFC 9457 problem (API) or a page's error summary,
//! once each.

use urbis_domain::services::RowError;
use urbis_domain::{FieldError, Invalid};
use urbis_store::StoreError;

/// What an operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist (or the caller may not know it exists).
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The policy needs to know who is asking: sign in (pages) or send a token (API).
    #[error("sign in first")]
    Unauthenticated,
    /// The policy said no to a signed-in caller.
    #[error("your roles do not allow this")]
    Denied,
    /// Input that does not parse: every bad field with its code and message.
    #[error("invalid input: {0}")]
    Invalid(Invalid),
    /// A query parameter (filter, page) that does not parse; nothing else was looked at.
    #[error("invalid parameter: {0}")]
    BadParameter(Invalid),
    /// An uploaded file refused whole: every bad cell with its row.
    #[error("invalid file: {} problem(s)", .0.len())]
    InvalidFile(Vec<RowError>),
    /// The record changed since the caller read it (optimistic concurrency): nothing was written.
    #[error("the record changed: you sent version {sent}, it is now at version {current}")]
    Stale { sent: i64, current: i64 },
    /// A rule of the domain refused the change (the record's state, a uniqueness rule, missing
    /// answers); `rule` is its stable code, `errors` the fields it is about.
    #[error("refused ({rule}): {message}")]
    Refused { rule: &'static str, message: String, errors: Vec<FieldError> },
    /// The store failed; logged where it is turned into an answer, never shown.
    #[error("store failure: {0}")]
    Store(StoreError),
    /// Something else failed on our side (never the caller's fault); logged, never shown.
    #[error("internal failure: {0}")]
    Internal(String),
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    /// One bad field.
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid(Invalid::one(field, code, message))
    }

    /// One bad query parameter.
    pub fn bad_parameter(field: &str, code: &'static str, message: impl Into<String>) -> AppError {
        AppError::BadParameter(Invalid::one(field, code, message))
    }

    /// A rule's refusal about one field.
    pub fn refused(field: &str, code: &'static str, message: impl Into<String>) -> AppError {
        let message = message.into();
        AppError::Refused { rule: code, errors: vec![FieldError::new(field, code, message.clone())], message }
    }

    /// The field errors this error carries (empty for the kinds that name no field).
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            AppError::Invalid(i) | AppError::BadParameter(i) => &i.0,
            AppError::Refused { errors, .. } => errors,
            _ => &[],
        }
    }

    /// Not found, named: a store's `NotFound` becomes "no such `what`".
    pub fn or_not_found(what: &'static str) -> impl Fn(StoreError) -> AppError {
        move |e| match e {
            StoreError::NotFound => AppError::NotFound(what),
            other => other.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound("resource"),
            StoreError::Conflict { expected, actual } => AppError::Stale { sent: expected, current: actual },
            StoreError::Refused { field, code, message } => AppError::refused(field, code, message),
            StoreError::Invalid(i) => AppError::Invalid(i),
            StoreError::Incomplete(missing) => AppError::Refused {
                rule: "incomplete",
                message: format!("answer these questions before submitting: {}", missing.join(", ")),
                errors: missing
                    .into_iter()
                    .map(|q| FieldError::new(q, "required", "this question must be answered"))
                    .collect(),
            },
            other => AppError::Store(other),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(i: Invalid) -> AppError {
        AppError::Invalid(i)
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> AppError {
        AppError::Invalid(Invalid(vec![e]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_keep_their_meaning() {
        assert!(matches!(AppError::from(StoreError::NotFound), AppError::NotFound("resource")));
        assert!(matches!(
            AppError::from(StoreError::Conflict { expected: 3, actual: 4 }),
            AppError::Stale { sent: 3, current: 4 }
        ));
        let e = AppError::from(StoreError::Incomplete(vec!["gov-1".into(), "gov-2".into()]));
        let AppError::Refused { rule, errors, .. } = &e else { panic!("{e:?}") };
        assert_eq!(*rule, "incomplete");
        assert_eq!(errors.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["gov-1", "gov-2"]);
        assert_eq!(e.field_errors().len(), 2);
        let e = AppError::from(StoreError::Refused { field: "wave", code: "wave-closed", message: "closed".into() });
        assert!(matches!(&e, AppError::Refused { rule: "wave-closed", .. }));
        assert_eq!(e.field_errors()[0].field, "wave");
        assert!(matches!(AppError::from(StoreError::Corrupt("x".into())), AppError::Store(_)));
    }
}
