//! fiskaly Management: `/organizations/{org}/api-keys`, signed in with an API key and secret
//! exchanged at `/auth` for tokens. Keys are key + secret pairs whose public `key` is listed.

mod auth;
mod capabilities;
mod client;
mod wire;

use std::sync::Arc;

use client::FiskalyClient;

use super::definition::Definition;
use crate::auth::Credentials;
use crate::capabilities::ConnectionField;
use crate::connect::{ConnectionConfig, key_and_secret, required_setting};
use crate::error::Error;
use crate::http::HttpOptions;
use crate::leak::ListedFragment;
use crate::model::ProviderKind;
use crate::provider::Provider;

const KIND: ProviderKind = ProviderKind::Fiskaly;

pub(super) static DEFINITION: Definition = Definition {
    capabilities: capabilities::capabilities,
    validate: capabilities::validate,
    wire: &wire::FORMAT,
    connect,
    pasted_key: None,
    listed_fragments: &[ListedFragment::PublicKey],
};

fn connect(
    base: &url::Url,
    config: ConnectionConfig,
    credentials: Credentials,
    options: HttpOptions,
) -> Result<Arc<dyn Provider>, Error> {
    let (api_key, api_secret) = key_and_secret(KIND, credentials)?;
    let org_id = required_setting(
        &config,
        &capabilities::capabilities(),
        ConnectionField::OrgId,
    )?;
    Ok(Arc::new(FiskalyClient::new(
        base, org_id, api_key, api_secret, options,
    )?))
}
