//! The one error of this crate: a kind from keydesk-core's list and one sentence.

use keydesk_core::ErrorKind;

/// A failure reading or writing what Keydesk keeps on this machine. The message is one
/// sentence safe to show: never a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// `keychain_unavailable` for keyring failures, `internal` for the rest.
    pub kind: ErrorKind,
    /// What happened and, where we know it, what to do.
    pub message: String,
}

impl Error {
    /// The OS keyring cannot be used; `message` says how to fix it.
    pub fn keychain_unavailable(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::KeychainUnavailable,
            message: message.into(),
        }
    }

    /// A file or state problem on our side.
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Internal,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The result of this crate's fallible calls.
pub type Result<T> = std::result::Result<T, Error>;
