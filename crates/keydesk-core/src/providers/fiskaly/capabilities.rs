//! What fiskaly can do, what its forms ask for, and the rules of a draft its field specs
//! cannot say.

use crate::capabilities::{
    Capabilities, ConnectionField, ConnectionFieldSpec, CredentialField, CredentialName, FieldKind,
    FieldSpec, Listed, ListedFacts, Pagination, Retirement,
};
use crate::error::Error;
use crate::model::{Action, Environment, KeyDraft, ProviderKind};
use crate::validate::check_fields;

const KIND: ProviderKind = ProviderKind::Fiskaly;

/// Key names: lowercase letters, digits and hyphens, this many characters.
const NAME_LENGTH: (u32, u32) = (3, 30);
/// Metadata: most entries, longest key, longest value.
const METADATA_LIMITS: (u32, u32, u32) = (20, 40, 500);

pub(super) fn capabilities() -> Capabilities {
    let (min, max) = NAME_LENGTH;
    let (entries, key_length, value_length) = METADATA_LIMITS;
    let create_fields = vec![
        FieldSpec::key_name(min, max).pattern(
            &format!("^[a-z0-9-]{{{min},{max}}}$"),
            &format!("{min}–{max} lowercase letters, digits or hyphens"),
        ),
        FieldSpec::environment("Kind").required(),
        FieldSpec::new("metadata", "Metadata", FieldKind::Metadata)
            .help(&format!(
                "Up to {entries} entries; keys up to {key_length} characters, values up to {value_length}."
            ))
            .entries(entries, key_length, value_length),
    ];
    let actions = [
        Action::Create,
        Action::Delete,
        Action::Enable,
        Action::Disable,
    ];
    Capabilities {
        retirement: Some(Retirement::CreateThenDisable),
        pagination: Pagination::Offset,
        credential_fields: vec![
            CredentialField::new(CredentialName::ApiKey, "API key", false),
            CredentialField::new(CredentialName::ApiSecret, "API secret", true),
        ],
        connection_fields: vec![ConnectionFieldSpec::id_of(
            ConnectionField::OrgId,
            "organisation",
        )],
        // fiskaly keys have no scopes and do not expire.
        listed: ListedFacts {
            scopes: Listed::Never,
            expires_at: Listed::Never,
            ..ListedFacts::ALL
        },
        ..Capabilities::new(KIND, &actions, create_fields)
    }
}

/// The field specs, once `kind` (fiskaly's word for the environment) is resolved: its rules
/// come first, so a draft with `kind` alone passes the required environment.
pub(super) fn validate(draft: &KeyDraft) -> Result<(), Error> {
    let environment = environment(draft)?;
    let resolved = KeyDraft {
        environment: Some(environment),
        kind: None,
        ..draft.clone()
    };
    check_fields(&capabilities(), &resolved)
}

/// The environment a draft asks for, from `environment` or its alias `kind`.
pub(super) fn environment(draft: &KeyDraft) -> Result<Environment, Error> {
    let from_kind = match draft.kind.as_deref() {
        None => None,
        Some("live") => Some(Environment::Live),
        Some("test") => Some(Environment::Test),
        Some(_) => {
            return Err(Error::validation(
                "kind",
                "The kind must be \"live\" or \"test\".",
            ));
        }
    };
    match (draft.environment, from_kind) {
        (Some(environment), Some(kind)) if environment != kind => Err(Error::validation(
            "kind",
            "The kind and the environment disagree; set one of them.",
        )),
        (Some(environment), _) | (None, Some(environment)) => Ok(environment),
        (None, None) => Err(Error::validation(
            "environment",
            "fiskaly needs the key's kind: live or test.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::providers::tests::{assert_refused, draft};

    #[test]
    fn capabilities_serialize_in_the_ipc_shape() {
        let fiskaly = serde_json::to_value(capabilities()).unwrap();
        assert_eq!(fiskaly["create_fields"][0]["pattern"], "^[a-z0-9-]{3,30}$");
        assert_eq!(
            fiskaly["create_fields"][0]["pattern_hint"],
            "3–30 lowercase letters, digits or hyphens"
        );
        assert_eq!(fiskaly["create_fields"][2]["kind"], "metadata");
        assert_eq!(
            fiskaly["create_fields"][2]["help"],
            "Up to 20 entries; keys up to 40 characters, values up to 500."
        );
        assert_eq!(
            fiskaly["actions"],
            json!(["create", "delete", "enable", "disable"])
        );
        assert_eq!(
            fiskaly["connection_fields"][0],
            json!({"name": "org_id", "label": "Organisation id",
                   "help": "The organisation whose API keys Keydesk manages."})
        );
    }

    #[test]
    fn fiskaly_names_follow_the_pattern_and_kind_is_required() {
        let mut ok = draft("pos-terminal-7");
        ok.environment = Some(Environment::Live);
        assert!(validate(&ok).is_ok());
        for bad in ["ab", "Upper", "with space", "under_score", &"a".repeat(31)] {
            let mut key = ok.clone();
            key.name = bad.into();
            assert_eq!(validate(&key).unwrap_err().field(), Some("name"), "{bad}");
        }
        let mut no_kind = ok.clone();
        no_kind.environment = None;
        assert_refused(validate(&no_kind), "environment");
        no_kind.kind = Some("test".into());
        assert!(validate(&no_kind).is_ok());
        let mut clash = ok.clone();
        clash.kind = Some("test".into());
        assert_refused(validate(&clash), "kind");
    }

    #[test]
    fn a_refused_name_names_what_breaks_the_rule() {
        let mut key = draft("Bad Name");
        key.environment = Some(Environment::Test);
        let message = |key: &KeyDraft| validate(key).unwrap_err().to_string();
        assert_eq!(
            message(&key),
            "The name cannot contain \"B\", a space or \"N\" \
             (3–30 lowercase letters, digits or hyphens)."
        );
        key.name = "ab".into();
        assert_eq!(
            message(&key),
            "The name \"ab\" must be 3–30 lowercase letters, digits or hyphens."
        );
    }

    #[test]
    fn fiskaly_metadata_limits() {
        let mut key = draft("abc");
        key.environment = Some(Environment::Test);
        key.metadata = (0..20)
            .map(|i| (format!("k{i}"), "v".repeat(500)))
            .collect();
        assert!(validate(&key).is_ok());
        key.metadata.insert("k20".into(), "v".into());
        assert!(
            validate(&key)
                .unwrap_err()
                .to_string()
                .contains("20 entries")
        );
        key.metadata = [("k".repeat(41), "v".to_owned())].into();
        assert_refused(validate(&key), "metadata");
        assert_eq!(
            validate(&key).unwrap_err().to_string(),
            format!(
                "The metadata key \"{}\" is longer than 40 characters.",
                "k".repeat(41)
            )
        );
        key.metadata = [("k".to_owned(), "v".repeat(501))].into();
        assert!(validate(&key).unwrap_err().to_string().contains("500"));
    }
}
