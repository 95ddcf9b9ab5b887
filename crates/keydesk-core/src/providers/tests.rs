//! Tests of the machinery every provider shares, run against the providers' real formats.

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::calls::{API_KEY, created_key};
use super::decode::{decode_key, decode_list};
use super::dispatch::{connect, definition, lists_fragment, validate_draft};
use crate::auth::Credentials;
use crate::connect::ConnectionConfig;
use crate::error::Error;
use crate::http::Reply;
use crate::leak::{KeyFormat, LeakFingerprint, LeakResult, MAX_PASTED_KEY_BYTES, find_leaked};
use crate::model::{Action, Environment, Key, KeyDraft, ProviderKind};
use crate::normalize::{decode_page, split_created};

/// A draft with only a name, for the providers' draft-rule tests.
pub(crate) fn draft(name: &str) -> KeyDraft {
    KeyDraft {
        name: name.into(),
        ..KeyDraft::default()
    }
}

/// Asserts that a check refused what it checked for `field`.
#[track_caller]
pub(crate) fn assert_refused(checked: Result<(), Error>, field: &str) {
    assert_eq!(checked.unwrap_err().field(), Some(field));
}

#[test]
fn every_provider_names_its_draft_fields_and_creates() {
    let draft_fields = serde_json::to_value(KeyDraft::default()).unwrap();
    for provider in ProviderKind::ALL {
        let caps = provider.capabilities();
        assert!(caps.supports(Action::Create));
        assert_eq!(caps.field("name").map(|f| f.required), Some(true));
        for field in &caps.create_fields {
            assert!(draft_fields.get(&field.name).is_some(), "{}", field.name);
        }
    }
}

fn token() -> Credentials {
    Credentials::Bearer(SecretString::from("fake-token"))
}

fn config(provider: ProviderKind, base_url: &str) -> ConnectionConfig {
    ConnectionConfig {
        provider,
        base_url: base_url.into(),
        org_id: None,
        project_id: None,
    }
}

#[test]
fn providers_get_the_settings_and_credentials_they_need() {
    assert!(connect(config(ProviderKind::Oligon, "https://x.test"), token()).is_ok());
    let error = connect(config(ProviderKind::Strait, "https://x.test"), token())
        .err()
        .unwrap();
    assert_eq!(error.field(), Some("project_id"));
    let error = connect(config(ProviderKind::Fiskaly, "https://x.test"), token())
        .err()
        .unwrap();
    assert_eq!(error.field(), Some("api_key"));
    let fiskaly = Credentials::FiskalyKey {
        api_key: SecretString::from("k"),
        api_secret: SecretString::from("s"),
    };
    let error = connect(config(ProviderKind::Fiskaly, "https://x.test"), fiskaly)
        .err()
        .unwrap();
    assert_eq!(error.field(), Some("org_id"));
    let empty = Credentials::Bearer(SecretString::from(" "));
    assert_eq!(
        connect(config(ProviderKind::Oligon, "https://x.test"), empty)
            .err()
            .unwrap()
            .field(),
        Some("token")
    );
}

#[test]
fn a_created_answer_is_read_into_secrets_and_its_bytes_zeroized() {
    let mut reply = Reply {
        request_id: None,
        bytes: br#"{"success": true, "data": {"api_key_id": "k1", "key_name": "ci",
            "key": "sk_live_fakefakefakefake1234"}}"#
            .to_vec()
            .into(),
    };
    let format = definition(ProviderKind::Syncgram).wire;
    let decode = |body: &_| crate::normalize::decode_key(format, body);
    let (key, secrets) = created_key(format, &mut reply, &[API_KEY], decode).unwrap();
    assert_eq!(key.id, "k1");
    assert_eq!(key.masked, "sk_live_…1234");
    assert!(key.raw.get("key").is_none());
    let secrets = secrets.unwrap();
    assert_eq!(
        secrets[0].value.expose_secret(),
        "sk_live_fakefakefakefake1234"
    );
    assert!(reply.bytes.iter().all(|byte| *byte == 0), "zeroized");

    let mut unreadable = Reply {
        request_id: None,
        bytes: b"<html>sk_live_fakefakefakefake1234</html>".to_vec().into(),
    };
    assert!(created_key(format, &mut unreadable, &[API_KEY], decode).is_err());
    assert!(
        unreadable.bytes.iter().all(|byte| *byte == 0),
        "zeroized too"
    );
}

#[test]
fn fields_a_provider_lacks_are_refused() {
    let mut key = draft("x");
    key.metadata.insert("a".into(), "b".into());
    assert_refused(validate_draft(ProviderKind::Oligon, &key), "metadata");
    let mut key = draft("x");
    key.scopes = vec!["a".into()];
    assert_refused(validate_draft(ProviderKind::Syncgram, &key), "scopes");
    let mut key = draft("x");
    key.environment = Some(Environment::Live);
    assert_refused(validate_draft(ProviderKind::Strait, &key), "environment");
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
    assert_refused(validate_draft(ProviderKind::Fiskaly, &fiskaly), "metadata");
    let mut strait = draft("svc");
    strait.scopes = vec!["read\u{200e}".into()];
    assert_refused(validate_draft(ProviderKind::Strait, &strait), "scopes");
}

#[test]
fn paging_facts_beside_the_keys() {
    let page = decode_page(
        definition(ProviderKind::Fiskaly).wire,
        br#"{"success": true, "data": {"data": [], "count": 250}}"#,
    )
    .unwrap();
    assert_eq!(page.count, Some(250));
    let cursor = |text: &str| {
        decode_page(definition(ProviderKind::Strait).wire, text.as_bytes())
            .unwrap()
            .next_cursor
    };
    assert_eq!(
        cursor(r#"{"data": [], "next_cursor": "c2", "has_more": true}"#).as_deref(),
        Some("c2")
    );
    assert_eq!(
        cursor(r#"{"data": [], "next_cursor": "c2", "has_more": false}"#),
        None
    );
    assert_eq!(cursor(r#"{"data": [], "next_cursor": null}"#), None);
    assert_eq!(cursor("[]"), None);
}

#[test]
fn a_list_that_is_not_a_list_is_a_server_error() {
    let error = decode_list(ProviderKind::Oligon, &json!({"oops": 1})).unwrap_err();
    assert_eq!(error.kind(), crate::ErrorKind::Server);
    assert!(
        decode_list(
            ProviderKind::Strait,
            &json!({"data": [], "next_cursor": null})
        )
        .unwrap()
        .is_empty()
    );
}

#[test]
fn a_created_answer_splits_into_secrets_and_a_key_without_them() {
    let text = br#"{"success": true, "data": {"api_key_id": "k1", "key_name": "n",
        "key": "sk_live_fake\u0041fakefake1234", "secret": "", "rotation_webhook_secret": 7}}"#;
    let mut answer = split_created(
        definition(ProviderKind::Syncgram).wire,
        text,
        &["key", "secret", "rotation_webhook_secret"],
    )
    .unwrap();
    assert_eq!(
        answer.take_secret("key").unwrap().expose_secret(),
        "sk_live_fakeAfakefake1234"
    );
    assert!(answer.take_secret("secret").is_none(), "empty is no secret");
    assert!(answer.take_secret("rotation_webhook_secret").is_none());
    assert!(!answer.key.to_string().contains("fake"));
    assert_eq!(answer.key["api_key_id"], "k1");
    // fiskaly's `key` is public: it stays in the key object and is a secret to show too.
    let mut fiskaly = split_created(
        definition(ProviderKind::Fiskaly).wire,
        br#"{"_id": "f1", "key": "test_fakepublic", "secret": "fakesecret"}"#,
        &["key", "secret"],
    )
    .unwrap();
    assert_eq!(fiskaly.key["key"], "test_fakepublic");
    assert!(fiskaly.key.get("secret").is_none());
    assert!(fiskaly.take_secret("secret").is_some());
    assert!(split_created(definition(ProviderKind::Oligon).wire, b"[]", &["key"]).is_none());
    assert!(split_created(definition(ProviderKind::Oligon).wire, b"<html>", &["key"]).is_none());
}

const STRAIT_KEY: &str = "strait_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn oligon(id: &str, prefix: &str, last4: &str) -> Key {
    decode_key(
        ProviderKind::Oligon,
        &json!({"id": id, "name": id, "prefix": prefix, "last4": last4}),
    )
    .unwrap()
}

/// The leak search for `pasted` in `inventories`.
fn search<C: Clone>(pasted: &str, inventories: &[(C, &[Key])]) -> LeakResult<C> {
    find_leaked(&LeakFingerprint::parse(pasted).unwrap(), inventories)
}

/// What `sk_live_…`/`sk_test_…` keys are: Oligon's and SyncgramPay's shape.
fn secret_key() -> KeyFormat {
    KeyFormat::Issued(vec![ProviderKind::Oligon, ProviderKind::Syncgram])
}

#[test]
fn pasted_noise_is_cleaned() {
    for pasted in [
        " \"sk_live_aB3dEfGhIjKlx9k2\" \n",
        "'sk_live_aB3dEfGh\nIjKlx9k2',",
        "OLIGON_KEY=sk_live_aB3dEfGhIjKlx9k2",
        "Bearer sk_live_aB3dEfGhIjKlx9k2",
        "`sk_live_aB3dEfGhIjKlx9k2`",
    ] {
        let fingerprint = LeakFingerprint::parse(pasted).unwrap();
        assert_eq!(fingerprint.format(), secret_key(), "{pasted:?}");
        assert_eq!(fingerprint.masked(), "sk_live_…x9k2");
    }
    assert_eq!(
        LeakFingerprint::parse("  ").unwrap_err().field(),
        Some("pasted")
    );
    assert!(LeakFingerprint::parse("sk_live_x").is_err());
}

#[test]
fn a_paste_over_4_kib_is_refused_and_one_at_the_cap_parses() {
    let huge = format!("{}sk_live_aB3dEfGhIjKlx9k2", "Bearer ".repeat(256 * 1024));
    let error = LeakFingerprint::parse(&huge).unwrap_err();
    assert_eq!(error.field(), Some("pasted"));
    assert!(error.to_string().contains("4 KiB"), "{error}");

    let key = "sk_live_aB3dEfGhIjKlx9k2";
    // Each wrapper is `"Bearer ` in front and `",` behind: 10 bytes.
    let wrappers = (MAX_PASTED_KEY_BYTES - key.len() - 2) / 10;
    let worst = format!(
        "{}\"{key}\"{}",
        "\"Bearer ".repeat(wrappers),
        "\",".repeat(wrappers)
    );
    assert!(worst.len() > MAX_PASTED_KEY_BYTES - 10 && worst.len() <= MAX_PASTED_KEY_BYTES);
    let fingerprint = LeakFingerprint::parse(&worst).unwrap();
    assert_eq!(fingerprint.masked(), "sk_live_…x9k2");
    assert_eq!(fingerprint.format(), secret_key());
}

#[test]
fn oligon_match_by_prefix_and_last4_across_connections() {
    let first = [
        oligon("a", "sk_live", "x9k2"),
        oligon("b", "sk_test", "x9k2"),
    ];
    let second = [oligon("c", "sk_live", "0000")];
    let pasted = "sk_live_aB3dEfGhIjKlx9k2";
    let result = search(pasted, &[("one", &first[..]), ("two", &second[..])]);
    assert_eq!(result.matches.len(), 1);
    assert_eq!(result.matches[0].connection, "one");
    assert_eq!(result.matches[0].key.id, "a");
    assert!(!result.ambiguous);
}

#[test]
fn colliding_last4_is_ambiguous() {
    let keys = [
        oligon("a", "sk_test", "abcd"),
        oligon("b", "sk_test", "abcd"),
    ];
    let result = search("sk_test_zzzzzzzzzzzzabcd", &[(1, &keys[..])]);
    assert!(result.ambiguous);
    assert_eq!(result.matches.len(), 2);
}

#[test]
fn strait_and_fiskaly_matches() {
    let fingerprint = LeakFingerprint::parse(STRAIT_KEY).unwrap();
    assert_eq!(
        fingerprint.format(),
        KeyFormat::Issued(vec![ProviderKind::Strait])
    );
    let strait = decode_key(
        ProviderKind::Strait,
        &json!({"id": "s1", "key_prefix": &STRAIT_KEY[..12]}),
    )
    .unwrap();
    let other = decode_key(
        ProviderKind::Strait,
        &json!({"id": "s2", "key_prefix": "strait_fffff"}),
    )
    .unwrap();
    let result = find_leaked(&fingerprint, &[((), &[strait, other][..])]);
    assert_eq!(result.matches.len(), 1);
    assert_eq!(result.matches[0].key.id, "s1");

    let fiskaly = decode_key(
        ProviderKind::Fiskaly,
        &json!({"_id": "f1", "key": "test_fakepublickey0001"}),
    )
    .unwrap();
    let pasted = LeakFingerprint::parse("\"test_fakepublickey0001\"").unwrap();
    assert!(pasted.matches(&fiskaly));
    assert!(
        !LeakFingerprint::parse("test_fakepublickey0002")
            .unwrap()
            .matches(&fiskaly)
    );
}

#[test]
fn syncgram_lists_no_fragment_so_its_inventory_is_reported_blind() {
    let syncgram = decode_key(
        ProviderKind::Syncgram,
        &json!({"api_key_id": "key_abc123", "key_name": "Production key", "is_active": true,
                "created_at": "2024-01-15T10:00:00Z"}),
    )
    .unwrap();
    assert!(!lists_fragment(&syncgram));
    let listed = oligon("o1", "sk_live", "x9k2");
    assert!(lists_fragment(&listed));

    let fingerprint = LeakFingerprint::parse("sk_live_aB3dEfGhIjKlx9k2").unwrap();
    let syncgram_keys = [syncgram];
    let oligon_keys = [listed];
    let result = find_leaked(
        &fingerprint,
        &[
            ("payments", &syncgram_keys[..]),
            ("receipts", &oligon_keys[..]),
            ("empty", &[][..]),
        ],
    );
    assert_eq!(result.matches.len(), 1);
    assert_eq!(result.matches[0].connection, "receipts");
    assert_eq!(result.blind, ["payments"], "an empty list hides nothing");
}
