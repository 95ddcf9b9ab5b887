//! What Oligon can do, what its forms ask for, and the rules of a draft its field specs
//! cannot say.

use crate::capabilities::{
    Capabilities, FieldKind, FieldSpec, Listed, ListedFacts, Retirement, bearer_token,
};
use crate::error::Error;
use crate::model::{Action, KeyDraft, ProviderKind};
use crate::validate::check_fields;

const KIND: ProviderKind = ProviderKind::Oligon;

/// Oligon's scopes, from the document.
const SCOPES: [&str; 4] = [
    "extract:read",
    "extract:write",
    "analytics:read",
    "admin:write",
];

pub(super) fn capabilities() -> Capabilities {
    let create_fields = vec![
        FieldSpec::key_name(1, 120).help("A label to recognise the key by."),
        FieldSpec::new("scopes", "Scopes", FieldKind::Scopes)
            .options(&SCOPES)
            .help("No scopes gives a key that can call nothing."),
        FieldSpec::environment("Environment").help("Test unless set to live."),
    ];
    let actions = [Action::Create, Action::Revoke, Action::Delete];
    Capabilities {
        retirement: Some(Retirement::CreateThenRevoke),
        tracks_last_used: true,
        tracks_last_used_ip: true,
        credential_fields: bearer_token("Dashboard token (JWT)"),
        // The document lists no expiry; some deployments send one.
        listed: ListedFacts {
            expires_at: Listed::Sometimes,
            ..ListedFacts::ALL
        },
        ..Capabilities::new(KIND, &actions, create_fields)
    }
}

/// Everything Oligon asks of a draft is in its field specs.
pub(super) fn validate(draft: &KeyDraft) -> Result<(), Error> {
    check_fields(&capabilities(), draft)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::providers::tests::{assert_refused, draft};

    #[test]
    fn oligon_names_are_1_to_120_characters() {
        assert!(validate(&draft("P")).is_ok());
        assert!(validate(&draft(&"é".repeat(120))).is_ok());
        let error = validate(&draft(&"a".repeat(121))).unwrap_err();
        assert_eq!(error.field(), Some("name"));
        assert!(error.to_string().contains("1–120"));
        assert_refused(validate(&draft("  ")), "name");
    }

    #[test]
    fn oligon_scopes_must_be_documented_and_distinct() {
        let mut ok = draft("x");
        ok.scopes = vec!["extract:read".into(), "admin:write".into()];
        assert!(validate(&ok).is_ok());
        let mut unknown = draft("x");
        unknown.scopes = vec!["extract:delete".into()];
        let error = validate(&unknown).unwrap_err();
        assert_eq!(error.field(), Some("scopes"));
        assert!(error.to_string().contains("extract:delete"));
        let mut twice = draft("x");
        twice.scopes = vec!["extract:read".into(), "extract:read".into()];
        assert!(validate(&twice).is_err());
    }
}
