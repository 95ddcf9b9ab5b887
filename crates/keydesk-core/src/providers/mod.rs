//! The four provider clients behind [`crate::Provider`].

mod fiskaly;
mod oligon;
mod strait;
mod syncgram;

pub(crate) use fiskaly::FiskalyClient;
pub(crate) use oligon::OligonClient;
pub(crate) use strait::StraitClient;
pub(crate) use syncgram::SyncgramClient;

use secrecy::SecretString;
use serde_json::Value;

use crate::decode::unwrap_envelope;
use crate::model::RevealedSecret;

/// The secret at `field` of a create/rotate answer, labelled for the reveal dialog.
fn secret_at(body: &Value, field: &str, label: &str) -> Option<RevealedSecret> {
    unwrap_envelope(body)
        .get(field)
        .and_then(Value::as_str)
        .filter(|value| !value.is_empty())
        .map(|value| RevealedSecret {
            label: label.to_owned(),
            value: SecretString::from(value.to_owned()),
        })
}
