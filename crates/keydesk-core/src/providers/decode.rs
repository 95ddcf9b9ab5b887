//! Turning each provider's JSON into the normalized [`Key`]. Tolerant by design: unknown
//! fields are ignored, missing optional fields become `None`, and no input makes it panic.

use serde_json::Value;

use super::dispatch::definition;
use crate::error::Error;
use crate::model::{Key, ProviderKind};
use crate::normalize;

pub use super::strait::decode_rotated_key;

/// Normalizes one list answer (or one page of it) of `provider` into keys. Accepts every
/// shape the documents and the deployments use: bare arrays, `{data}`, `{keys}` and the
/// `{success, data}` envelope.
pub fn decode_list(provider: ProviderKind, body: &Value) -> Result<Vec<Key>, Error> {
    normalize::decode_list(definition(provider).wire, body)
}

/// [`decode_list`] straight from the bytes of an answer, the way the clients read lists.
pub fn decode_list_json(provider: ProviderKind, bytes: &[u8]) -> Result<Vec<Key>, Error> {
    normalize::decode_list_json(definition(provider).wire, bytes)
}

/// Normalizes one key object of `provider`.
pub fn decode_key(provider: ProviderKind, item: &Value) -> Result<Key, Error> {
    normalize::decode_key(definition(provider).wire, item)
}
