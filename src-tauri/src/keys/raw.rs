//! The provider's raw JSON of the listed keys, which stays here (one compact text per key of
//! the last list) until the details pane asks for it: core's `Key` is serialized without it.
//!
//! A list of 1,000 keys with their raw JSON cost the web process its parse and its memory on
//! every refresh, for a pane that shows one key at a time.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use keydesk_core::{Key, RawJson};
use serde::Serialize;

use crate::error::{AppError, AppResult};

/// What `key_details` answers: what the details pane shows beyond the listed key.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct KeyDetails {
    /// The provider's own JSON for the key, with any secret removed.
    // `unknown` in TypeScript, as core's `Key::raw` was.
    #[specta(type = specta_typescript::Unknown)]
    pub raw: RawJson,
}

/// The raw JSON of the keys each connection listed last, by connection id and key id.
#[derive(Default)]
pub struct RawStash {
    by_connection: Mutex<HashMap<String, HashMap<String, RawJson>>>,
}

impl RawStash {
    /// Keeps the raw JSON of `keys`, the whole list of `connection_id` (replacing what it
    /// listed before), and answers the keys (which serialize without it).
    pub fn replace(&self, connection_id: &str, keys: Vec<Key>) -> AppResult<Vec<Key>> {
        let raws = keys
            .iter()
            .map(|key| (key.id.clone(), key.raw.clone()))
            .collect();
        self.lock()?.insert(connection_id.to_owned(), raws);
        Ok(keys)
    }

    /// Keeps (or updates) the raw JSON of one key of `connection_id`, answered by an action.
    pub fn remember(&self, connection_id: &str, key: &Key) -> AppResult<()> {
        self.lock()?
            .entry(connection_id.to_owned())
            .or_default()
            .insert(key.id.clone(), key.raw.clone());
        Ok(())
    }

    /// [`Self::remember`], answering the key (which serializes without its raw JSON).
    pub fn keep(&self, connection_id: &str, key: Key) -> AppResult<Key> {
        self.remember(connection_id, &key)?;
        Ok(key)
    }

    /// `keys` of `connection_id` with the raw JSON kept for them put back (what matching a
    /// pasted key reads).
    pub fn restore(&self, connection_id: &str, mut keys: Vec<Key>) -> AppResult<Vec<Key>> {
        let stash = self.lock()?;
        if let Some(raws) = stash.get(connection_id) {
            for key in &mut keys {
                if let Some(raw) = raws.get(&key.id) {
                    key.raw = raw.clone();
                }
            }
        }
        Ok(keys)
    }

    /// The raw JSON of `key_id` in `connection_id`'s last list, if it was there.
    pub fn get(&self, connection_id: &str, key_id: &str) -> AppResult<Option<RawJson>> {
        Ok(self
            .lock()?
            .get(connection_id)
            .and_then(|raws| raws.get(key_id))
            .cloned())
    }

    /// Drops what is kept for `key_id` (deleted), or for the whole connection (`None`).
    pub fn forget(&self, connection_id: &str, key_id: Option<&str>) -> AppResult<()> {
        let mut stash = self.lock()?;
        match key_id {
            Some(key_id) => {
                if let Some(raws) = stash.get_mut(connection_id) {
                    raws.remove(key_id);
                }
            }
            None => {
                stash.remove(connection_id);
            }
        }
        Ok(())
    }

    fn lock(&self) -> AppResult<MutexGuard<'_, HashMap<String, HashMap<String, RawJson>>>> {
        self.by_connection
            .lock()
            .map_err(|_| AppError::internal("The key details cache is poisoned."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, raw: &str) -> Key {
        let json = serde_json::json!({
            "id": id, "name": "n", "masked": "sk_…1", "environment": null, "scopes": [],
            "status": "active", "created_at": null, "last_used_at": null,
            "last_used_ip": null, "expires_at": null, "revoked_at": null, "rotation": null,
            "metadata": {}, "raw": serde_json::from_str::<serde_json::Value>(raw).unwrap(),
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_list_answers_keys_without_raw_and_keeps_it() {
        let stash = RawStash::default();
        let listed = stash
            .replace("c1", vec![key("a", r#"{"id":"a","x":1}"#), key("b", "[2]")])
            .unwrap();
        let json = serde_json::to_value(&listed).unwrap();
        assert_eq!(json[0]["id"], "a");
        assert!(json[0].get("raw").is_none(), "{json}");
        let raw = stash.get("c1", "a").unwrap().unwrap();
        assert_eq!(raw.json(), r#"{"id":"a","x":1}"#);
        assert_eq!(stash.get("c1", "b").unwrap().unwrap().json(), "[2]");
        assert!(stash.get("c2", "a").unwrap().is_none());
    }

    #[test]
    fn a_new_list_replaces_the_old_one_and_actions_update_it() {
        let stash = RawStash::default();
        stash
            .replace("c1", vec![key("a", "1"), key("b", "2")])
            .unwrap();
        stash.replace("c1", vec![key("b", "3")]).unwrap();
        assert!(stash.get("c1", "a").unwrap().is_none());
        assert_eq!(stash.get("c1", "b").unwrap().unwrap().json(), "3");
        let kept = stash.keep("c1", key("c", "4")).unwrap();
        assert_eq!(kept.id, "c");
        assert_eq!(stash.get("c1", "c").unwrap().unwrap().json(), "4");
        stash.forget("c1", Some("b")).unwrap();
        assert!(stash.get("c1", "b").unwrap().is_none());
        stash.forget("c1", None).unwrap();
        assert!(stash.get("c1", "c").unwrap().is_none());
    }
}
