//! The one error the UI receives: `{kind, message, request_id, field, retry_after_secs}`.

use keydesk_core::ErrorKind;
use serde::Serialize;

/// What the UI branches on: every kind core reports, plus `cancelled`, which only the app
/// raises (the user pressed Cancel), so core's enum does not carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(untagged)]
pub enum AppErrorKind {
    /// A kind core (or the app on core's terms) reports.
    Core(ErrorKind),
    /// The user cancelled the operation; the UI goes back to where it was.
    Cancelled(CancelledKind),
}

/// The `cancelled` kind on its own, so it serializes as the plain string `"cancelled"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CancelledKind {
    /// The user pressed Cancel.
    Cancelled,
}

impl From<ErrorKind> for AppErrorKind {
    fn from(kind: ErrorKind) -> Self {
        Self::Core(kind)
    }
}

impl PartialEq<ErrorKind> for AppErrorKind {
    fn eq(&self, other: &ErrorKind) -> bool {
        *self == Self::Core(*other)
    }
}

/// What a command rejects with. `kind` is what the UI branches on; `message` is one
/// sentence safe to show (never a token, a secret or a created key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// Which kind of failure this is.
    pub kind: AppErrorKind,
    /// One sentence saying what happened and, where we know it, what to do.
    pub message: String,
    /// The provider's request id, for support tickets.
    pub request_id: Option<String>,
    /// The draft or connection field at fault (validation).
    pub field: Option<String>,
    /// Seconds to wait before trying again (rate_limited).
    pub retry_after_secs: Option<u32>,
}

impl AppError {
    /// An error of `kind` with a message and nothing else.
    pub fn new(kind: impl Into<AppErrorKind>, message: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            message: message.into(),
            request_id: None,
            field: None,
            retry_after_secs: None,
        }
    }

    /// A validation error blaming `field`.
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            ..Self::new(ErrorKind::Validation, message)
        }
    }

    /// Something that names an id we do not know.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// A bug or an environment problem on our side.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// The user cancelled the operation before it finished.
    pub fn cancelled(message: impl Into<String>) -> Self {
        Self::new(AppErrorKind::Cancelled(CancelledKind::Cancelled), message)
    }

    /// Whether the user cancelled the operation.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.kind, AppErrorKind::Cancelled(_))
    }

    /// The OS keyring cannot be used; `message` says how to fix it.
    pub fn keychain_unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::KeychainUnavailable, message)
    }
}

impl From<keydesk_core::Error> for AppError {
    fn from(error: keydesk_core::Error) -> Self {
        Self {
            kind: error.kind().into(),
            // The UI counts `retry_after_secs` down itself: one countdown, not a second,
            // frozen "Try again in 60 s." in the message.
            message: error.message_without_wait().to_owned(),
            request_id: error.request_id().map(str::to_owned),
            field: error.field().map(str::to_owned),
            retry_after_secs: error
                .retry_after()
                .map(|wait| u32::try_from(wait.as_secs()).unwrap_or(u32::MAX)),
        }
    }
}

impl From<keydesk_local::Error> for AppError {
    fn from(error: keydesk_local::Error) -> Self {
        Self::new(error.kind, error.message)
    }
}

/// The result every command returns.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;

    #[test]
    fn serializes_in_the_exact_ipc_shape() {
        let error = AppError::validation("base_url", "The base URL must use https.");
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({
                "kind": "validation",
                "message": "The base URL must use https.",
                "request_id": null,
                "field": "base_url",
                "retry_after_secs": null
            })
        );
    }

    #[test]
    fn a_cancelled_operation_has_its_own_kind() {
        let error = AppError::cancelled("Cancelled.");
        assert!(error.is_cancelled());
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({
                "kind": "cancelled",
                "message": "Cancelled.",
                "request_id": null,
                "field": null,
                "retry_after_secs": null
            })
        );
        assert!(!AppError::internal("x").is_cancelled());
        assert_eq!(AppError::internal("x").kind, ErrorKind::Internal);
    }

    #[test]
    fn core_errors_keep_request_id_and_wait() {
        let core = keydesk_core::Error::Api {
            kind: ErrorKind::RateLimited,
            status: Some(429),
            message: "Too many keys created; wait a minute.".into(),
            request_id: Some("req_42".into()),
            field: None,
            retry_after: Some(Duration::from_secs(60)),
        };
        assert_eq!(
            serde_json::to_value(AppError::from(core)).unwrap(),
            json!({
                "kind": "rate_limited",
                "message": "Too many keys created; wait a minute.",
                "request_id": "req_42",
                "field": null,
                "retry_after_secs": 60
            })
        );
    }
}
