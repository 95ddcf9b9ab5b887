//! SyncgramPay: `/api/v1/auth/api-keys` with a user JWT, one active key per organisation,
//! answers in a `{success, data}` envelope. Keys look like Oligon's (`sk_live_…`); lists show
//! no part of them unless a deployment adds a prefix and last four.

mod capabilities;
mod client;
mod wire;

use std::sync::Arc;

use client::SyncgramClient;

use super::definition::Definition;
use crate::auth::Credentials;
use crate::connect::{ConnectionConfig, bearer_token as token_of};
use crate::error::Error;
use crate::http::HttpOptions;
use crate::leak::ListedFragment;
use crate::model::ProviderKind;
use crate::provider::Provider;

const KIND: ProviderKind = ProviderKind::Syncgram;

pub(super) static DEFINITION: Definition = Definition {
    capabilities: capabilities::capabilities,
    validate: capabilities::validate,
    wire: &wire::FORMAT,
    connect,
    pasted_key: Some(super::oligon::SECRET_KEY_SHAPE),
    listed_fragments: &[ListedFragment::TypeAndLast4],
};

fn connect(
    base: &url::Url,
    _config: ConnectionConfig,
    credentials: Credentials,
    options: HttpOptions,
) -> Result<Arc<dyn Provider>, Error> {
    let token = token_of(KIND, credentials)?;
    Ok(Arc::new(SyncgramClient::new(base, token, options)?))
}
