//! The leaked-key search over saved connections, as the app and keydesk-cli both run it: each
//! listed connection's keys by their listed fragments, and the secrets Keydesk created by
//! their fingerprints.

use keydesk_core::{
    FingerprintKey, Inventory, Key, LeakFingerprint, LeakSearchResult, RememberedSecret,
    account_of, search_leaked,
};

use crate::fingerprints::RememberedSecrets;
use crate::settings::Connection;

/// Searches `listed` (each connection with its keys) for `fingerprint`, and with
/// `remembered` the fingerprints of the secrets Keydesk created in those connections. Matches
/// name connections by their index in `listed`.
pub fn search(
    fingerprint: &LeakFingerprint,
    listed: &[(Connection, Vec<Key>)],
    remembered: Option<&(FingerprintKey, RememberedSecrets)>,
) -> LeakSearchResult<usize> {
    let searchable: Vec<Inventory<'_, usize>> = listed
        .iter()
        .enumerate()
        .map(|(index, (connection, keys))| Inventory {
            connection: index,
            provider: connection.settings.provider,
            account: account_of(&connection.config()),
            keys: keys.as_slice(),
        })
        .collect();
    let by_connection: Vec<(usize, &RememberedSecret)> = remembered
        .map(|(_, all)| {
            listed
                .iter()
                .enumerate()
                .flat_map(|(index, (connection, _))| {
                    all.get(&connection.id)
                        .into_iter()
                        .flatten()
                        .map(move |secret| (index, secret))
                })
                .collect()
        })
        .unwrap_or_default();
    search_leaked(
        fingerprint,
        &searchable,
        remembered.map(|(key, _)| (key, by_connection.as_slice())),
    )
}
