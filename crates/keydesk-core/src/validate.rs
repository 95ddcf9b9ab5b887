//! The documents' rules for drafts, checked before any request so a bad form never costs a
//! round trip (and never half-creates a key).

use std::collections::BTreeSet;

use crate::capabilities::{MAX_DAYS, OLIGON_SCOPES, STRAIT_GRACE_MAX_MINUTES};
use crate::error::Error;
use crate::model::{Environment, KeyDraft, ProviderKind};

/// Checks `draft` against `provider`'s documented rules. The error names the first field at
/// fault and the rule it breaks.
pub fn validate_draft(provider: ProviderKind, draft: &KeyDraft) -> Result<(), Error> {
    match provider {
        ProviderKind::Oligon => {
            check_name_length(&draft.name, 1, 120)?;
            check_oligon_scopes(&draft.scopes)?;
            reject_set(provider, "expires_in_days", draft.expires_in_days.is_some())?;
            reject_metadata(provider, draft)?;
            reject_set(provider, "kind", draft.kind.is_some())?;
            reject_rotation(provider, draft)
        }
        ProviderKind::Fiskaly => {
            check_fiskaly_name(&draft.name)?;
            reject_set(provider, "scopes", !draft.scopes.is_empty())?;
            fiskaly_environment(draft)?;
            reject_set(provider, "expires_in_days", draft.expires_in_days.is_some())?;
            check_fiskaly_metadata(draft)?;
            reject_rotation(provider, draft)
        }
        ProviderKind::Syncgram => {
            check_name_length(&draft.name, 1, 255)?;
            reject_set(provider, "scopes", !draft.scopes.is_empty())?;
            check_days("expires_in_days", draft.expires_in_days)?;
            reject_metadata(provider, draft)?;
            reject_set(provider, "kind", draft.kind.is_some())?;
            reject_rotation(provider, draft)
        }
        ProviderKind::Strait => {
            check_name_length(&draft.name, 1, 255)?;
            check_free_scopes(&draft.scopes)?;
            reject_set(provider, "environment", draft.environment.is_some())?;
            if draft.scopes.is_empty() {
                return Err(Error::validation("scopes", "Choose at least one scope."));
            }
            check_days("expires_in_days", draft.expires_in_days)?;
            check_days("rotation_interval_days", draft.rotation_interval_days)?;
            if let (Some(interval), Some(lifetime)) =
                (draft.rotation_interval_days, draft.expires_in_days)
                && interval >= lifetime
            {
                return Err(Error::validation(
                    "rotation_interval_days",
                    format!(
                        "The rotation period ({interval} days) must be shorter than the key's lifetime ({lifetime} days)."
                    ),
                ));
            }
            if let Some(url) = &draft.rotation_webhook_url {
                if draft.rotation_interval_days.is_none() {
                    return Err(Error::validation(
                        "rotation_webhook_url",
                        "A rotation webhook needs a rotation period (rotation_interval_days).",
                    ));
                }
                check_webhook_url(url)?;
            }
            reject_metadata(provider, draft)?;
            reject_set(provider, "kind", draft.kind.is_some())
        }
    }
}

/// Whether `c` changes how text around it is shown instead of being shown itself: a C0 or
/// C1 control (ESC sequences, CR/LF, DEL), a line or paragraph separator, or a bidi mark,
/// embedding, override or isolate (U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069).
/// Names holding one can forge table rows or retitle a terminal, so Keydesk never sends one
/// and escapes them where it prints text a server sent.
pub fn is_control_or_bidi(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Refuses `text` (the value of `field`, called `what` in the message) when it holds a
/// character [`is_control_or_bidi`] picks.
fn check_plain_text(field: &str, what: &str, text: &str) -> Result<(), Error> {
    match text.chars().find(|c| is_control_or_bidi(*c)) {
        Some(found) => Err(Error::validation(
            field,
            format!(
                "{what} must not contain control characters or text-direction marks (it has U+{:04X}).",
                u32::from(found)
            ),
        )),
        None => Ok(()),
    }
}

/// Checks a rotate's grace period against Strait's limit (0 to one week).
pub fn validate_grace(grace_minutes: Option<u32>) -> Result<(), Error> {
    match grace_minutes {
        Some(minutes) if minutes > STRAIT_GRACE_MAX_MINUTES => Err(Error::validation(
            "grace_minutes",
            format!(
                "The grace period can be at most {STRAIT_GRACE_MAX_MINUTES} minutes (one week)."
            ),
        )),
        _ => Ok(()),
    }
}

/// The environment a fiskaly draft asks for, from `environment` or its alias `kind`.
pub(crate) fn fiskaly_environment(draft: &KeyDraft) -> Result<Environment, Error> {
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

fn check_name_length(name: &str, min: usize, max: usize) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(Error::validation("name", "The name is required."));
    }
    check_plain_text("name", "The name", name)?;
    let length = name.chars().count();
    if length < min || length > max {
        return Err(Error::validation(
            "name",
            format!("The name must be {min}–{max} characters long (it has {length})."),
        ));
    }
    Ok(())
}

fn check_fiskaly_name(name: &str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::validation("name", "The name is required."));
    }
    let allowed = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let length = name.chars().count();
    if !allowed || !(3..=30).contains(&length) {
        return Err(Error::validation(
            "name",
            "The name must be 3–30 lowercase letters, digits or hyphens (^[a-z0-9-]{3,30}$).",
        ));
    }
    Ok(())
}

fn check_oligon_scopes(scopes: &[String]) -> Result<(), Error> {
    let mut seen = BTreeSet::new();
    for scope in scopes {
        if !OLIGON_SCOPES.contains(&scope.as_str()) {
            return Err(Error::validation(
                "scopes",
                format!("Unknown scope {scope:?}: use {}.", OLIGON_SCOPES.join(", ")),
            ));
        }
        if !seen.insert(scope) {
            return Err(Error::validation(
                "scopes",
                format!("The scope {scope:?} is listed twice."),
            ));
        }
    }
    Ok(())
}

fn check_free_scopes(scopes: &[String]) -> Result<(), Error> {
    let mut seen = BTreeSet::new();
    for scope in scopes {
        check_plain_text("scopes", "A scope", scope)?;
        if scope.is_empty() || scope.chars().count() > 100 || scope.chars().any(char::is_whitespace)
        {
            return Err(Error::validation(
                "scopes",
                "Each scope must be 1–100 characters without spaces.",
            ));
        }
        if !seen.insert(scope) {
            return Err(Error::validation(
                "scopes",
                format!("The scope {scope:?} is listed twice."),
            ));
        }
    }
    Ok(())
}

fn check_days(field: &str, days: Option<u32>) -> Result<(), Error> {
    match days {
        Some(days) if days == 0 || days > MAX_DAYS => Err(Error::validation(
            field,
            format!(
                "{} must be between 1 and {MAX_DAYS} days.",
                field_label(field)
            ),
        )),
        _ => Ok(()),
    }
}

fn check_fiskaly_metadata(draft: &KeyDraft) -> Result<(), Error> {
    if draft.metadata.len() > 20 {
        return Err(Error::validation(
            "metadata",
            format!(
                "Metadata can have at most 20 entries (it has {}).",
                draft.metadata.len()
            ),
        ));
    }
    for (key, value) in &draft.metadata {
        check_plain_text("metadata", "A metadata key", key)?;
        check_plain_text("metadata", "A metadata value", value)?;
        let key_length = key.chars().count();
        if key_length == 0 || key_length > 40 {
            return Err(Error::validation(
                "metadata",
                "Metadata keys must be 1–40 characters long.",
            ));
        }
        if value.chars().count() > 500 {
            return Err(Error::validation(
                "metadata",
                format!("The metadata value of {key:?} is longer than 500 characters."),
            ));
        }
    }
    Ok(())
}

fn check_webhook_url(text: &str) -> Result<(), Error> {
    if text.chars().count() > 2048 {
        return Err(Error::validation(
            "rotation_webhook_url",
            "The webhook URL is longer than 2048 characters.",
        ));
    }
    match url::Url::parse(text) {
        Ok(url) if url.scheme() == "https" && url.host().is_some() => Ok(()),
        Ok(url) if url.scheme() == "http" && crate::connect::is_loopback(&url) => Ok(()),
        _ => Err(Error::validation(
            "rotation_webhook_url",
            "The webhook URL must be an https:// address.",
        )),
    }
}

fn reject_set(provider: ProviderKind, field: &str, is_set: bool) -> Result<(), Error> {
    if is_set {
        return Err(Error::validation(
            field,
            format!(
                "{} keys have no {}.",
                provider.display_name(),
                field_label(field).to_lowercase()
            ),
        ));
    }
    Ok(())
}

fn reject_metadata(provider: ProviderKind, draft: &KeyDraft) -> Result<(), Error> {
    reject_set(provider, "metadata", !draft.metadata.is_empty())
}

fn reject_rotation(provider: ProviderKind, draft: &KeyDraft) -> Result<(), Error> {
    reject_set(
        provider,
        "rotation_interval_days",
        draft.rotation_interval_days.is_some(),
    )?;
    reject_set(
        provider,
        "rotation_webhook_url",
        draft.rotation_webhook_url.is_some(),
    )
}

fn field_label(field: &str) -> &'static str {
    match field {
        "scopes" => "Scopes",
        "environment" => "Environment",
        "expires_in_days" => "The lifetime",
        "metadata" => "Metadata",
        "kind" => "Kind",
        "rotation_interval_days" => "The rotation period",
        "rotation_webhook_url" => "Rotation webhook",
        _ => "The value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(name: &str) -> KeyDraft {
        KeyDraft {
            name: name.into(),
            ..KeyDraft::default()
        }
    }

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

    #[test]
    fn fiskaly_names_follow_the_pattern_and_kind_is_required() {
        let mut ok = draft("pos-terminal-7");
        ok.environment = Some(Environment::Live);
        assert!(validate_draft(ProviderKind::Fiskaly, &ok).is_ok());
        for bad in ["ab", "Upper", "with space", "under_score", &"a".repeat(31)] {
            let mut key = ok.clone();
            key.name = bad.into();
            assert_eq!(
                validate_draft(ProviderKind::Fiskaly, &key)
                    .unwrap_err()
                    .field(),
                Some("name"),
                "{bad}"
            );
        }
        let mut no_kind = ok.clone();
        no_kind.environment = None;
        assert_eq!(
            validate_draft(ProviderKind::Fiskaly, &no_kind)
                .unwrap_err()
                .field(),
            Some("environment")
        );
        no_kind.kind = Some("test".into());
        assert!(validate_draft(ProviderKind::Fiskaly, &no_kind).is_ok());
        let mut clash = ok.clone();
        clash.kind = Some("test".into());
        assert_eq!(
            validate_draft(ProviderKind::Fiskaly, &clash)
                .unwrap_err()
                .field(),
            Some("kind")
        );
    }

    #[test]
    fn fiskaly_metadata_limits() {
        let mut key = draft("abc");
        key.environment = Some(Environment::Test);
        key.metadata = (0..20)
            .map(|i| (format!("k{i}"), "v".repeat(500)))
            .collect();
        assert!(validate_draft(ProviderKind::Fiskaly, &key).is_ok());
        key.metadata.insert("k20".into(), "v".into());
        assert!(
            validate_draft(ProviderKind::Fiskaly, &key)
                .unwrap_err()
                .to_string()
                .contains("20 entries")
        );
        key.metadata = [("k".repeat(41), "v".to_owned())].into();
        assert_eq!(
            validate_draft(ProviderKind::Fiskaly, &key)
                .unwrap_err()
                .field(),
            Some("metadata")
        );
        key.metadata = [("k".to_owned(), "v".repeat(501))].into();
        assert!(
            validate_draft(ProviderKind::Fiskaly, &key)
                .unwrap_err()
                .to_string()
                .contains("500")
        );
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
    fn fields_a_provider_lacks_are_refused() {
        let mut key = draft("x");
        key.metadata.insert("a".into(), "b".into());
        assert_eq!(
            validate_draft(ProviderKind::Oligon, &key)
                .unwrap_err()
                .field(),
            Some("metadata")
        );
        let mut key = draft("x");
        key.scopes = vec!["a".into()];
        assert_eq!(
            validate_draft(ProviderKind::Syncgram, &key)
                .unwrap_err()
                .field(),
            Some("scopes")
        );
        let mut key = draft("x");
        key.environment = Some(Environment::Live);
        assert_eq!(
            validate_draft(ProviderKind::Strait, &key)
                .unwrap_err()
                .field(),
            Some("environment")
        );
    }

    #[test]
    fn names_with_controls_or_direction_marks_are_refused_before_any_request() {
        for name in [
            "ci\u{1b}]0;pwned\u{7}",
            "row\r\nforged",
            "gnp.\u{202e}exe",
            "\u{2066}iso",
            "mark\u{200f}",
            "c1\u{9b}",
        ] {
            for provider in [
                ProviderKind::Oligon,
                ProviderKind::Syncgram,
                ProviderKind::Strait,
                ProviderKind::Fiskaly,
            ] {
                let mut key = draft(name);
                key.scopes = match provider {
                    ProviderKind::Strait => vec!["read".into()],
                    _ => Vec::new(),
                };
                key.environment = (provider == ProviderKind::Fiskaly).then_some(Environment::Test);
                let error = validate_draft(provider, &key).unwrap_err();
                assert_eq!(error.field(), Some("name"), "{provider} {name:?}");
                if provider != ProviderKind::Fiskaly {
                    assert!(
                        error.to_string().contains("control characters"),
                        "{provider}: {error}"
                    );
                }
            }
        }
        assert!(validate_draft(ProviderKind::Oligon, &draft("Zürich – CI ✓")).is_ok());
        let mut fiskaly = draft("pos-1");
        fiskaly.environment = Some(Environment::Test);
        fiskaly.metadata = [("team".to_owned(), "a\u{1b}[2J".to_owned())].into();
        let error = validate_draft(ProviderKind::Fiskaly, &fiskaly).unwrap_err();
        assert_eq!(error.field(), Some("metadata"));
        assert!(error.to_string().contains("U+001B"), "{error}");
        fiskaly.metadata = [("te\u{202e}am".to_owned(), "a".to_owned())].into();
        assert_eq!(
            validate_draft(ProviderKind::Fiskaly, &fiskaly)
                .unwrap_err()
                .field(),
            Some("metadata")
        );
        let mut strait = draft("svc");
        strait.scopes = vec!["read\u{200e}".into()];
        assert_eq!(
            validate_draft(ProviderKind::Strait, &strait)
                .unwrap_err()
                .field(),
            Some("scopes")
        );
    }

    #[test]
    fn grace_is_at_most_a_week() {
        assert!(validate_grace(Some(10_080)).is_ok());
        assert!(validate_grace(None).is_ok());
        assert_eq!(
            validate_grace(Some(10_081)).unwrap_err().field(),
            Some("grace_minutes")
        );
    }
}
