//! Oligon Receipts: `/v1/api-keys` with a dashboard JWT. Keys are `sk_live_…`/`sk_test_…`
//! and listed with their type prefix and last four characters.

mod capabilities;
mod client;
mod wire;

use std::sync::Arc;

use client::OligonClient;

use super::definition::Definition;
use crate::auth::Credentials;
use crate::connect::{ConnectionConfig, bearer_token as token_of};
use crate::error::Error;
use crate::http::HttpOptions;
use crate::leak::{ListedFragment, PastedKeyShape};
use crate::model::ProviderKind;
use crate::provider::Provider;

const KIND: ProviderKind = ProviderKind::Oligon;

/// `sk_live_…` / `sk_test_…`, shown as the type prefix and the last four.
pub(super) const SECRET_KEY_SHAPE: PastedKeyShape = PastedKeyShape {
    prefixes: &["sk_live_", "sk_test_"],
    hex_digits: None,
    shown_head: 8,
};

pub(super) static DEFINITION: Definition = Definition {
    capabilities: capabilities::capabilities,
    validate: capabilities::validate,
    wire: &wire::FORMAT,
    connect,
    pasted_key: Some(SECRET_KEY_SHAPE),
    listed_fragments: &[ListedFragment::TypeAndLast4],
};

fn connect(
    base: &url::Url,
    _config: ConnectionConfig,
    credentials: Credentials,
    options: HttpOptions,
) -> Result<Arc<dyn Provider>, Error> {
    let token = token_of(KIND, credentials)?;
    Ok(Arc::new(OligonClient::new(base, token, options)?))
}
