//! What the app holds for the Attention view: its record files and the last list of each
//! connection this run made. Types only: the code that keeps them current is in
//! [`super::tracking`], the code that judges them in [`super`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use keydesk_core::{InventorySnapshot, Key};

use super::records::AttentionRecords;
use crate::error::{AppError, AppResult};

/// The Attention view's state: its record files and the lists this run holds.
pub struct AttentionState {
    /// Annotations, snapshots, dismissals and revoked keys on disk.
    pub records: AttentionRecords,
    pub(super) lists: HeldLists,
}

impl AttentionState {
    /// Opens the record files in `data_dir` (unusable ones become `notices`).
    pub fn open(data_dir: &Path, notices: &mut Vec<String>) -> Self {
        Self {
            records: AttentionRecords::open(data_dir, notices),
            lists: HeldLists::default(),
        }
    }
}

/// The last list of one connection, and the snapshot of the look before it.
#[derive(Debug, Clone)]
pub(super) struct HeldList {
    /// When it was listed.
    pub listed_at: DateTime<Utc>,
    /// The keys (without their raw JSON), revoked keys Keydesk remembers included.
    pub keys: Vec<Key>,
    /// The snapshot as it was before this list, for `appeared` and `disappeared`.
    pub previous: Option<InventorySnapshot>,
}

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
