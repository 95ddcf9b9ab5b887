//! What the generic machinery asks of one provider, declared once by each provider module.

use std::sync::Arc;

use crate::auth::Credentials;
use crate::capabilities::Capabilities;
use crate::connect::ConnectionConfig;
use crate::error::Error;
use crate::http::HttpOptions;
use crate::leak::{ListedFragment, PastedKeyShape, PastedSecretShape};
use crate::model::KeyDraft;
use crate::normalize::WireFormat;
use crate::provider::Provider;

/// Everything core knows about one provider besides its client. Each provider module
/// declares one `DEFINITION`; `dispatch::definition` is the only place that picks it by
/// [`ProviderKind`](crate::ProviderKind).
pub(crate) struct Definition {
    /// What it can do and what its forms ask for.
    pub capabilities: fn() -> Capabilities,
    /// Checks a draft: the generic field-spec checks plus the rules a spec cannot express.
    pub validate: fn(&KeyDraft) -> Result<(), Error>,
    /// How its answers read.
    pub wire: &'static WireFormat,
    /// Its client, for a connection whose base URL is checked.
    pub connect: fn(Connection<'_>) -> Result<Arc<dyn Provider>, Error>,
    /// The parts of a key its lists may show, for matching a leaked one.
    pub listed_fragments: &'static [ListedFragment],
    /// How its keys look in plaintext, when they have a recognisable shape.
    pub pasted_key: Option<PastedKeyShape>,
    /// How the secret its lists never show looks, for a key that is a pair (fiskaly).
    pub pasted_secret: Option<PastedSecretShape>,
}

impl Definition {
    /// A provider from its parts (their types tell them apart), whose lists show no part
    /// of a key and whose keys have no recognisable shape.
    pub const fn new(
        capabilities: fn() -> Capabilities,
        validate: fn(&KeyDraft) -> Result<(), Error>,
        wire: &'static WireFormat,
        connect: fn(Connection<'_>) -> Result<Arc<dyn Provider>, Error>,
    ) -> Self {
        Definition {
            capabilities,
            validate,
            wire,
            connect,
            listed_fragments: &[],
            pasted_key: None,
            pasted_secret: None,
        }
    }

    /// This provider, whose lists may show the `fragments` of a key.
    pub const fn listed(self, fragments: &'static [ListedFragment]) -> Self {
        Definition {
            listed_fragments: fragments,
            ..self
        }
    }

    /// This provider, whose keys look like `shape`.
    pub const fn pasted_key(self, shape: PastedKeyShape) -> Self {
        Definition {
            pasted_key: Some(shape),
            ..self
        }
    }

    /// This provider, whose keys are pairs whose unlisted secret looks like `shape`.
    pub const fn pasted_secret(self, shape: PastedSecretShape) -> Self {
        Definition {
            pasted_secret: Some(shape),
            ..self
        }
    }
}

/// What a provider builds its client from.
pub(crate) struct Connection<'a> {
    /// The checked base URL.
    pub base: &'a url::Url,
    /// The connection's settings.
    pub config: ConnectionConfig,
    /// Its credentials.
    pub credentials: Credentials,
    /// Timeouts, retry limits and the deadline.
    pub options: HttpOptions,
}
