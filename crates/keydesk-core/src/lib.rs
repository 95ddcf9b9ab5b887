//! keydesk-core: the key-management client library behind Keydesk.
//!
//! It speaks the management APIs of Oligon Receipts, fiskaly, SyncgramPay and Strait and
//! hands its callers one normalized model of API keys. It knows nothing of Tauri, so the
//! desktop app, the CLI and the tests all share it.
//!
//! Start with [`connect`], which returns an [`Arc<dyn Provider>`](Provider); every provider
//! declares its [`Capabilities`], and [`validate_draft`] checks a create form without a
//! client.
#![deny(missing_docs)]

mod annotation;
mod attention;
mod auth;
mod capabilities;
mod connect;
mod deadline;
mod error;
mod fingerprint;
mod http;
mod leak;
mod model;
mod normalize;
mod provider;
mod providers;
mod replace;
mod request_ids;
mod validate;

#[cfg(test)]
mod test_server;

pub use annotation::{
    Annotation, MAX_NOTE_CHARS, MAX_OWNER_CHARS, MAX_TAG_CHARS, MAX_TAGS, matches_annotation_query,
};
pub use attention::{
    AttentionConfig, AttentionInput, ConnectionInventory, DEFAULT_STALE_AFTER_DAYS, Dismissal,
    EXPIRES_SOON_HIGH_DAYS, EXPIRES_SOON_MEDIUM_DAYS, Finding, GRACE_ENDING_HOURS,
    InventorySnapshot, NEVER_USED_AFTER_DAYS, NoticedChange, OrphanReport, Rule, Severity,
    SuggestedAction, attention,
};
pub use auth::{Credentials, jwt_expiry, jwt_subject};
pub use capabilities::{
    Capabilities, ConnectionField, ConnectionFieldSpec, CredentialField, CredentialName, FieldKind,
    FieldSpec, Listed, ListedFacts, MAX_DAYS, Pagination, Retirement, RotateGrace,
};
pub use connect::{ConnectionConfig, parse_base_url};
pub use error::{Error, ErrorKind};
pub use fingerprint::{FingerprintKey, RememberedSecret};
pub use http::HttpOptions;
pub use leak::{
    FoundBy, Inventory, KeyFormat, KeyMatch, LeakFingerprint, LeakMatch, LeakResult,
    LeakSearchResult, MAX_PASTED_KEY_BYTES, account_of, find_leaked, search_leaked,
};
pub use model::{
    Action, CreateOutcome, CreatedKey, Environment, Key, KeyDraft, KeyStatus, KeyWithRaw, Metadata,
    Progress, ProgressFn, ProviderKind, RawJson, RevealedSecret, Rotation,
};
pub use provider::{Provider, find_orphan};
pub use providers::{
    connect, connect_with, decode, lists_fragment, validate_draft, validate_grace,
};
pub use replace::{CREATE_TRIES_AFTER_REVOKE, ReplaceOptions, successor_draft, worth_retrying};
pub use request_ids::collect_request_ids;
pub use secrecy::{ExposeSecret, SecretString};
pub use validate::is_control_or_bidi;
