//! The one error type of keydesk-core and the kinds the UI branches on.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What went wrong, as the UI needs to know it: the app branches on this, never on text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The credentials were rejected or have expired.
    Unauthorized,
    /// The credentials are valid but lack the permission for this action.
    Forbidden,
    /// The key (or organisation/project) does not exist or belongs to someone else.
    NotFound,
    /// The input breaks a rule; `field` names the draft or connection field.
    Validation,
    /// The action conflicts with the key's state (already revoked, one active key only…).
    Conflict,
    /// The provider asks us to slow down; `retry_after` says for how long when known.
    RateLimited,
    /// The provider could not be reached or the answer was lost.
    Network,
    /// The provider failed or answered something we cannot read.
    Server,
    /// The provider has no such action.
    Unsupported,
    /// The OS keyring could not be used (raised by the app, not by core).
    KeychainUnavailable,
    /// A bug on our side.
    Internal,
}

/// Every failure keydesk-core reports. Messages are one readable sentence and never contain
/// a token, an API secret or a created key.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The provider answered with an error status (or core refused before asking, e.g. an
    /// expired token). A rate limit's wait ends the text: "Try again in 60 s."
    #[error("{message}{}", try_again(*.retry_after))]
    Api {
        /// Which kind of failure this is.
        kind: ErrorKind,
        /// HTTP status, when the provider answered.
        status: Option<u16>,
        /// The provider's message, or ours when it gave none (without the wait).
        message: String,
        /// The request id the provider reported, for support tickets.
        request_id: Option<String>,
        /// The draft field the provider (or core) blamed.
        field: Option<String>,
        /// How long the provider asked us to wait (429).
        retry_after: Option<Duration>,
    },
    /// A draft or connection setting broke a documented rule; found before any request.
    #[error("{message}")]
    Validation {
        /// The draft or connection field at fault (`name`, `scopes`, `base_url`…).
        field: String,
        /// The rule, in words.
        message: String,
    },
    /// The provider could not be reached, or the connection broke before an answer came.
    #[error("{message}")]
    Network {
        /// What happened, without URLs' query strings or headers.
        message: String,
    },
    /// The provider does not offer this action.
    #[error("{message}")]
    Unsupported {
        /// Which action on which provider.
        message: String,
    },
    /// A bug or an answer we could not make sense of.
    #[error("{message}")]
    Internal {
        /// What happened.
        message: String,
    },
}

/// " Try again in 60 s." after a rate limit's message, when the provider said how long.
fn try_again(wait: Option<Duration>) -> String {
    wait.map_or_else(String::new, |wait| {
        format!(" Try again in {} s.", wait.as_secs().max(1))
    })
}

impl Error {
    /// The kind the UI branches on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api { kind, .. } => *kind,
            Error::Validation { .. } => ErrorKind::Validation,
            Error::Network { .. } => ErrorKind::Network,
            Error::Unsupported { .. } => ErrorKind::Unsupported,
            Error::Internal { .. } => ErrorKind::Internal,
        }
    }

    /// The provider's request id, when it sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The field at fault, for validation errors.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Api { field, .. } => field.as_deref(),
            Error::Validation { field, .. } => Some(field),
            _ => None,
        }
    }

    /// How long to wait before trying again, for rate limits.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The message without the "Try again in N s." a rate limit's text ends with: for a UI
    /// that counts [`Self::retry_after`] down beside it, so the wait is not shown twice.
    pub fn message_without_wait(&self) -> &str {
        match self {
            Error::Api { message, .. }
            | Error::Validation { message, .. }
            | Error::Network { message }
            | Error::Unsupported { message }
            | Error::Internal { message } => message,
        }
    }

    /// The HTTP status the provider answered with, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => *status,
            _ => None,
        }
    }

    /// The same error with `rewrite` applied to every text that can carry what a server sent
    /// (message, request id, field): how credential values are scrubbed out.
    pub(crate) fn map_text(self, rewrite: impl Fn(&str) -> String) -> Self {
        match self {
            Error::Api {
                kind,
                status,
                message,
                request_id,
                field,
                retry_after,
            } => Error::Api {
                kind,
                status,
                message: rewrite(&message),
                request_id: request_id.as_deref().map(&rewrite),
                field: field.as_deref().map(&rewrite),
                retry_after,
            },
            Error::Validation { field, message } => Error::Validation {
                field: rewrite(&field),
                message: rewrite(&message),
            },
            Error::Network { message } => Error::Network {
                message: rewrite(&message),
            },
            Error::Unsupported { message } => Error::Unsupported {
                message: rewrite(&message),
            },
            Error::Internal { message } => Error::Internal {
                message: rewrite(&message),
            },
        }
    }

    pub(crate) fn validation(field: &str, message: impl Into<String>) -> Self {
        Error::Validation {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Error::Api {
            kind: ErrorKind::Unauthorized,
            status: None,
            message: message.into(),
            request_id: None,
            field: None,
            retry_after: None,
        }
    }

    pub(crate) fn server(message: impl Into<String>, request_id: Option<String>) -> Self {
        Error::Api {
            kind: ErrorKind::Server,
            status: None,
            message: message.into(),
            request_id,
            field: None,
            retry_after: None,
        }
    }

    pub(crate) fn unsupported(message: impl Into<String>) -> Self {
        Error::Unsupported {
            message: message.into(),
        }
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Error::Internal {
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialize_as_the_ipc_strings() {
        let all = [
            (ErrorKind::Unauthorized, "unauthorized"),
            (ErrorKind::Forbidden, "forbidden"),
            (ErrorKind::NotFound, "not_found"),
            (ErrorKind::Validation, "validation"),
            (ErrorKind::Conflict, "conflict"),
            (ErrorKind::RateLimited, "rate_limited"),
            (ErrorKind::Network, "network"),
            (ErrorKind::Server, "server"),
            (ErrorKind::Unsupported, "unsupported"),
            (ErrorKind::KeychainUnavailable, "keychain_unavailable"),
            (ErrorKind::Internal, "internal"),
        ];
        for (kind, text) in all {
            assert_eq!(serde_json::to_value(kind).unwrap(), text);
        }
    }

    #[test]
    fn accessors_report_field_and_wait() {
        let error = Error::Api {
            kind: ErrorKind::RateLimited,
            status: Some(429),
            message: "Slow down.".into(),
            request_id: Some("req_1".into()),
            field: None,
            retry_after: Some(Duration::from_secs(42)),
        };
        assert_eq!(error.to_string(), "Slow down. Try again in 42 s.");
        assert_eq!(error.message_without_wait(), "Slow down.");
        assert_eq!(error.kind(), ErrorKind::RateLimited);
        assert_eq!(error.retry_after(), Some(Duration::from_secs(42)));
        assert_eq!(error.request_id(), Some("req_1"));
        let invalid = Error::validation("name", "The name is required.");
        assert_eq!(invalid.field(), Some("name"));
        assert_eq!(invalid.to_string(), "The name is required.");
    }
}
