//! What the app holds for the Attention view: its record files and the last list of each
//! connection this run made. Types only: the code that keeps them current is in
//! [`super::tracking`], the code that judges them in [`super`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use chrono::{DateTime, Duration, Utc};
use keydesk_core::{ErrorKind, InventorySnapshot, Key};
use tokio::runtime::RuntimeFlavor;

use super::records::AttentionRecords;
use crate::error::{AppError, AppResult};

/// The Attention view's state: its record files and the lists this run holds.
pub struct AttentionState {
    /// Where the record files are.
    data_dir: PathBuf,
    /// Annotations, snapshots, dismissals and revoked keys on disk, once read.
    records: OnceLock<AttentionRecords>,
    /// What was wrong with the record files, until startup takes it.
    notices: Mutex<Vec<String>>,
    pub(super) lists: HeldLists,
    pub(super) waits: RateLimitWaits,
}

impl AttentionState {
    /// Holds the record files in `data_dir` without reading them yet (see [`Self::load`]).
    pub fn new(data_dir: &Path) -> Self {
        Self {
            data_dir: data_dir.to_owned(),
            records: OnceLock::new(),
            notices: Mutex::new(Vec::new()),
            lists: HeldLists::default(),
            waits: RateLimitWaits::default(),
        }
    }

    /// The record files. Startup reads them on a background thread ([`Self::load`]) so the
    /// window's page does not wait for a snapshot of thousands of keys; a call that comes
    /// before that read is done waits for it (or reads them itself if it comes first). On the
    /// async worker it waits with the worker's other tasks handed to another thread: at start
    /// the page's first commands came before the read was done, and every other command
    /// waited for a read of 40,000 keys (BENCHMARKS.md).
    pub fn records(&self) -> &AttentionRecords {
        if let Some(records) = self.records.get() {
            return records;
        }
        let read = || {
            self.records.get_or_init(|| {
                let mut notices = Vec::new();
                let records = AttentionRecords::open(&self.data_dir, &mut notices);
                *self.locked_notices() = notices;
                records
            })
        };
        let on_async_worker = tokio::runtime::Handle::try_current()
            .is_ok_and(|runtime| runtime.runtime_flavor() == RuntimeFlavor::MultiThread);
        if on_async_worker {
            tokio::task::block_in_place(read)
        } else {
            read()
        }
    }

    /// Reads the record files if nothing did yet, and answers what was wrong with them (once:
    /// unusable ones are moved aside, so they are not read again).
    pub fn load(&self) -> Vec<String> {
        self.records();
        std::mem::take(&mut *self.locked_notices())
    }

    /// Writes what the record files do not hold yet (the snapshots are written behind the
    /// lists): when quitting. Nothing to do when they were never read.
    pub fn flush(&self) {
        if let Some(records) = self.records.get()
            && let Err(error) = records.snapshots.flush()
        {
            tracing::warn!(%error, "the inventory snapshots were not saved when quitting");
        }
    }

    fn locked_notices(&self) -> MutexGuard<'_, Vec<String>> {
        // Plain sentences: a panic while holding them leaves nothing half-written.
        self.notices
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The keys of `connection_id` as this run last listed them (without raw JSON), when that
    /// list is younger than `max_age` at `now`.
    pub fn held_keys(
        &self,
        connection_id: &str,
        now: DateTime<Utc>,
        max_age: Duration,
    ) -> Option<Vec<Key>> {
        let lists = self.lists.lock().ok()?;
        let list = lists.get(connection_id)?;
        (now - list.taken_at < max_age).then(|| list.keys.clone())
    }

    /// The last list of `connection_id` this run holds (the snapshot it took then, kept current
    /// with Keydesk's own changes).
    pub fn held_list(&self, connection_id: &str) -> Option<Arc<InventorySnapshot>> {
        self.lists.lock().ok()?.get(connection_id).cloned()
    }

    /// `key_id` of `connection_id` as this run last listed it.
    pub fn held_key(&self, connection_id: &str, key_id: &str) -> Option<Key> {
        self.held_list(connection_id)?.key(key_id).cloned()
    }
}

/// The last list of one connection: the snapshot this run took of it (its keys without raw
/// JSON, revoked keys Keydesk remembers included). While the snapshots' record file holds
/// that same look, the two share one allocation ([`super::tracking`] keeps them so).
pub(super) type HeldList = Arc<InventorySnapshot>;

/// The last list of each connection this run of Keydesk made, by connection id.
#[derive(Default)]
pub struct HeldLists(Mutex<HashMap<String, HeldList>>);

impl HeldLists {
    pub(super) fn lock(&self) -> AppResult<MutexGuard<'_, HashMap<String, HeldList>>> {
        self.0
            .lock()
            .map_err(|_| AppError::internal("The listed keys are poisoned."))
    }

    /// Whether a list of `connection_id` is held.
    pub(super) fn holds(&self, connection_id: &str) -> bool {
        self.lock()
            .is_ok_and(|lists| lists.contains_key(connection_id))
    }
}

/// Connections whose provider answered a list with "too many requests": a refresh leaves
/// them alone until the time it named, so background checks never spend a limit the admin
/// needs for real work.
#[derive(Default)]
pub(super) struct RateLimitWaits(Mutex<HashMap<String, DateTime<Utc>>>);

impl RateLimitWaits {
    /// A wait when the provider named none.
    const UNNAMED_SECS: i64 = 60;

    /// Until when `connection_id` is left alone, if it still is at `now`.
    pub(super) fn until(&self, connection_id: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let waits = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        waits
            .get(connection_id)
            .copied()
            .filter(|until| now < *until)
    }

    /// Remembers the wait a failed list of `connection_id` asks for, if it was rate limited.
    pub(super) fn note(&self, connection_id: &str, error: &AppError, now: DateTime<Utc>) {
        if error.kind != ErrorKind::RateLimited {
            return;
        }
        let secs = error.retry_after_secs.map_or(Self::UNNAMED_SECS, i64::from);
        let mut waits = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        waits.insert(connection_id.to_owned(), now + Duration::seconds(secs));
    }
}
