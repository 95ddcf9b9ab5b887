//! The one interface the app and the CLI use for every provider.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use crate::capabilities::Capabilities;
use crate::error::Error;
use crate::model::{
    Action, CreateOutcome, CreatedKey, Key, KeyDraft, KeyStatus, ProgressFn, ProviderKind,
};

/// A connected key-management API. Every call validates its input before any request and
/// reports failures as [`Error`]s whose kind the UI branches on.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Which API this is.
    fn kind(&self) -> ProviderKind;

    /// What this provider can do and what its create form asks for (the same as
    /// [`ProviderKind::capabilities`] of its kind).
    fn capabilities(&self) -> Capabilities;

    /// The complete inventory, every page fetched. `progress` hears about each page.
    async fn list_keys(&self, progress: Option<ProgressFn<'_>>) -> Result<Vec<Key>, Error>;

    /// Creates a key. When the provider may have acted although its answer did not arrive
    /// (lost, a timeout, a gateway error: 5xx or 408), the keys are listed again and the key
    /// created without its secret is reported as an orphan; when none was made, the original
    /// error stands.
    async fn create_key(&self, draft: &KeyDraft) -> Result<CreateOutcome, Error>;

    /// [`Self::create_key`] that a caller may repeat: a provider whose creates carry an
    /// idempotency key sends `idempotency_key`, so a repeat answers the key the first call
    /// made instead of making another; the others create as `create_key` does.
    async fn create_key_idempotent(
        &self,
        draft: &KeyDraft,
        idempotency_key: &str,
    ) -> Result<CreateOutcome, Error> {
        let _ = idempotency_key;
        self.create_key(draft).await
    }

    /// How long until the provider takes another create from this client, when it limits
    /// creates (SyncgramPay: one a minute per user) and this client created a key, or was
    /// refused one, too recently; `None` when a create may go now. A caller that must revoke
    /// before it creates asks first, so a limit never leaves an organisation without its key.
    fn create_wait(&self) -> Option<std::time::Duration> {
        None
    }

    /// Replaces a key with a new one; the old one keeps working for `grace_minutes`
    /// (the provider's default when `None`). When the rotation happened but its answer did
    /// not arrive, the error names the replacement, whose secret never arrived.
    async fn rotate_key(&self, id: &str, grace_minutes: Option<u32>) -> Result<CreatedKey, Error> {
        let _ = (id, grace_minutes);
        Err(unsupported(self.kind(), Action::Rotate))
    }

    /// Revokes a key for good. Returns the key as it now is when the provider says.
    async fn revoke_key(&self, id: &str) -> Result<Option<Key>, Error> {
        let _ = id;
        Err(unsupported(self.kind(), Action::Revoke))
    }

    /// Removes a key's record.
    async fn delete_key(&self, id: &str) -> Result<(), Error> {
        let _ = id;
        Err(unsupported(self.kind(), Action::Delete))
    }

    /// Switches a key on or off without losing it.
    async fn set_key_enabled(&self, id: &str, enabled: bool) -> Result<Key, Error> {
        let _ = id;
        let action = if enabled {
            Action::Enable
        } else {
            Action::Disable
        };
        Err(unsupported(self.kind(), action))
    }
}

/// The error for an action `provider` does not offer.
pub(crate) fn unsupported(provider: ProviderKind, action: Action) -> Error {
    Error::unsupported(format!(
        "{} cannot {} keys.",
        provider.display_name(),
        action.as_str()
    ))
}

/// An id as one URL path segment: everything but unreserved characters percent-encoded, so
/// an id can never change the path it is put in.
pub(crate) fn segment(id: &str) -> String {
    let mut encoded = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Rejects an empty id before it turns `/keys/{id}` into `/keys/`.
pub(crate) fn require_id(id: &str) -> Result<&str, Error> {
    let id = id.trim();
    if id.is_empty() {
        return Err(Error::validation("id", "The key id is empty."));
    }
    Ok(id)
}

/// Picks, from a fresh list, the key a create of `name` sent at `started` must have made when
/// its answer never arrived: an active key with that name created since shortly before the
/// request (clocks differ), the newest if several, never the key `except` (the one being
/// rotated). The app uses the same rule for a create a quit cut off.
pub fn find_orphan<'a>(
    keys: &'a [Key],
    name: &str,
    started: DateTime<Utc>,
    except: Option<&str>,
) -> Option<&'a Key> {
    let since = started - Duration::minutes(2);
    keys.iter()
        .filter(|key| key.name == name && key.status == KeyStatus::Active)
        .filter(|key| Some(key.id.as_str()) != except)
        .filter(|key| key.created_at.is_none_or(|at| at >= since))
        .max_by_key(|key| key.created_at)
}

/// What a create whose answer was lost (or was a gateway error or timeout) turns into: an
/// orphan report when the provider now lists the key, the original error when it does not
/// (nothing was created), and an orphan of unknown identity when even the new list fails.
pub(crate) async fn orphan_after_loss(
    provider: &(dyn Provider + '_),
    name: &str,
    started: DateTime<Utc>,
    lost: Error,
) -> Result<CreateOutcome, Error> {
    match provider.list_keys(None).await {
        Ok(keys) => match find_orphan(&keys, name, started, None) {
            Some(key) => Ok(CreateOutcome::Orphaned {
                key: Some(key.clone()),
            }),
            None => Err(lost),
        },
        Err(_) => Ok(CreateOutcome::Orphaned { key: None }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, name: &str, created_at: &str, status: KeyStatus) -> Key {
        Key {
            created_at: Some(created_at.parse().unwrap()),
            ..Key::bare(id.into(), name.into(), String::new(), status)
        }
    }

    #[test]
    fn segments_cannot_escape_the_path() {
        assert_eq!(segment("01HQX"), "01HQX");
        assert_eq!(segment("../admin?x=1"), "..%2Fadmin%3Fx%3D1");
        assert_eq!(segment("a b"), "a%20b");
    }

    #[test]
    fn the_orphan_is_the_newest_matching_active_key() {
        let started: DateTime<Utc> = "2026-01-01T12:00:00Z".parse().unwrap();
        let keys = vec![
            key("old", "ci", "2025-12-01T00:00:00Z", KeyStatus::Active),
            key("revoked", "ci", "2026-01-01T12:00:01Z", KeyStatus::Revoked),
            key("other", "web", "2026-01-01T12:00:01Z", KeyStatus::Active),
            key("old2", "ci", "2026-01-01T12:00:00Z", KeyStatus::Active),
            key("new", "ci", "2026-01-01T12:00:01Z", KeyStatus::Active),
        ];
        assert_eq!(find_orphan(&keys, "ci", started, None).unwrap().id, "new");
        assert_eq!(
            find_orphan(&keys, "ci", started, Some("new")).unwrap().id,
            "old2"
        );
        assert!(find_orphan(&keys, "nobody", started, None).is_none());
    }
}
