//! Validation errors that name the field and the reason.

use std::fmt;

/// One problem with one input field. `code` is a stable machine-readable reason
/// (it is also the Fluent message id suffix `error-<code>`); `message` is the English text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code, message: message.into() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A set of field errors: what was wrong with one submitted form or JSON body.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Invalid(vec![FieldError::new(field, code, message)])
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Collect the error of `r` (renamed to `field`) and give back its value, if any.
    pub fn take<T>(&mut self, field: &str, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(mut e) => {
                e.field = field.to_string();
                self.0.push(e);
                None
            }
        }
    }
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| e.to_string()).collect();
        write!(f, "{}", parts.join("; "))
    }
}

impl std::error::Error for Invalid {}
