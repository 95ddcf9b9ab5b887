//! The overall deadline of every user operation: one provider call, with all its requests
//! (a fiskaly sign-in, pages fetched at once, retries, the orphan check after a lost create),
//! ends within [`HttpOptions::operation_deadline`](crate::HttpOptions) however the server
//! behaves. Each request also stops at that deadline on its own (`Http::send`), so this bound
//! only decides when a call of many requests runs long.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::capabilities::Capabilities;
use crate::error::Error;
use crate::http::in_words;
use crate::model::{CreateOutcome, CreatedKey, Key, KeyDraft, ProgressFn, ProviderKind};
use crate::provider::Provider;

/// A provider whose every call is cut off at a deadline.
pub(crate) struct WithDeadline {
    inner: Arc<dyn Provider>,
    deadline: Duration,
}

impl WithDeadline {
    /// `inner` with each call bounded by `deadline` (creates and rotations by twice that:
    /// their request, then the look for a key whose answer was lost).
    pub fn wrap(inner: Arc<dyn Provider>, deadline: Duration) -> Arc<dyn Provider> {
        Arc::new(WithDeadline { inner, deadline })
    }

    fn too_late(&self, waited: Duration) -> Error {
        Error::Network {
            message: format!(
                "{} did not answer within {}.",
                self.inner.kind().display_name(),
                in_words(waited)
            ),
        }
    }

    async fn bounded<T>(&self, call: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
        tokio::time::timeout(self.deadline, call)
            .await
            .unwrap_or_else(|_| Err(self.too_late(self.deadline)))
    }
}

#[async_trait]
impl Provider for WithDeadline {
    fn kind(&self) -> ProviderKind {
        self.inner.kind()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    async fn list_keys(&self, progress: Option<ProgressFn<'_>>) -> Result<Vec<Key>, Error> {
        self.bounded(self.inner.list_keys(progress)).await
    }

    async fn create_key(&self, draft: &KeyDraft) -> Result<CreateOutcome, Error> {
        // A create cut off here may have happened and its check could not finish: the
        // key is reported as possibly made, for the user to look for.
        tokio::time::timeout(self.deadline * 2, self.inner.create_key(draft))
            .await
            .unwrap_or(Ok(CreateOutcome::Orphaned { key: None }))
    }

    async fn create_key_idempotent(
        &self,
        draft: &KeyDraft,
        idempotency_key: &str,
    ) -> Result<CreateOutcome, Error> {
        // As `create_key`: cut off, the key may have been made.
        let creating = self.inner.create_key_idempotent(draft, idempotency_key);
        tokio::time::timeout(self.deadline * 2, creating)
            .await
            .unwrap_or(Ok(CreateOutcome::Orphaned { key: None }))
    }

    fn create_wait(&self) -> Option<Duration> {
        self.inner.create_wait()
    }

    async fn rotate_key(&self, id: &str, grace_minutes: Option<u32>) -> Result<CreatedKey, Error> {
        let waited = self.deadline * 2;
        tokio::time::timeout(waited, self.inner.rotate_key(id, grace_minutes))
            .await
            .unwrap_or_else(|_| {
                Err(Error::Network {
                    message: format!(
                        "{} did not answer within {}; the rotation may have happened, so list the keys: \
                         if the old key is rotating, its replacement's secret never arrived, so rotate or revoke it.",
                        self.inner.kind().display_name(),
                        in_words(waited)
                    ),
                })
            })
    }

    async fn revoke_key(&self, id: &str) -> Result<Option<Key>, Error> {
        self.bounded(self.inner.revoke_key(id)).await
    }

    async fn delete_key(&self, id: &str) -> Result<(), Error> {
        self.bounded(self.inner.delete_key(id)).await
    }

    async fn set_key_enabled(&self, id: &str, enabled: bool) -> Result<Key, Error> {
        self.bounded(self.inner.set_key_enabled(id, enabled)).await
    }
}
