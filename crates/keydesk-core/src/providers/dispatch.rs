//! The one place that picks a provider's [`Definition`] by its [`ProviderKind`], and what
//! core offers by kind on top of it: capabilities, credentials, connecting, draft checks and
//! the key shapes a leak search needs.

use std::sync::Arc;

use secrecy::SecretString;

use super::definition::{Connection, Definition};
use super::{fiskaly, oligon, strait, syncgram};
use crate::auth::Credentials;
use crate::capabilities::Capabilities;
use crate::connect::{ConnectionConfig, parse_base_url};
use crate::deadline::WithDeadline;
use crate::error::Error;
use crate::http::HttpOptions;
use crate::leak::{KeyShapes, LeakFingerprint, shows_any_fragment};
use crate::model::{Key, KeyDraft, ProviderKind};
use crate::provider::Provider;
use crate::validate::check_grace;

/// The definition of `provider`.
pub(crate) fn definition(provider: ProviderKind) -> &'static Definition {
    match provider {
        ProviderKind::Oligon => &oligon::DEFINITION,
        ProviderKind::Fiskaly => &fiskaly::DEFINITION,
        ProviderKind::Syncgram => &syncgram::DEFINITION,
        ProviderKind::Strait => &strait::DEFINITION,
    }
}

impl ProviderKind {
    /// What this provider can do and what its forms ask for.
    pub fn capabilities(self) -> Capabilities {
        (definition(self).capabilities)()
    }
}

impl Credentials {
    /// Builds `provider`'s credentials from its named credential fields (the names
    /// [`Capabilities::credential_fields`] lists), trimmed; an absent or blank field is a
    /// validation error naming it.
    pub fn from_fields(
        provider: ProviderKind,
        field: impl Fn(&str) -> Option<SecretString>,
    ) -> Result<Self, Error> {
        Credentials::from_credential_fields(&provider.capabilities().credential_fields, field)
    }
}

/// Builds the client for `config`, checking the settings first: a parseable base URL, https
/// unless it is a loopback address, the organisation/project the provider needs and the
/// kind of credentials it takes.
pub fn connect(
    config: ConnectionConfig,
    credentials: Credentials,
) -> Result<Arc<dyn Provider>, Error> {
    connect_with(config, credentials, HttpOptions::default())
}

/// [`connect`] with explicit timeouts, retry limits and deadline. Every call of the client
/// returned ends within [`HttpOptions::operation_deadline`] (creates and rotations within
/// twice that).
pub fn connect_with(
    config: ConnectionConfig,
    credentials: Credentials,
    options: HttpOptions,
) -> Result<Arc<dyn Provider>, Error> {
    let base_url = parse_base_url(&config.base_url)?;
    let deadline = options.operation_deadline;
    let connect = definition(config.provider).connect;
    let client = connect(Connection {
        base: &base_url,
        config,
        credentials,
        options,
    })?;
    Ok(WithDeadline::wrap(client, deadline))
}

/// Checks `draft` against `provider`'s documented rules. The error names the first field at
/// fault and the rule it breaks.
pub fn validate_draft(provider: ProviderKind, draft: &KeyDraft) -> Result<(), Error> {
    (definition(provider).validate)(draft)
}

/// Checks a rotate's grace period against `provider`'s limit.
pub fn validate_grace(provider: ProviderKind, grace_minutes: Option<u32>) -> Result<(), Error> {
    check_grace(&provider.capabilities(), grace_minutes)
}

/// What every provider declares about its keys' text.
fn key_shapes() -> KeyShapes {
    let declared = ProviderKind::ALL.map(|provider| (provider, definition(provider)));
    KeyShapes::new(
        declared
            .iter()
            .filter_map(|(provider, definition)| Some((*provider, definition.pasted_key?)))
            .collect(),
        declared
            .iter()
            .map(|(provider, definition)| (*provider, definition.listed_fragments))
            .collect(),
        declared
            .iter()
            .filter_map(|(provider, definition)| Some((*provider, definition.pasted_secret?)))
            .collect(),
    )
}

impl LeakFingerprint {
    /// Cleans up a pasted key (surrounding whitespace and quotes, line breaks, a `Bearer `
    /// or `NAME=` in front, a trailing comma) and works out what can be matched. A paste
    /// longer than [`MAX_PASTED_KEY_BYTES`](crate::MAX_PASTED_KEY_BYTES) is refused.
    pub fn parse(pasted: &str) -> Result<Self, Error> {
        LeakFingerprint::parse_among(pasted, key_shapes())
    }
}

/// Whether `key`, as listed, shows any part of the key a pasted one can be matched against.
/// Some providers' lists show none: a leaked key of theirs cannot be found by its text.
pub fn lists_fragment(key: &Key) -> bool {
    shows_any_fragment(key, &key_shapes())
}
