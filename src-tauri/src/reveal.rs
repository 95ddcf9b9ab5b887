//! The reveal vault: secrets of created and rotated keys, held in Rust until the user says
//! "I have stored it". The UI sees ids, key metadata and masked previews; the plaintext
//! leaves only through [`RevealVault::reveal`] (to the webview) and the clipboard.

use std::sync::Mutex;

use chrono::Utc;
use keydesk_core::{CreatedKey, Key, RevealedSecret};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::error::{AppError, AppResult};

/// A secret's label and a masked preview of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SecretPreview {
    /// What the secret is ("API key", "API secret"…).
    pub label: String,
    /// Enough to recognise it, never enough to use it.
    pub masked: String,
}

/// A created or rotated key whose secrets wait to be revealed, copied and acknowledged.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct PendingReveal {
    /// The id every reveal command takes.
    pub reveal_id: String,
    /// The connection the key belongs to.
    pub connection_id: String,
    /// The new key's metadata.
    pub key: Key,
    /// One preview per secret, in the order `reveal_secret`'s `index` counts.
    pub secrets: Vec<SecretPreview>,
    /// When the secret arrived (RFC 3339).
    pub created_at: String,
}

struct Entry {
    pending: PendingReveal,
    /// `SecretString` zeroizes its buffer on drop: acknowledging or quitting wipes it.
    secrets: Vec<SecretString>,
}

/// Every pending reveal, oldest first. Lives in app state, so a webview reload loses nothing.
#[derive(Default)]
pub struct RevealVault {
    entries: Mutex<Vec<Entry>>,
}

impl RevealVault {
    /// Takes the secrets of `created` into the vault and returns what the UI may see.
    pub fn insert(&self, connection_id: &str, created: CreatedKey) -> AppResult<PendingReveal> {
        let CreatedKey { key, secrets } = created;
        let pending = PendingReveal {
            reveal_id: uuid::Uuid::new_v4().to_string(),
            connection_id: connection_id.to_owned(),
            key,
            secrets: secrets
                .iter()
                .map(|secret| SecretPreview {
                    label: secret.label.clone(),
                    masked: mask(secret.value.expose_secret()),
                })
                .collect(),
            created_at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        };
        let secrets = secrets
            .into_iter()
            .map(|RevealedSecret { value, .. }| value)
            .collect();
        self.lock()?.push(Entry {
            pending: pending.clone(),
            secrets,
        });
        Ok(pending)
    }

    /// Every reveal not yet acknowledged, oldest first.
    pub fn pending(&self) -> AppResult<Vec<PendingReveal>> {
        Ok(self
            .lock()?
            .iter()
            .map(|entry| entry.pending.clone())
            .collect())
    }

    /// Runs `use_secret` on secret `index` of `reveal_id`, without copying it out.
    pub fn with_secret<T>(
        &self,
        reveal_id: &str,
        index: u32,
        use_secret: impl FnOnce(&SecretString) -> T,
    ) -> AppResult<T> {
        let entries = self.lock()?;
        let entry = entries
            .iter()
            .find(|entry| entry.pending.reveal_id == reveal_id)
            .ok_or_else(|| {
                AppError::not_found(
                    "This secret is gone: it was acknowledged or Keydesk restarted.",
                )
            })?;
        let secret = usize::try_from(index)
            .ok()
            .and_then(|index| entry.secrets.get(index))
            .ok_or_else(|| AppError::not_found("This key has no secret with that number."))?;
        Ok(use_secret(secret))
    }

    /// The plaintext of secret `index`: the only path of a secret into the webview.
    pub fn reveal(&self, reveal_id: &str, index: u32) -> AppResult<String> {
        self.with_secret(reveal_id, index, |secret| secret.expose_secret().to_owned())
    }

    /// Forgets (and wipes) `reveal_id`; acknowledging twice is fine.
    pub fn acknowledge(&self, reveal_id: &str) -> AppResult<()> {
        self.lock()?
            .retain(|entry| entry.pending.reveal_id != reveal_id);
        Ok(())
    }

    /// Whether `text` holds the plaintext of any secret not acknowledged yet, as it is or as
    /// HTML escapes it (the start frame's check: no secret is written to a file).
    pub fn any_secret_in(&self, text: &str) -> AppResult<bool> {
        Ok(self.lock()?.iter().any(|entry| {
            entry.secrets.iter().any(|secret| {
                let secret = secret.expose_secret();
                !secret.is_empty()
                    && (text.contains(secret) || text.contains(html_escaped(secret).as_str()))
            })
        }))
    }

    /// Wipes everything (on quit).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    fn lock(&self) -> AppResult<std::sync::MutexGuard<'_, Vec<Entry>>> {
        self.entries
            .lock()
            .map_err(|_| AppError::internal("The reveal vault is poisoned."))
    }
}

/// `text` as HTML text or an attribute value shows it (`&`, `<`, `>`, quotes escaped).
fn html_escaped(text: &str) -> zeroize::Zeroizing<String> {
    let mut escaped = zeroize::Zeroizing::new(String::with_capacity(text.len()));
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// `sk_live_…x9k2`: a known-looking prefix (up to the last `_` in the first 12 characters)
/// and the last four; short secrets show only dots.
fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 16 {
        return "••••".into();
    }
    let head: String = chars[..12].iter().collect();
    let prefix = head.rfind('_').map_or("", |end| &head[..=end]);
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}…{tail}")
}

#[cfg(test)]
mod tests {
    use keydesk_core::KeyStatus;

    use super::*;

    #[test]
    fn masks_keep_prefix_and_last_four_only() {
        assert_eq!(mask("sk_live_abcdefghijklmnop9k2x"), "sk_live_…9k2x");
        assert_eq!(mask("vault_0123456789abcdef0123"), "vault_…0123");
        assert_eq!(mask("8f3a9c0d2e1b4a5f6c7d"), "…6c7d");
        assert_eq!(mask("short"), "••••");
    }

    #[test]
    fn a_pending_secret_is_found_in_text_as_it_is_or_html_escaped_until_acknowledged() {
        let vault = RevealVault::default();
        let secret = "sk_live_a&b<c>\"d'e_0123456789";
        let created = CreatedKey {
            key: Key::bare(
                "k1".into(),
                "n".into(),
                "sk_…6789".into(),
                KeyStatus::Active,
            ),
            secrets: vec![RevealedSecret {
                label: "API key".into(),
                value: SecretString::from(secret.to_owned()),
            }],
        };
        let pending = vault.insert("c1", created).unwrap();
        assert!(vault.any_secret_in(&format!("<td>{secret}</td>")).unwrap());
        let escaped = "<td title=\"sk_live_a&amp;b&lt;c&gt;&quot;d&#39;e_0123456789\">";
        assert!(vault.any_secret_in(escaped).unwrap());
        assert!(!vault.any_secret_in("<td>sk_live_a…6789</td>").unwrap());
        vault.acknowledge(&pending.reveal_id).unwrap();
        assert!(!vault.any_secret_in(escaped).unwrap());
    }
}
