//! A refused request, before it is put into any API's error shape: a leaf that imports
//! nothing of the crate, so storage and handlers can both use it.

use axum::http::StatusCode;

/// A refused request, independent of the API's error shape (see [`Failure::render`]).
#[derive(Debug)]
pub(crate) struct Failure {
    pub status: StatusCode,
    /// Machine code, snake_case (`validation_error`, `not_found`, …).
    pub code: &'static str,
    /// Human message; never contains a secret.
    pub message: String,
    /// The request field a validation failure is about.
    pub field: Option<&'static str>,
    /// Seconds to send in `Retry-After`.
    pub retry_after_secs: Option<u64>,
}

impl Failure {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    pub(crate) fn validation(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field),
            ..Self::new(StatusCode::BAD_REQUEST, "validation_error", message)
        }
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "authentication_failed", message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub(crate) fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "internal error",
        )
    }
}

impl From<rusqlite::Error> for Failure {
    fn from(error: rusqlite::Error) -> Self {
        // rusqlite errors name the statement's problem, never bound values, so they are safe to log.
        tracing::error!(%error, "database error");
        Self::internal()
    }
}
