//! The open connection's keys as they were last listed, for the first frame of a start: the
//! window shows them marked "as of" their time while the provider is asked again.
//!
//! Read from the inventory snapshot the Attention view keeps (metadata only), so it answers
//! at once: no keyring read, no sandbox start, no network call.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use keydesk_core::{InventorySnapshot, Key};
use serde::Serialize;

use crate::attention::records::Snapshots;
use crate::error::AppResult;
use crate::state::AppState;

/// What `last_inventory` answers: the keys of the connection a start opens, as last listed.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct LastInventory {
    /// The connection a start opens (the first one).
    pub connection_id: String,
    /// When its keys were listed.
    pub taken_at: DateTime<Utc>,
    /// Its keys then, without raw JSON (revoked keys Keydesk remembers included, as the list
    /// showed them).
    pub keys: Vec<Key>,
}

/// The first connection's last listed keys; `None` when there is no connection or Keydesk
/// never listed it (a first run, whose snapshots come from the demo's history).
pub fn last_inventory(state: &AppState) -> AppResult<Option<LastInventory>> {
    let Some(first) = state.connections.list()?.into_iter().next() else {
        return Ok(None);
    };
    // Built from the shared snapshot in place: one copy of each key, not of the snapshot first.
    state.attention.records().snapshots.read(|snapshots| {
        shown_snapshot(snapshots, &first.id).map(|snapshot| LastInventory {
            connection_id: first.id.clone(),
            taken_at: snapshot.taken_at,
            keys: snapshot.keys.clone(),
        })
    })
}

/// The snapshot of `connection_id` a start may show for it (here and in the start frame): a
/// list Keydesk took itself, complete, not a look recalled from the demo's history.
pub fn shown_snapshot<'a>(
    snapshots: &'a Snapshots,
    connection_id: &str,
) -> Option<&'a Arc<InventorySnapshot>> {
    snapshots
        .get(connection_id)
        .filter(|snapshot| snapshot.complete)
}
