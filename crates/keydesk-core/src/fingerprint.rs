//! Fingerprints of the secrets Keydesk creates: HMAC-SHA256 under a key of the user's own
//! (kept in the OS keyring by the app), so a pasted key can be recognised later even where the
//! provider's list shows no part of it, while the fingerprint file alone reveals nothing and
//! cannot be checked against guesses without that key.

use std::fmt;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::model::{CreatedKey, ProviderKind};

/// The 32-byte HMAC key fingerprints are made under. `Debug` never shows it.
#[derive(Clone)]
pub struct FingerprintKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FingerprintKey(<redacted>)")
    }
}

impl FingerprintKey {
    /// A fresh random key from the thread's cryptographic generator (seeded by the OS).
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(bytes.as_mut());
        FingerprintKey(bytes)
    }

    /// The key stored earlier as these bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        FingerprintKey(Zeroizing::new(bytes))
    }

    /// The key's bytes, to store it (in the keyring, never in a file).
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The fingerprint of `secret`: HMAC-SHA256 in lowercase hex.
    pub fn fingerprint(&self, secret: &str) -> String {
        hmac_sha256_hex(self.0.as_ref(), secret.as_bytes())
    }
}

fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// What is remembered of one secret of a key Keydesk created or rotated in: which key and
/// which of its secrets, and the fingerprint. Never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RememberedSecret {
    /// The provider's id of the key.
    pub key_id: String,
    /// The key's name when it was created, to name it once it is no longer listed.
    pub key_name: String,
    /// The key's masked form when it was created.
    pub masked: String,
    /// Whose key it is.
    pub provider: ProviderKind,
    /// Which of the key's secrets this is (`api_key`, `api_secret`…).
    pub field: String,
    /// When Keydesk received it.
    pub created_at: DateTime<Utc>,
    /// [`FingerprintKey::fingerprint`] of the secret.
    pub fingerprint: String,
}

impl RememberedSecret {
    /// One record per secret of `created` (a key of `provider`), fingerprinted under `key`.
    pub fn of_created(
        key: &FingerprintKey,
        provider: ProviderKind,
        created: &CreatedKey,
        now: DateTime<Utc>,
    ) -> Vec<Self> {
        use secrecy::ExposeSecret;
        created
            .secrets
            .iter()
            .map(|secret| RememberedSecret {
                key_id: created.key.id.clone(),
                key_name: created.key.name.clone(),
                masked: created.key.masked.clone(),
                provider,
                field: field_name(&secret.label),
                created_at: now,
                fingerprint: key.fingerprint(secret.value.expose_secret()),
            })
            .collect()
    }
}

/// A secret's label as a field name: "API secret" → `api_secret`.
fn field_name(label: &str) -> String {
    label
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("_")
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;
    use crate::model::{Key, KeyStatus, RevealedSecret};

    #[test]
    fn hmac_matches_the_rfc_4231_vectors() {
        // RFC 4231, test cases 1 and 2.
        assert_eq!(
            hmac_sha256_hex(&[0x0b; 20], b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_fingerprint_is_the_hmac_of_the_secret_under_the_32_byte_key() {
        let bytes: [u8; 32] = std::array::from_fn(|i| i as u8);
        let key = FingerprintKey::from_bytes(bytes);
        // Python: hmac.new(bytes(range(32)), b"sk_live_aB3dEfGhIjKlx9k2", "sha256").hexdigest()
        assert_eq!(
            key.fingerprint("sk_live_aB3dEfGhIjKlx9k2"),
            "99473911eb8cf5736e03b70a40b095628ce4bfae63c91f6d6238a9f4f7341522"
        );
        assert_ne!(
            FingerprintKey::generate().fingerprint("sk_live_aB3dEfGhIjKlx9k2"),
            key.fingerprint("sk_live_aB3dEfGhIjKlx9k2"),
            "another key, another fingerprint"
        );
        assert!(!format!("{key:?}").contains('0'));
    }

    #[test]
    fn every_secret_of_a_created_key_is_remembered_by_its_field() {
        let key = FingerprintKey::generate();
        let created = CreatedKey {
            key: Key::bare(
                "k1".into(),
                "pos-1".into(),
                "live_…abcd".into(),
                KeyStatus::Active,
            ),
            secrets: ["API key", "API secret"]
                .into_iter()
                .map(|label| RevealedSecret {
                    label: label.into(),
                    value: SecretString::from(format!("{label} value")),
                })
                .collect(),
        };
        let now = Utc::now();
        let remembered = RememberedSecret::of_created(&key, ProviderKind::Fiskaly, &created, now);
        let fields: Vec<&str> = remembered.iter().map(|r| r.field.as_str()).collect();
        assert_eq!(fields, ["api_key", "api_secret"]);
        assert_eq!(
            remembered[1].fingerprint,
            key.fingerprint("API secret value")
        );
        let json = serde_json::to_string(&remembered).unwrap();
        assert!(!json.contains("value"), "{json}");
    }
}
