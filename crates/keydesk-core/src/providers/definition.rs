//! What the generic machinery asks of one provider, declared once by each provider module.

use std::sync::Arc;

use crate::auth::Credentials;
use crate::capabilities::Capabilities;
use crate::connect::ConnectionConfig;
use crate::error::Error;
use crate::http::HttpOptions;
use crate::leak::{ListedFragment, PastedKeyShape};
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
    /// The client for a checked base URL, the connection's settings and its credentials.
    pub connect: Connect,
    /// How its keys look in plaintext, when they have a recognisable shape.
    pub pasted_key: Option<PastedKeyShape>,
    /// The parts of a key its lists may show, for matching a leaked one.
    pub listed_fragments: &'static [ListedFragment],
}

/// How a provider builds its client: from a checked base URL, the connection's settings and
/// its credentials.
pub(crate) type Connect =
    fn(&url::Url, ConnectionConfig, Credentials, HttpOptions) -> Result<Arc<dyn Provider>, Error>;
