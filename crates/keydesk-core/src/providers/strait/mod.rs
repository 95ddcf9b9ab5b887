//! Strait project keys: `/v1/api-keys` with an admin token, cursor paging, rotation with a
//! grace period. Keys are `strait_` and 64 hex digits, listed by their first 12 characters.

mod capabilities;
mod client;
mod wire;

use std::sync::Arc;

use client::StraitClient;
pub use wire::decode_rotated_key;

use super::definition::Definition;
use crate::auth::Credentials;
use crate::capabilities::ConnectionField;
use crate::connect::{ConnectionConfig, bearer_token as token_of, required_setting};
use crate::error::Error;
use crate::http::HttpOptions;
use crate::leak::{ListedFragment, PastedKeyShape};
use crate::model::ProviderKind;
use crate::provider::Provider;

const KIND: ProviderKind = ProviderKind::Strait;

pub(super) static DEFINITION: Definition = Definition {
    capabilities: capabilities::capabilities,
    validate: capabilities::validate,
    wire: &wire::FORMAT,
    connect,
    pasted_key: Some(PastedKeyShape {
        prefixes: &["strait_"],
        hex_digits: Some(64),
        shown_head: 12,
    }),
    listed_fragments: &[ListedFragment::KeyPrefix],
};

fn connect(
    base: &url::Url,
    config: ConnectionConfig,
    credentials: Credentials,
    options: HttpOptions,
) -> Result<Arc<dyn Provider>, Error> {
    let token = token_of(KIND, credentials)?;
    let project_id = required_setting(
        &config,
        &capabilities::capabilities(),
        ConnectionField::ProjectId,
    )?;
    Ok(Arc::new(StraitClient::new(
        base, project_id, token, options,
    )?))
}
