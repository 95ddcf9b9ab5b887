//! The fingerprints of the secrets Keydesk created, as the leaked-key search reads them:
//! `secret-fingerprints.json` in the data dir (by connection id, never a secret) and the HMAC
//! key in a keyring item of its own (account [`KEYRING_ACCOUNT`]). The HMAC key never goes
//! to disk, or the file would let anyone test guesses against it.

use std::collections::BTreeMap;
use std::path::Path;

use keydesk_core::{FingerprintKey, RememberedSecret};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::files::read_records;
use crate::vault::{CredentialMap, KeyringVault};

/// The keyring account of the HMAC key, beside the connections' items (whose accounts are
/// connection ids).
pub const KEYRING_ACCOUNT: &str = "secret-fingerprint-key";
/// The name its keyring item is labelled with.
pub const KEYRING_NAME: &str = "secret fingerprints";
/// The file of remembered secrets in the data dir.
pub const FILE: &str = "secret-fingerprints.json";
/// The credential field the HMAC key is stored under, in hex.
const FIELD: &str = "hmac_sha256_key";

/// Remembered secrets by connection id.
pub type RememberedSecrets = BTreeMap<String, Vec<RememberedSecret>>;

/// The HMAC key in `vault`, `None` when it was never made.
pub fn read_key(vault: &KeyringVault) -> Result<Option<FingerprintKey>> {
    vault
        .read(KEYRING_ACCOUNT)?
        .map(|fields| decode(&fields))
        .transpose()
}

/// Makes a new HMAC key and stores it in `vault`.
pub fn create_key(vault: &KeyringVault) -> Result<FingerprintKey> {
    let key = FingerprintKey::generate();
    let hex = SecretString::from(hex::encode(key.expose_bytes()));
    vault.save(
        KEYRING_ACCOUNT,
        KEYRING_NAME,
        &CredentialMap::from([(FIELD.into(), hex)]),
    )?;
    Ok(key)
}

/// The key that fingerprints were made with is missing.
pub fn missing_key() -> Error {
    Error::keychain_unavailable(
        "The key of Keydesk's secret fingerprints is missing from the system keyring, so the \
         keys Keydesk created could not be checked.",
    )
}

/// The HMAC key with what the data dir remembers, for a search; `Ok(None)` when nothing is
/// remembered (no keyring is asked then). Fails when the keyring cannot give the key.
pub fn for_search(
    data_dir: &Path,
    vault: &KeyringVault,
) -> Result<Option<(FingerprintKey, RememberedSecrets)>> {
    let path = data_dir.join(FILE);
    let remembered: RememberedSecrets = read_records(&path)
        .map_err(|problem| Error::internal(format!("The file of secret fingerprints {problem}.")))?
        .unwrap_or_default();
    if remembered.values().all(Vec::is_empty) {
        return Ok(None);
    }
    let key = read_key(vault)?.ok_or_else(missing_key)?;
    Ok(Some((key, remembered)))
}

fn decode(fields: &CredentialMap) -> Result<FingerprintKey> {
    let damaged = || {
        Error::keychain_unavailable("The keyring item of Keydesk's secret fingerprints is damaged.")
    };
    let hex = fields.get(FIELD).ok_or_else(damaged)?;
    let bytes = Zeroizing::new(hex::decode(hex.expose_secret()).map_err(|_| damaged())?);
    let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| damaged())?;
    Ok(FingerprintKey::from_bytes(bytes))
}
