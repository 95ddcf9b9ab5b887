//! SyncgramPay: `/api/v1/auth/api-keys` with a user JWT, one active key per organisation,
//! answers in a `{success, data}` envelope. Keys look like Oligon's (`sk_live_…`); lists show
//! no part of them unless a deployment adds a prefix and last four.

mod client;
mod wire;

use std::sync::Arc;

use client::SyncgramClient;

use super::Definition;
use crate::auth::Credentials;
use crate::capabilities::{Capabilities, FieldKind, FieldSpec, MAX_DAYS, Pagination, bearer_token};
use crate::connect::{ConnectionConfig, bearer_token as token_of};
use crate::decode::SECRET_FIELDS;
use crate::error::Error;
use crate::http::HttpOptions;
use crate::leak::ListedFragment;
use crate::model::{Action, KeyDraft, ProviderKind};
use crate::provider::Provider;
use crate::validate::check_fields;

const KIND: ProviderKind = ProviderKind::Syncgram;

pub(super) static DEFINITION: Definition = Definition {
    capabilities,
    validate,
    normalize: wire::normalize,
    secret_fields: &SECRET_FIELDS,
    connect,
    pasted_key: Some(super::oligon::SECRET_KEY_SHAPE),
    listed_fragments: &[ListedFragment::TypeAndLast4],
};

fn capabilities() -> Capabilities {
    Capabilities {
        provider: KIND,
        display_name: KIND.display_name().to_owned(),
        actions: vec![Action::Create, Action::Revoke],
        create_fields: vec![
            FieldSpec::new("name", "Name", FieldKind::Text)
                .required()
                .length(1, 255),
            FieldSpec::new("expires_in_days", "Expires in (days)", FieldKind::Integer)
                .range(1, MAX_DAYS)
                .help("Leave empty for a key that never expires."),
            FieldSpec::new("environment", "Environment", FieldKind::Environment)
                .options(&["test", "live"])
                .help("Test until payments are enabled for the organisation."),
        ],
        tracks_last_used: true,
        tracks_last_used_ip: false,
        pagination: Pagination::None,
        single_active_key: true,
        rotate_grace: None,
        credential_fields: bearer_token("Access token (JWT)"),
        connection_fields: Vec::new(),
    }
}

/// Everything SyncgramPay asks of a draft is in its field specs.
fn validate(draft: &KeyDraft) -> Result<(), Error> {
    check_fields(&capabilities(), draft)
}

fn connect(
    base: &url::Url,
    _config: ConnectionConfig,
    credentials: Credentials,
    options: HttpOptions,
) -> Result<Arc<dyn Provider>, Error> {
    let token = token_of(KIND, credentials)?;
    Ok(Arc::new(SyncgramClient::new(base, token, options)?))
}
