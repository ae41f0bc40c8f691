use urbis_domain::Invalid;

/// Errors of the persistence layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The row changed since the caller read it (optimistic concurrency): nothing was written.
    #[error("the record was changed by someone else (expected version {expected}, now {actual})")]
    Conflict { expected: i64, actual: i64 },
    /// A uniqueness rule or a state rule refused the write; the message says which.
    #[error("{message}")]
    Refused { field: &'static str, code: &'static str, message: String },
    /// Required questions nobody has answered yet (submission refused).
    #[error("required questions are unanswered: {}", .0.join(", "))]
    Incomplete(Vec<String>),
    #[error("invalid input: {0}")]
    Invalid(#[from] Invalid),
    #[error("stored data is not as expected: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(String),
    #[error("archive error: {0}")]
    Archive(String),
    /// The outbox key is missing, unreadable, or not the one a message was sealed with.
    #[error("outbox key: {0}")]
    OutboxKey(String),
}

impl StoreError {
    pub(crate) fn refused(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Refused { field, code, message: message.into() }
    }
}
