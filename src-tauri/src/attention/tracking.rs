//! Keeps the Attention view's picture of each connection current: the last list this run
//! of Keydesk holds (with the snapshot it was compared to), the snapshot on disk, the keys
//! Keydesk revoked and the annotations of rotated keys.
//!
//! After a successful action the provider has done what it was asked: a record that cannot
//! be written then is logged, never turned into a failure of the action.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::Utc;
use keydesk_core::{InventorySnapshot, Key, KeyStatus, RawJson, Rule};

use super::held::HeldList;
use super::records::RevokedKey;
use crate::error::AppResult;
use crate::state::AppState;

/// Called with every successful list of `connection_id`: adds back the keys Keydesk revoked
/// that the provider no longer lists (as revoked), notes what appeared or disappeared since
/// the snapshot of the look before (kept until reviewed; changes that no longer stand go),
/// holds the list and makes it the new snapshot. Answers the keys as the UI shows them.
pub fn listed(state: &AppState, connection_id: &str, mut keys: Vec<Key>) -> Vec<Key> {
    let records = state.attention.records();
    let revoked = records
        .revoked
        .read(|revoked| revoked.get(connection_id).cloned());
    log_failure("revoked keys", revoked.as_ref().map(drop));
    for (id, RevokedKey(key)) in revoked.ok().flatten().unwrap_or_default() {
        if !keys.iter().any(|listed| listed.id == id) {
            keys.push(key);
        }
    }
    let now = Utc::now();
    // Held and kept on disk alike: one allocation for both, until one of them changes alone.
    let snapshot = Arc::new(InventorySnapshot::of(&keys, now));
    let previous = records
        .snapshots
        .update(|snapshots| snapshots.insert(connection_id.to_owned(), Arc::clone(&snapshot)));
    log_failure("snapshot", previous.as_ref().map(drop));
    let noticed = previous
        .ok()
        .flatten()
        .map(|previous| previous.changes(&keys, now))
        .unwrap_or_default();
    let listed: HashSet<&str> = keys.iter().map(|key| key.id.as_str()).collect();
    log_failure(
        "changes",
        records.changes.update(|all| {
            let changes = all.entry(connection_id.to_owned()).or_default();
            changes.retain(|change| change.stands(&listed));
            for change in noticed {
                let known = changes
                    .iter()
                    .any(|kept| (&kept.key_id, kept.rule) == (&change.key_id, change.rule));
                if !known {
                    changes.push(change);
                }
            }
            if changes.is_empty() {
                all.remove(connection_id);
            }
        }),
    );
    change_held(state, |lists| {
        lists.insert(connection_id.to_owned(), snapshot)
    });
    crate::memory::release_when_quiet();
    keys
}

/// Keydesk made `key` (a create, a rotation's successor, an orphan): it joins the snapshot,
/// so it never shows as appeared.
pub fn added(state: &AppState, connection_id: &str, key: &Key) {
    changed(state, connection_id, key);
}

/// The admin reviewed the change `rule` (appeared or disappeared) of `key_id`: it is done
/// with.
pub fn reviewed_change(
    state: &AppState,
    connection_id: &str,
    key_id: &str,
    rule: Rule,
) -> AppResult<()> {
    state.attention.records().changes.update(|all| {
        if let Some(changes) = all.get_mut(connection_id) {
            changes.retain(|change| (change.key_id.as_str(), change.rule) != (key_id, rule));
        }
    })
}

/// Keydesk changed `key` (enabled, disabled, revoked with an answer): the held list and the
/// snapshot show its new status.
pub fn changed(state: &AppState, connection_id: &str, key: &Key) {
    let key = key.without_raw();
    change_lists(state, connection_id, |keys| {
        match keys.iter_mut().find(|listed| listed.id == key.id) {
            Some(listed) => *listed = key.clone(),
            None => keys.push(key.clone()),
        }
    });
}

/// Keydesk revoked `key_id` (`answered`: the key the provider returned, if any). It is
/// remembered, metadata only, so it stays listed as revoked where the provider stops
/// listing revoked keys.
pub fn revoked(state: &AppState, connection_id: &str, key_id: &str, answered: Option<&Key>) {
    let Some(mut key) = answered
        .cloned()
        .or_else(|| last_known(state, connection_id, key_id))
    else {
        return;
    };
    key.raw = RawJson::default();
    key.status = KeyStatus::Revoked;
    key.revoked_at = key.revoked_at.or_else(|| Some(Utc::now()));
    log_failure(
        "revoked keys",
        state.attention.records().revoked.update(|revoked| {
            revoked
                .entry(connection_id.to_owned())
                .or_default()
                .insert(key.id.clone(), RevokedKey(key.clone()))
        }),
    );
    changed(state, connection_id, &key);
}

/// Keydesk deleted `key_id`: it leaves the snapshot (so it does not show as disappeared),
/// the held list, the revoked keys and the annotations.
pub fn deleted(state: &AppState, connection_id: &str, key_id: &str) {
    change_lists(state, connection_id, |keys| {
        keys.retain(|key| key.id != key_id)
    });
    let records = state.attention.records();
    log_failure(
        "revoked keys",
        records.revoked.update(|revoked| {
            if let Some(keys) = revoked.get_mut(connection_id) {
                keys.remove(key_id);
            }
        }),
    );
    log_failure(
        "annotations",
        records.annotations.update(|annotations| {
            if let Some(keys) = annotations.get_mut(connection_id) {
                keys.remove(key_id);
            }
        }),
    );
    log_failure(
        "changes",
        records.changes.update(|all| {
            if let Some(changes) = all.get_mut(connection_id) {
                changes.retain(|change| change.key_id != key_id);
            }
        }),
    );
}

/// The connection `connection_id` was deleted: its records go with it.
pub fn forgotten(state: &AppState, connection_id: &str) {
    let records = state.attention.records();
    log_failure(
        "snapshot",
        records.snapshots.update(|all| all.remove(connection_id)),
    );
    log_failure(
        "revoked keys",
        records.revoked.update(|all| all.remove(connection_id)),
    );
    log_failure(
        "annotations",
        records.annotations.update(|all| all.remove(connection_id)),
    );
    log_failure(
        "changes",
        records.changes.update(|all| all.remove(connection_id)),
    );
    log_failure(
        "dismissals",
        records
            .dismissals
            .update(|all| all.retain(|kept| kept.connection_id != connection_id)),
    );
    change_held(state, |lists| lists.remove(connection_id));
}

/// `successor` replaced `replaced`: it takes over the annotation (unless it has one).
pub fn succeeded(state: &AppState, connection_id: &str, replaced: &str, successor: &str) {
    log_failure(
        "annotations",
        state.attention.records().annotations.update(|annotations| {
            let Some(keys) = annotations.get_mut(connection_id) else {
                return;
            };
            if let Some(annotation) = keys.get(replaced).cloned() {
                keys.entry(successor.to_owned()).or_insert(annotation);
            }
        }),
    );
}

/// The key `key_id` as the held list or, failing that, the snapshot last saw it.
fn last_known(state: &AppState, connection_id: &str, key_id: &str) -> Option<Key> {
    state.attention.held_key(connection_id, key_id).or_else(|| {
        let snapshots = &state.attention.records().snapshots;
        let seen = snapshots.read(|all| all.get(connection_id)?.key(key_id).cloned());
        seen.ok().flatten()
    })
}

/// Changes the keys of `connection_id`'s held list and of its snapshot alike with `change`.
/// While the snapshot is the look the held list is (the same list this run took), it takes
/// the held list's allocation instead of a second copy of the change.
fn change_lists(state: &AppState, connection_id: &str, change: impl Fn(&mut Vec<Key>)) {
    let held = change_held(state, |lists| {
        let held = lists.get_mut(connection_id)?;
        change(&mut Arc::make_mut(held).keys);
        Some(Arc::clone(held))
    })
    .flatten();
    log_failure(
        "snapshot",
        state.attention.records().snapshots.update(|snapshots| {
            let Some(snapshot) = snapshots.get_mut(connection_id) else {
                return;
            };
            match held {
                Some(held) if held.taken_at == snapshot.taken_at => *snapshot = held,
                _ => change(&mut Arc::make_mut(snapshot).keys),
            }
        }),
    );
}

/// Changes the held lists with `change` (a poisoned lock is logged and changes nothing).
fn change_held<A>(
    state: &AppState,
    change: impl FnOnce(&mut HashMap<String, HeldList>) -> A,
) -> Option<A> {
    let changed = state
        .attention
        .lists
        .lock()
        .map(|mut lists| change(&mut lists));
    log_failure("held list", changed.as_ref().map(drop));
    changed.ok()
}

fn log_failure<T, E: std::fmt::Display>(what: &str, result: Result<T, E>) {
    if let Err(error) = result {
        tracing::warn!(%error, what, "could not keep an attention record");
    }
}
