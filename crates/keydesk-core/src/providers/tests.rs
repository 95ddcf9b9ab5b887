//! Tests of the machinery every provider shares, run against the providers' real formats.

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::calls::{API_KEY, created_key};
use super::decode::{decode_key, decode_list};
use super::dispatch::{connect, definition, lists_fragment, validate_draft};
use crate::auth::Credentials;
use crate::connect::ConnectionConfig;
use crate::error::Error;
use crate::fingerprint::{FingerprintKey, RememberedSecret};
use crate::http::Reply;
use crate::leak::{
    FoundBy, Inventory, KeyFormat, LeakFingerprint, LeakResult, MAX_PASTED_KEY_BYTES, account_of,
    find_leaked, search_leaked,
};
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

fn strait(id: &str, key_prefix: &str) -> Key {
    decode_key(
        ProviderKind::Strait,
        &json!({"id": id, "key_prefix": key_prefix}),
    )
    .unwrap()
}

/// A fiskaly key listed with `fields` besides its id.
fn fiskaly(id: &str, mut fields: serde_json::Value) -> Key {
    fields["_id"] = id.into();
    decode_key(ProviderKind::Fiskaly, &fields).unwrap()
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
    let listed = [
        strait("s1", &STRAIT_KEY[..12]),
        strait("s2", "strait_fffff"),
    ];
    let result = find_leaked(&fingerprint, &[((), &listed[..])]);
    assert_eq!(result.matches.len(), 1);
    assert_eq!(result.matches[0].key.id, "s1");

    let fiskaly = fiskaly("f1", json!({"key": "test_fakepublickey0001"}));
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

    let syncgram_keys = [syncgram];
    let oligon_keys = [listed];
    let inventories = [
        ("payments", &syncgram_keys[..]),
        ("receipts", &oligon_keys[..]),
        ("empty", &[][..]),
    ];
    let other = LeakFingerprint::parse("sk_live_aB3dEfGhIjKlzzzz").unwrap();
    let result = find_leaked(&other, &inventories);
    assert!(result.matches.is_empty());
    assert_eq!(result.blind, ["payments"], "an empty list hides nothing");
    // Beside a match nothing is said of what could not be searched.
    let fingerprint = LeakFingerprint::parse("sk_live_aB3dEfGhIjKlx9k2").unwrap();
    let result = find_leaked(&fingerprint, &inventories);
    assert_eq!(result.matches.len(), 1);
    assert_eq!(result.matches[0].connection, "receipts");
    assert!(result.blind.is_empty());
}

/// `inventories` as [`search_leaked`] reads them: (connection, provider, account, keys).
fn inventories<'a>(
    listed: &[(&'a str, ProviderKind, &'a str, &'a [Key])],
) -> Vec<Inventory<'a, &'a str>> {
    listed
        .iter()
        .map(|(connection, provider, account, keys)| Inventory {
            connection: *connection,
            provider: *provider,
            account: (*account).to_owned(),
            keys,
        })
        .collect()
}

/// What Keydesk remembers of secret `field` (`secret`) of key `key_id`, under `hmac`.
fn remembered(hmac: &FingerprintKey, key_id: &str, field: &str, secret: &str) -> RememberedSecret {
    RememberedSecret {
        key_id: key_id.into(),
        key_name: format!("{key_id} name"),
        masked: "sk_live_…x9k2".into(),
        provider: ProviderKind::Syncgram,
        field: field.into(),
        created_at: chrono::Utc::now(),
        fingerprint: hmac.fingerprint(secret),
    }
}

fn syncgram(id: &str) -> Key {
    decode_key(
        ProviderKind::Syncgram,
        &json!({"api_key_id": id, "key_name": "Production key", "is_active": true}),
    )
    .unwrap()
}

#[test]
fn a_syncgram_key_keydesk_created_is_found_by_its_fingerprint_only() {
    let pasted = "sk_live_aB3dEfGhIjKlx9k2";
    let hmac = FingerprintKey::generate();
    let keys = [syncgram("key_1"), syncgram("key_2")];
    let listed = inventories(&[("payments", ProviderKind::Syncgram, "s", &keys[..])]);
    let secret = remembered(&hmac, "key_2", "api_key", pasted);
    let fingerprint = LeakFingerprint::parse(pasted).unwrap();

    let found = search_leaked(
        &fingerprint,
        &listed,
        Some((&hmac, &[("payments", &secret)])),
    );
    assert_eq!(found.matches.len(), 1);
    let only = &found.matches[0];
    assert_eq!(only.key.id, "key_2");
    assert_eq!(only.connections, ["payments"]);
    assert!(only.listed);
    assert_eq!(
        only.found_by,
        FoundBy::Fingerprint {
            field: "api_key".into()
        }
    );
    // Without the fingerprints, or under another HMAC key, nothing can match there.
    for remembered in [
        None,
        Some((&FingerprintKey::generate(), &[("payments", &secret)][..])),
    ] {
        let found = search_leaked(&fingerprint, &listed, remembered);
        assert!(found.matches.is_empty());
        assert_eq!(found.blind, ["payments"]);
    }
    // Another key of the same shape is not the remembered one.
    let other = LeakFingerprint::parse("sk_live_aB3dEfGhIjKlx9k3").unwrap();
    let found = search_leaked(&other, &listed, Some((&hmac, &[("payments", &secret)])));
    assert!(found.matches.is_empty());
}

#[test]
fn a_pasted_fiskaly_secret_finds_its_key_and_an_unknown_one_is_hinted() {
    let hmac = FingerprintKey::generate();
    let secret = "Zk3pQ9rT2vX8yB1nM4cL7dF0gH6jK5sW3eR2tY9u";
    let fiskaly = fiskaly("f1", json!({"key": "test_fakepublickey0001"}));
    let keys = [fiskaly];
    let oligon_keys = [oligon("o1", "sk_live", "x9k2")];
    let listed = inventories(&[
        ("receipts", ProviderKind::Oligon, "o", &oligon_keys[..]),
        ("tills", ProviderKind::Fiskaly, "f", &keys[..]),
    ]);
    let pair = [
        remembered(&hmac, "f1", "api_key", "test_fakepublickey0001"),
        remembered(&hmac, "f1", "api_secret", secret),
    ];
    let remembered: Vec<(&str, &RememberedSecret)> = pair.iter().map(|r| ("tills", r)).collect();

    let pasted = LeakFingerprint::parse(secret).unwrap();
    assert_eq!(pasted.secret_of(), [ProviderKind::Fiskaly]);
    let found = search_leaked(&pasted, &listed, Some((&hmac, &remembered)));
    assert_eq!(found.matches.len(), 1);
    assert_eq!(found.matches[0].key.id, "f1");
    assert_eq!(found.matches[0].connections, ["tills"]);
    assert_eq!(
        found.matches[0].found_by,
        FoundBy::Fingerprint {
            field: "api_secret".into()
        }
    );
    assert!(found.secret_of.is_empty(), "it matched: no hint");

    // The public key matches by its listing and by its fingerprint: one match, certain.
    let public = LeakFingerprint::parse("test_fakepublickey0001").unwrap();
    let found = search_leaked(&public, &listed, Some((&hmac, &remembered)));
    assert_eq!(found.matches.len(), 1);
    assert!(matches!(
        found.matches[0].found_by,
        FoundBy::Fingerprint { .. }
    ));

    let unknown = LeakFingerprint::parse("Zk3pQ9rT2vX8yB1nM4cL7dF0gH6jK5sW3eR2tY9v").unwrap();
    let found = search_leaked(&unknown, &listed, Some((&hmac, &remembered)));
    assert!(found.matches.is_empty());
    assert_eq!(found.secret_of, ["tills"]);
    // A key of another shape that matches nothing gets no such hint.
    let oligon_like = LeakFingerprint::parse("sk_live_aB3dEfGhIjKlzzzz").unwrap();
    assert!(oligon_like.secret_of().is_empty());
    let found = search_leaked(&oligon_like, &listed, Some((&hmac, &remembered)));
    assert!(found.matches.is_empty() && found.secret_of.is_empty());
}

/// Two Oligon accounts: organisations 1 and 2 of one deployment.
const ORG1: &str = "oligon|https://o.test|org1|";
const ORG2: &str = "oligon|https://o.test|org2|";

#[test]
fn one_key_listed_by_two_connections_of_one_account_is_one_match() {
    let shared = [
        oligon("a", "sk_live", "x9k2"),
        oligon("b", "sk_test", "0000"),
    ];
    let elsewhere = [oligon("a", "sk_live", "x9k2")];
    let pasted = LeakFingerprint::parse("sk_live_aB3dEfGhIjKlx9k2").unwrap();

    let listed = inventories(&[
        ("ops", ProviderKind::Oligon, ORG1, &shared[..]),
        ("billing", ProviderKind::Oligon, ORG1, &shared[..]),
    ]);
    let found = search_leaked(&pasted, &listed, None);
    assert_eq!(found.matches.len(), 1);
    assert_eq!(found.matches[0].connections, ["ops", "billing"]);
    assert!(!found.ambiguous);

    // The same id in another account is another key: the user must choose.
    let listed = inventories(&[
        ("ops", ProviderKind::Oligon, ORG1, &shared[..]),
        ("other", ProviderKind::Oligon, ORG2, &elsewhere[..]),
    ]);
    let found = search_leaked(&pasted, &listed, None);
    assert_eq!(found.matches.len(), 2);
    assert!(found.ambiguous);

    // A fingerprint remembered by one connection names every connection of the account.
    let hmac = FingerprintKey::generate();
    let keys = [syncgram("key_1")];
    let secret = remembered(&hmac, "key_1", "api_key", "sk_live_aB3dEfGhIjKlx9k2");
    let listed = inventories(&[
        (
            "pay-a",
            ProviderKind::Syncgram,
            "syncgram|https://s.test||",
            &keys[..],
        ),
        (
            "pay-b",
            ProviderKind::Syncgram,
            "syncgram|https://s.test||",
            &keys[..],
        ),
    ]);
    let found = search_leaked(&pasted, &listed, Some((&hmac, &[("pay-b", &secret)])));
    assert_eq!(found.matches.len(), 1);
    assert_eq!(found.matches[0].connections, ["pay-a", "pay-b"]);
}

#[test]
fn a_remembered_key_no_longer_listed_is_named_but_not_one_of_an_unlisted_connection() {
    let hmac = FingerprintKey::generate();
    let pasted = LeakFingerprint::parse(STRAIT_KEY).unwrap();
    let secret = remembered(&hmac, "s-gone", "api_key", STRAIT_KEY);
    let listed = inventories(&[("gateway", ProviderKind::Strait, "s", &[][..])]);

    let found = search_leaked(&pasted, &listed, Some((&hmac, &[("gateway", &secret)])));
    assert_eq!(found.matches.len(), 1);
    let gone = &found.matches[0];
    assert!(!gone.listed);
    assert_eq!(gone.connections, ["gateway"]);
    assert_eq!(gone.key.id, "s-gone");
    assert_eq!(gone.key.name, "s-gone name");
    assert_eq!(gone.key.status, crate::model::KeyStatus::Revoked);

    // Its connection's list failed: it is not among the inventories, and not claimed.
    let found = search_leaked(&pasted, &listed, Some((&hmac, &[("failed", &secret)])));
    assert!(found.matches.is_empty());
}

#[test]
fn the_account_is_provider_base_url_org_and_project() {
    let mut one = config(ProviderKind::Oligon, "https://o.test/");
    one.org_id = Some("org1".into());
    let mut same = config(ProviderKind::Oligon, " https://o.test");
    same.org_id = Some("org1".into());
    assert_eq!(account_of(&one), account_of(&same));
    let mut other = same.clone();
    other.project_id = Some("p".into());
    assert_ne!(account_of(&one), account_of(&other));
    assert_ne!(
        account_of(&config(ProviderKind::Oligon, "https://o.test")),
        account_of(&config(ProviderKind::Strait, "https://o.test"))
    );
}

#[test]
fn each_inventory_is_read_for_the_fragments_its_provider_lists() {
    let o = [oligon("o1", "sk_live", "x9k2")];
    let s = [strait("s1", &STRAIT_KEY[..12])];
    let f = [
        fiskaly("f1", json!({"key": "test_fakepublickey0001"})),
        // Fields fiskaly never lists, as if an Oligon key's.
        fiskaly("f2", json!({"prefix": "sk_live", "last4": "x9k2"})),
    ];
    let listed = inventories(&[
        ("receipts", ProviderKind::Oligon, "o", &o),
        ("projects", ProviderKind::Strait, "s", &s),
        ("tills", ProviderKind::Fiskaly, "f", &f),
    ]);
    for (pasted, connection, id) in [
        ("sk_live_aB3dEfGhIjKlx9k2", "receipts", "o1"),
        (STRAIT_KEY, "projects", "s1"),
        ("test_fakepublickey0001", "tills", "f1"),
    ] {
        let fingerprint = LeakFingerprint::parse(pasted).unwrap();
        let found = search_leaked(&fingerprint, &listed, None);
        let matched: Vec<(&str, &str)> = found
            .matches
            .iter()
            .map(|found| (found.connections[0], found.key.id.as_str()))
            .collect();
        assert_eq!(matched, [(connection, id)], "{}", fingerprint.masked());
    }
    // Without the provider, every fragment any provider lists is tried.
    let anywhere = search("sk_live_aB3dEfGhIjKlx9k2", &[("tills", &f[..])]);
    assert_eq!(anywhere.matches.len(), 1);
    assert_eq!(anywhere.matches[0].key.id, "f2");
}

#[test]
fn search_leaked_finds_a_key_by_its_masked_form_and_by_a_whole_fingerprint_only() {
    // Keys whose lists show nothing but the masked form Keydesk made: only that can match,
    // and only by ending as the paste does (the masked forms are read in a pass of their own).
    let pasted = "sk_live_aB3dEfGhIjKlx9k2";
    let bare = |id: &str, masked: &str| {
        Key::bare(
            id.into(),
            id.into(),
            masked.into(),
            crate::model::KeyStatus::Active,
        )
    };
    let keys = [
        bare("other-end", "sk_live_…x9k3"),
        bare("made", "sk_live_…x9k2"),
        bare("other-head", "sk_test_…x9k2"),
    ];
    let listed = inventories(&[("receipts", ProviderKind::Oligon, "o", &keys[..])]);
    let fingerprint = LeakFingerprint::parse(pasted).unwrap();
    let found = search_leaked(&fingerprint, &listed, None);
    let ids: Vec<&str> = found.matches.iter().map(|m| m.key.id.as_str()).collect();
    assert_eq!(ids, ["made"]);
    assert_eq!(found.matches[0].connections, ["receipts"]);

    // A remembered fingerprint that agrees with the paste's in its first 8 characters, and
    // not after, is another secret's.
    let hmac = FingerprintKey::generate();
    let syncgram_keys = [syncgram("key_1")];
    let listed = inventories(&[("payments", ProviderKind::Syncgram, "s", &syncgram_keys[..])]);
    let mut near = remembered(&hmac, "key_1", "api_key", pasted);
    let last = near.fingerprint.pop().unwrap();
    near.fingerprint.push(if last == '0' { '1' } else { '0' });
    let found = search_leaked(&fingerprint, &listed, Some((&hmac, &[("payments", &near)])));
    assert!(found.matches.is_empty());
    let exact = remembered(&hmac, "key_1", "api_key", pasted);
    let found = search_leaked(
        &fingerprint,
        &listed,
        Some((&hmac, &[("payments", &exact)])),
    );
    assert_eq!(found.matches.len(), 1);
}
