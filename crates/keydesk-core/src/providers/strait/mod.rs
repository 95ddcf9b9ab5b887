//! Strait project keys: `/v1/api-keys` with an admin token, cursor paging, rotation with a
//! grace period. Keys are `strait_` and 64 hex digits, listed by their first 12 characters.

mod client;
mod wire;

use std::sync::Arc;

use client::StraitClient;
pub use wire::decode_rotated_key;

use super::Definition;
use crate::auth::Credentials;
use crate::capabilities::{
    Capabilities, ConnectionField, ConnectionFieldSpec, FieldKind, FieldSpec, MAX_DAYS, Pagination,
    RotateGrace, bearer_token,
};
use crate::connect::{ConnectionConfig, bearer_token as token_of, required_setting};
use crate::decode::SECRET_FIELDS;
use crate::error::Error;
use crate::http::HttpOptions;
use crate::leak::{ListedFragment, PastedKeyShape};
use crate::model::{Action, KeyDraft, ProviderKind};
use crate::provider::Provider;
use crate::validate::check_fields;

const KIND: ProviderKind = ProviderKind::Strait;

/// The default rotation grace period, in minutes.
const GRACE_DEFAULT_MINUTES: u32 = 60;
/// The longest rotation grace period (one week), in minutes.
const GRACE_MAX_MINUTES: u32 = 10_080;

pub(super) static DEFINITION: Definition = Definition {
    capabilities,
    validate,
    normalize: wire::normalize,
    secret_fields: &SECRET_FIELDS,
    connect,
    pasted_key: Some(PastedKeyShape {
        prefixes: &["strait_"],
        hex_digits: Some(64),
        shown_head: 12,
    }),
    listed_fragments: &[ListedFragment::KeyPrefix],
};

fn capabilities() -> Capabilities {
    Capabilities {
        provider: KIND,
        display_name: KIND.display_name().to_owned(),
        actions: vec![Action::Create, Action::Revoke, Action::Rotate],
        create_fields: vec![
            FieldSpec::new("name", "Name", FieldKind::Text)
                .required()
                .length(1, 255),
            FieldSpec::new("scopes", "Scopes", FieldKind::Scopes)
                .required()
                .help("Free-form scope names; at least one."),
            FieldSpec::new("expires_in_days", "Expires in (days)", FieldKind::Integer)
                .range(1, MAX_DAYS),
            FieldSpec::new(
                "rotation_interval_days",
                "Rotate every (days)",
                FieldKind::Integer,
            )
            .range(1, MAX_DAYS)
            .help("Shorter than the lifetime, when both are set."),
            FieldSpec::new("rotation_webhook_url", "Rotation webhook", FieldKind::Url)
                .length(1, 2048)
                .help("Called on every rotation; its signing secret is shown once.")
                .requires("rotation_interval_days"),
        ],
        tracks_last_used: true,
        tracks_last_used_ip: false,
        pagination: Pagination::Cursor,
        single_active_key: false,
        rotate_grace: Some(RotateGrace {
            default_minutes: GRACE_DEFAULT_MINUTES,
            max_minutes: GRACE_MAX_MINUTES,
        }),
        credential_fields: bearer_token("Admin token"),
        connection_fields: vec![ConnectionFieldSpec {
            name: ConnectionField::ProjectId,
            label: "Project id".to_owned(),
            help: Some("The project whose API keys Keydesk manages.".to_owned()),
        }],
    }
}

/// The field specs, then what they cannot say: a key rotates before it expires.
fn validate(draft: &KeyDraft) -> Result<(), Error> {
    check_fields(&capabilities(), draft)?;
    if let (Some(interval), Some(lifetime)) = (draft.rotation_interval_days, draft.expires_in_days)
        && interval >= lifetime
    {
        return Err(Error::validation(
            "rotation_interval_days",
            format!(
                "The rotation period ({interval} days) must be shorter than the key's lifetime ({lifetime} days)."
            ),
        ));
    }
    Ok(())
}

fn connect(
    base: &url::Url,
    config: ConnectionConfig,
    credentials: Credentials,
    options: HttpOptions,
) -> Result<Arc<dyn Provider>, Error> {
    let token = token_of(KIND, credentials)?;
    let project_id = required_setting(&config, ConnectionField::ProjectId)?;
    Ok(Arc::new(StraitClient::new(
        base, project_id, token, options,
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{validate_draft, validate_grace};
    use serde_json::json;

    use crate::providers::tests::draft;

    #[test]
    fn capabilities_serialize_in_the_ipc_shape() {
        let caps = serde_json::to_value(KIND.capabilities()).unwrap();
        assert_eq!(caps["provider"], "strait");
        assert_eq!(caps["pagination"], "cursor");
        assert_eq!(
            caps["rotate_grace"],
            json!({"default_minutes": 60, "max_minutes": 10080})
        );
        assert_eq!(caps["connection_fields"][0]["name"], "project_id");
        assert_eq!(caps["connection_fields"][0]["label"], "Project id");
        assert_eq!(caps["credential_fields"][0]["name"], "token");
    }

    #[test]
    fn strait_rotation_rules() {
        let mut key = draft("svc");
        key.scopes = vec!["keys:read".into()];
        key.expires_in_days = Some(90);
        key.rotation_interval_days = Some(30);
        key.rotation_webhook_url = Some("https://hooks.example.test/rotate".into());
        assert!(validate_draft(ProviderKind::Strait, &key).is_ok());
        let mut long = key.clone();
        long.rotation_interval_days = Some(90);
        assert_eq!(
            validate_draft(ProviderKind::Strait, &long)
                .unwrap_err()
                .field(),
            Some("rotation_interval_days")
        );
        let mut orphan_hook = key.clone();
        orphan_hook.rotation_interval_days = None;
        assert_eq!(
            validate_draft(ProviderKind::Strait, &orphan_hook)
                .unwrap_err()
                .field(),
            Some("rotation_webhook_url")
        );
        let mut plain_http = key.clone();
        plain_http.rotation_webhook_url = Some("http://hooks.example.test/rotate".into());
        assert!(validate_draft(ProviderKind::Strait, &plain_http).is_err());
        let mut zero = key.clone();
        zero.expires_in_days = Some(0);
        assert_eq!(
            validate_draft(ProviderKind::Strait, &zero)
                .unwrap_err()
                .field(),
            Some("expires_in_days")
        );
    }

    #[test]
    fn grace_is_at_most_a_week() {
        assert!(validate_grace(KIND, Some(10_080)).is_ok());
        assert!(validate_grace(KIND, None).is_ok());
        assert_eq!(
            validate_grace(KIND, Some(10_081)).unwrap_err().field(),
            Some("grace_minutes")
        );
    }
}
