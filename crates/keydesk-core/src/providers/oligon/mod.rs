//! Oligon Receipts: `/v1/api-keys` with a dashboard JWT. Keys are `sk_live_…`/`sk_test_…`
//! and listed with their type prefix and last four characters.

mod client;
mod wire;

use std::sync::Arc;

use client::OligonClient;

use super::Definition;
use crate::auth::Credentials;
use crate::capabilities::{Capabilities, FieldKind, FieldSpec, Pagination, bearer_token};
use crate::connect::{ConnectionConfig, bearer_token as token_of};
use crate::decode::SECRET_FIELDS;
use crate::error::Error;
use crate::http::HttpOptions;
use crate::leak::{ListedFragment, PastedKeyShape};
use crate::model::{Action, KeyDraft, ProviderKind};
use crate::provider::Provider;
use crate::validate::check_fields;

const KIND: ProviderKind = ProviderKind::Oligon;

/// Oligon's scopes, from the document.
const SCOPES: [&str; 4] = [
    "extract:read",
    "extract:write",
    "analytics:read",
    "admin:write",
];

/// `sk_live_…` / `sk_test_…`, shown as the type prefix and the last four.
pub(super) const SECRET_KEY_SHAPE: PastedKeyShape = PastedKeyShape {
    prefixes: &["sk_live_", "sk_test_"],
    hex_digits: None,
    shown_head: 8,
};

pub(super) static DEFINITION: Definition = Definition {
    capabilities,
    validate,
    normalize: wire::normalize,
    secret_fields: &SECRET_FIELDS,
    connect,
    pasted_key: Some(SECRET_KEY_SHAPE),
    listed_fragments: &[ListedFragment::TypeAndLast4],
};

fn capabilities() -> Capabilities {
    Capabilities {
        provider: KIND,
        display_name: KIND.display_name().to_owned(),
        actions: vec![Action::Create, Action::Revoke, Action::Delete],
        create_fields: vec![
            FieldSpec::new("name", "Name", FieldKind::Text)
                .required()
                .length(1, 120)
                .help("A label to recognise the key by."),
            FieldSpec::new("scopes", "Scopes", FieldKind::Scopes)
                .options(&SCOPES)
                .help("No scopes gives a key that can call nothing."),
            FieldSpec::new("environment", "Environment", FieldKind::Environment)
                .options(&["test", "live"])
                .help("Test unless set to live."),
        ],
        tracks_last_used: true,
        tracks_last_used_ip: true,
        pagination: Pagination::None,
        single_active_key: false,
        rotate_grace: None,
        credential_fields: bearer_token("Dashboard token (JWT)"),
        connection_fields: Vec::new(),
    }
}

/// Everything Oligon asks of a draft is in its field specs.
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
    Ok(Arc::new(OligonClient::new(base, token, options)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::validate_draft;

    use crate::providers::tests::draft;

    #[test]
    fn oligon_names_are_1_to_120_characters() {
        assert!(validate_draft(ProviderKind::Oligon, &draft("P")).is_ok());
        assert!(validate_draft(ProviderKind::Oligon, &draft(&"é".repeat(120))).is_ok());
        let error = validate_draft(ProviderKind::Oligon, &draft(&"a".repeat(121))).unwrap_err();
        assert_eq!(error.field(), Some("name"));
        assert!(error.to_string().contains("1–120"));
        assert_eq!(
            validate_draft(ProviderKind::Oligon, &draft("  "))
                .unwrap_err()
                .field(),
            Some("name")
        );
    }

    #[test]
    fn oligon_scopes_must_be_documented_and_distinct() {
        let mut ok = draft("x");
        ok.scopes = vec!["extract:read".into(), "admin:write".into()];
        assert!(validate_draft(ProviderKind::Oligon, &ok).is_ok());
        let mut unknown = draft("x");
        unknown.scopes = vec!["extract:delete".into()];
        let error = validate_draft(ProviderKind::Oligon, &unknown).unwrap_err();
        assert_eq!(error.field(), Some("scopes"));
        assert!(error.to_string().contains("extract:delete"));
        let mut twice = draft("x");
        twice.scopes = vec!["extract:read".into(), "extract:read".into()];
        assert!(validate_draft(ProviderKind::Oligon, &twice).is_err());
    }
}
