//! Replacing a key: the successor's draft, with the old key's settings, and what the caller
//! chose about the old key. How the old key is retired is each provider's
//! [`Retirement`](crate::Retirement), declared in its capabilities.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::capabilities::Capabilities;
use crate::error::ErrorKind;
use crate::model::{Key, KeyDraft};
use crate::validate::check_field_named;

/// What the user chose about the old key, where the provider's way leaves a choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ReplaceOptions {
    /// A native rotate: minutes the old key keeps working (0 = it stops at once); `None`
    /// takes the provider's default.
    pub grace_minutes: Option<u32>,
    /// Create-then-revoke: leave the old key active, for the user to revoke once the
    /// service uses the successor.
    pub keep_old: bool,
    /// Create-then-revoke: revoke the old key this many minutes after the successor exists
    /// (the app keeps the schedule across restarts); `None` or 0: at once.
    pub revoke_after_minutes: Option<u32>,
}

/// Creates tried once the old key is revoked (a revoke-first replace) before giving up, all
/// with one idempotency key so a create whose answer was lost is not made twice.
pub const CREATE_TRIES_AFTER_REVOKE: u32 = 3;

/// Whether a create that failed after the old key was revoked is worth trying again: a
/// network, server or rate-limit failure may pass; a refused draft or credential would not.
pub fn worth_retrying(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Network | ErrorKind::Server | ErrorKind::RateLimited
    )
}

/// Name endings a successor may get, tried in order until the provider's name rule takes
/// one (a fiskaly name allows only lowercase letters, digits and hyphens).
const SUFFIXES: [&str; 3] = [" (replacement)", "-replacement", "-r"];

/// The draft of the key that replaces `key`, with its settings as far as `capabilities`'
/// create form has them: the name with a suffix (within the name's length limit), scopes,
/// environment, metadata, rotation settings and lifetime.
///
/// The lifetime is what `key` had left at `now` (whole days, rounded up, at least one): a
/// successor ends when its predecessor would have, so a replace never extends how long a
/// credential lives; lists do not say what lifetime a key was created with anyway.
pub fn successor_draft(key: &Key, capabilities: &Capabilities, now: DateTime<Utc>) -> KeyDraft {
    let has = |field: &str| capabilities.field(field).is_some();
    let mut draft = KeyDraft {
        name: successor_name(&key.name, capabilities),
        ..KeyDraft::default()
    };
    if has("scopes") {
        draft.scopes.clone_from(&key.scopes);
    }
    if has("environment") {
        draft.environment = key.environment;
    }
    if has("metadata") {
        draft.metadata = key
            .metadata
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect();
    }
    if has("expires_in_days") {
        draft.expires_in_days = key.expires_at.map(|end| days_left(now, end));
    }
    let rotation = key.rotation.as_ref();
    if has("rotation_interval_days") {
        // A key rotates before it expires: an interval the shorter lifetime no longer
        // allows is left out rather than refused.
        draft.rotation_interval_days = rotation
            .and_then(|rotation| rotation.interval_days)
            .filter(|interval| draft.expires_in_days.is_none_or(|days| interval < &days));
    }
    if has("rotation_webhook_url") && draft.rotation_interval_days.is_some() {
        draft.rotation_webhook_url = rotation.and_then(|rotation| rotation.webhook_url.clone());
    }
    draft
}

/// `name` without an earlier replacement's suffix, cut to fit, plus the first suffix the
/// provider's name rule accepts; `name` itself when none fits.
fn successor_name(name: &str, capabilities: &Capabilities) -> String {
    let base = SUFFIXES
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name);
    let max = capabilities
        .field("name")
        .and_then(|field| field.max_length)
        .map_or(usize::MAX, |max| max as usize);
    SUFFIXES
        .iter()
        .map(|suffix| {
            let room = max.saturating_sub(suffix.chars().count());
            let cut: String = base.chars().take(room).collect();
            format!("{}{suffix}", cut.trim_end())
        })
        .find(|candidate| {
            let draft = KeyDraft {
                name: candidate.clone(),
                ..KeyDraft::default()
            };
            check_field_named(capabilities, &draft, "name").is_ok()
        })
        .unwrap_or_else(|| name.to_owned())
}

/// Whole days from `now` until `end`, rounded up, at least one.
fn days_left(now: DateTime<Utc>, end: DateTime<Utc>) -> u32 {
    let seconds = (end - now).num_seconds().max(1);
    let days = (seconds + 86_399) / 86_400;
    u32::try_from(days).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{Environment, KeyStatus, ProviderKind, Rotation};
    use crate::providers::validate_draft;

    fn now() -> DateTime<Utc> {
        "2026-06-01T12:00:00Z".parse().unwrap()
    }

    fn key(name: &str) -> Key {
        Key {
            id: "k1".into(),
            name: name.into(),
            masked: String::new(),
            environment: Some(Environment::Live),
            scopes: vec!["extract:read".into()],
            status: KeyStatus::Active,
            created_at: None,
            last_used_at: None,
            last_used_ip: None,
            expires_at: Some("2026-06-11T00:00:00Z".parse().unwrap()),
            revoked_at: None,
            rotation: None,
            metadata: BTreeMap::from([("team".into(), "pos".to_owned())]),
            raw: crate::model::RawJson::default(),
        }
    }

    fn successor(provider: ProviderKind, key: &Key) -> KeyDraft {
        let draft = successor_draft(key, &provider.capabilities(), now());
        validate_draft(provider, &draft).unwrap();
        draft
    }

    #[test]
    fn only_passing_failures_are_retried_after_a_revoke() {
        assert!(worth_retrying(ErrorKind::Server) && worth_retrying(ErrorKind::RateLimited));
        assert!(worth_retrying(ErrorKind::Network));
        assert!(!worth_retrying(ErrorKind::Validation) && !worth_retrying(ErrorKind::Forbidden));
    }

    #[test]
    fn every_provider_declares_how_it_retires_a_key() {
        for provider in ProviderKind::ALL {
            assert!(provider.capabilities().retirement.is_some(), "{provider}");
        }
    }

    #[test]
    fn oligon_keeps_scopes_and_environment() {
        let draft = successor(ProviderKind::Oligon, &key("Production"));
        assert_eq!(draft.name, "Production (replacement)");
        assert_eq!(draft.scopes, ["extract:read"]);
        assert_eq!(draft.environment, Some(Environment::Live));
        // Oligon's form has no lifetime or metadata.
        assert_eq!(draft.expires_in_days, None);
        assert!(draft.metadata.is_empty());
    }

    #[test]
    fn fiskaly_names_take_a_suffix_its_pattern_allows() {
        let mut old = key("pos-terminal-7");
        old.scopes.clear();
        let draft = successor(ProviderKind::Fiskaly, &old);
        assert_eq!(draft.name, "pos-terminal-7-replacement");
        assert_eq!(draft.metadata["team"], "pos");
        assert_eq!(draft.environment, Some(Environment::Live));
        old.name = "a".repeat(30);
        let draft = successor(ProviderKind::Fiskaly, &old);
        assert_eq!(draft.name, format!("{}-replacement", "a".repeat(18)));
        assert_eq!(draft.name.len(), 30);
    }

    #[test]
    fn syncgram_keeps_the_remaining_lifetime() {
        let mut old = key("Main");
        old.scopes.clear();
        old.metadata.clear();
        let draft = successor(ProviderKind::Syncgram, &old);
        assert_eq!(draft.name, "Main (replacement)");
        // 9 days and 12 hours left: rounded up.
        assert_eq!(draft.expires_in_days, Some(10));
        old.expires_at = None;
        assert_eq!(
            successor(ProviderKind::Syncgram, &old).expires_in_days,
            None
        );
        old.expires_at = Some("2026-06-01T11:00:00Z".parse().unwrap());
        assert_eq!(
            successor(ProviderKind::Syncgram, &old).expires_in_days,
            Some(1)
        );
    }

    #[test]
    fn strait_keeps_rotation_settings_the_lifetime_still_allows() {
        let mut old = key(&"s".repeat(255));
        old.environment = None;
        old.metadata.clear();
        old.rotation = Some(Rotation {
            interval_days: Some(7),
            webhook_url: Some("https://hooks.example.test/rotate".into()),
            ..Rotation::default()
        });
        let draft = successor(ProviderKind::Strait, &old);
        assert_eq!(draft.name.chars().count(), 255);
        assert!(draft.name.ends_with(" (replacement)"));
        assert_eq!(draft.rotation_interval_days, Some(7));
        assert_eq!(
            draft.rotation_webhook_url.as_deref(),
            Some("https://hooks.example.test/rotate")
        );
        old.rotation = Some(Rotation {
            interval_days: Some(30),
            webhook_url: Some("https://hooks.example.test/rotate".into()),
            ..Rotation::default()
        });
        let draft = successor(ProviderKind::Strait, &old);
        assert_eq!(draft.rotation_interval_days, None);
        assert_eq!(draft.rotation_webhook_url, None);
    }

    #[test]
    fn a_replacement_of_a_replacement_does_not_stack_suffixes() {
        let draft = successor(ProviderKind::Oligon, &key("Production (replacement)"));
        assert_eq!(draft.name, "Production (replacement)");
    }
}
