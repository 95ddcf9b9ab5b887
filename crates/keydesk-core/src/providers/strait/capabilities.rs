//! What Strait can do, what its forms ask for, and the rules of a draft its field specs
//! cannot say.

use crate::capabilities::{
    Capabilities, ConnectionField, ConnectionFieldSpec, FieldKind, FieldSpec, Listed, ListedFacts,
    MAX_DAYS, Pagination, Retirement, RotateGrace, bearer_token,
};
use crate::error::Error;
use crate::model::{Action, KeyDraft, ProviderKind};
use crate::validate::check_fields;

const KIND: ProviderKind = ProviderKind::Strait;

/// The default rotation grace period, in minutes.
const GRACE_DEFAULT_MINUTES: u32 = 60;
/// The longest rotation grace period (one week), in minutes.
const GRACE_MAX_MINUTES: u32 = 10_080;

pub(super) fn capabilities() -> Capabilities {
    let create_fields = vec![
        FieldSpec::key_name(1, 255),
        FieldSpec::new("scopes", "Scopes", FieldKind::Scopes)
            .required()
            .help("Free-form scope names; at least one."),
        FieldSpec::expires_in_days(),
        FieldSpec::new(
            "rotation_interval_days",
            "Rotate every (days)",
            FieldKind::Integer,
        )
        .range(1, MAX_DAYS)
        .less_than("expires_in_days")
        .help("Shorter than the lifetime, when both are set."),
        FieldSpec::new("rotation_webhook_url", "Rotation webhook", FieldKind::Url)
            .length(1, 2048)
            .help("Called on every rotation; its signing secret is shown once.")
            .requires("rotation_interval_days"),
    ];
    let actions = [Action::Create, Action::Revoke, Action::Rotate];
    Capabilities {
        retirement: Some(Retirement::Rotate),
        tracks_last_used: true,
        pagination: Pagination::Cursor,
        rotate_grace: Some(RotateGrace {
            default_minutes: GRACE_DEFAULT_MINUTES,
            max_minutes: GRACE_MAX_MINUTES,
        }),
        credential_fields: bearer_token("Admin token"),
        connection_fields: vec![ConnectionFieldSpec::id_of(
            ConnectionField::ProjectId,
            "project",
        )],
        // No live or test: a key may belong to one of the project's environments instead.
        listed: ListedFacts {
            environment: Listed::Sometimes,
            ..ListedFacts::ALL
        },
        environment_metadata: Some("environment_id".to_owned()),
        ..Capabilities::new(KIND, &actions, create_fields)
    }
}

/// The field specs (a key rotates before it expires is one of them: `less_than`).
pub(super) fn validate(draft: &KeyDraft) -> Result<(), Error> {
    check_fields(&capabilities(), draft)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::check_grace;
    use serde_json::json;

    use crate::providers::tests::{assert_refused, draft};

    #[test]
    fn capabilities_serialize_in_the_ipc_shape() {
        let caps = serde_json::to_value(capabilities()).unwrap();
        assert_eq!(caps["provider"], "strait");
        assert_eq!(caps["pagination"], "cursor");
        assert_eq!(
            caps["rotate_grace"],
            json!({"default_minutes": 60, "max_minutes": 10080})
        );
        assert_eq!(caps["connection_fields"][0]["name"], "project_id");
        assert_eq!(caps["connection_fields"][0]["label"], "Project id");
        assert_eq!(caps["credential_fields"][0]["name"], "token");
        assert_eq!(
            caps["listed"],
            json!({"masked": "always", "environment": "sometimes", "scopes": "always",
                   "expires_at": "always"})
        );
        assert_eq!(caps["environment_metadata"], "environment_id");
    }

    #[test]
    fn strait_rotation_rules() {
        let mut key = draft("svc");
        key.scopes = vec!["keys:read".into()];
        key.expires_in_days = Some(90);
        key.rotation_interval_days = Some(30);
        key.rotation_webhook_url = Some("https://hooks.example.test/rotate".into());
        assert!(validate(&key).is_ok());
        let mut long = key.clone();
        long.rotation_interval_days = Some(90);
        assert_refused(validate(&long), "rotation_interval_days");
        assert_eq!(
            validate(&long).unwrap_err().to_string(),
            "The rotation period (90 days) must be shorter than the lifetime (90 days)."
        );
        let mut orphan_hook = key.clone();
        orphan_hook.rotation_interval_days = None;
        assert_refused(validate(&orphan_hook), "rotation_webhook_url");
        let mut plain_http = key.clone();
        plain_http.rotation_webhook_url = Some("http://hooks.example.test/rotate".into());
        assert!(validate(&plain_http).is_err());
        let mut zero = key.clone();
        zero.expires_in_days = Some(0);
        assert_refused(validate(&zero), "expires_in_days");
    }

    #[test]
    fn a_refused_scope_is_named() {
        let mut key = draft("svc");
        key.scopes = vec!["keys:read".into(), "jobs write".into()];
        assert_eq!(
            validate(&key).unwrap_err().to_string(),
            "The scope \"jobs write\" must be 1–100 characters without spaces."
        );
        key.scopes = vec![String::new()];
        assert_eq!(
            validate(&key).unwrap_err().to_string(),
            "Each scope must be 1–100 characters without spaces."
        );
    }

    #[test]
    fn grace_is_at_most_a_week() {
        assert!(check_grace(&capabilities(), Some(10_080)).is_ok());
        assert!(check_grace(&capabilities(), None).is_ok());
        assert_refused(check_grace(&capabilities(), Some(10_081)), "grace_minutes");
    }
}
