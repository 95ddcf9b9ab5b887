//! fiskaly Management: `/organizations/{org}/api-keys`, signed in with an API key and secret
//! exchanged at `/auth` for tokens. Keys are key + secret pairs whose public `key` is listed.

mod auth;
mod capabilities;
mod client;
mod wire;

use capabilities::{capabilities, validate};
use client::FiskalyClient;

use super::definition::Definition;
use crate::leak::{ListedFragment, PastedSecretShape};

pub(super) static DEFINITION: Definition = Definition::new(
    capabilities,
    validate,
    &wire::FORMAT,
    FiskalyClient::connect,
)
.listed(&[ListedFragment::PublicKey])
// The API secret is letters and digits only (the listed API key has a `live_`/`test_`
// prefix); its list never shows it, so a pasted secret is found only by fingerprint.
.pasted_secret(PastedSecretShape {
    min_chars: 32,
    max_chars: 64,
});
