//! Property tests: the decoders survive any JSON, and validation accepts exactly what the
//! documents allow (checked against an independent reading of each rule).

use keydesk_core::decode::{decode_key, decode_list, decode_list_json, decode_rotated_key};
use keydesk_core::{Environment, KeyDraft, LeakFingerprint, ProviderKind, validate_draft};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::String),
        "20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((field_name(), inner), 0..8)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Mostly the names the decoders look for, so random values land where they matter.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "id",
            "_id",
            "api_key_id",
            "new_key_id",
            "name",
            "key_name",
            "prefix",
            "last4",
            "key",
            "key_prefix",
            "scopes",
            "is_live",
            "is_active",
            "revoked_at",
            "expires_at",
            "created_at",
            "last_used_at",
            "last_used_ip",
            "_envs",
            "kind",
            "status",
            "metadata",
            "env",
            "replaced_by_key_id",
            "grace_expires_at",
            "rotation_interval_days",
            "next_rotation_at",
            "data",
            "keys",
            "success",
            "next_cursor",
            "has_more",
            "count",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,8}",
    ]
}

/// Text Keydesk sends as a name: no control character, no line/paragraph separator and no
/// bidi mark, embedding, override or isolate.
fn plain_text(text: &str) -> bool {
    !text.chars().any(|c| {
        c.is_control()
            || matches!(
                c,
                '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
                    | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            )
    })
}

proptest! {
    #[test]
    fn decoders_never_panic(body in any_json()) {
        for provider in ProviderKind::ALL {
            let borrowed = decode_list(provider, &body);
            let from_bytes = decode_list_json(provider, body.to_string().as_bytes());
            prop_assert_eq!(borrowed.ok(), from_bytes.ok());
            let _ = decode_key(provider, &body);
            if let Some(items) = body.as_array() {
                for item in items {
                    let _ = decode_key(provider, item);
                }
            }
        }
        let _ = decode_rotated_key(&body);
    }

    #[test]
    fn a_decoded_key_never_carries_the_secret(secret in "[A-Za-z0-9]{24}", id in "[a-z0-9]{1,10}") {
        let full = format!("sk_live_{secret}");
        for provider in [ProviderKind::Oligon, ProviderKind::Syncgram, ProviderKind::Strait] {
            let key = decode_key(provider, &json!({"id": id, "api_key_id": id, "key": full, "name": "n"})).unwrap();
            let shown = serde_json::to_string(&key.with_raw()).unwrap();
            prop_assert!(!shown.contains(&secret));
        }
    }

    #[test]
    fn leak_parsing_never_panics(pasted in "\\PC{0,80}") {
        let _ = LeakFingerprint::parse(&pasted);
    }

    #[test]
    fn oligon_validation_matches_the_document(
        name in prop_oneof![".{0,130}", " {0,3}"],
        scopes in prop::collection::vec(
            prop::sample::select(vec!["extract:read", "extract:write", "analytics:read", "admin:write", "extract:delete", ""]),
            0..5,
        ),
        live in any::<bool>(),
    ) {
        let draft = KeyDraft {
            name: name.clone(),
            scopes: scopes.iter().map(|scope| (*scope).to_owned()).collect(),
            environment: live.then_some(Environment::Live),
            ..KeyDraft::default()
        };
        let documented = ["extract:read", "extract:write", "analytics:read", "admin:write"];
        let mut distinct = scopes.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let allowed = !name.trim().is_empty()
            && plain_text(&name)
            && name.chars().count() <= 120
            && scopes.iter().all(|scope| documented.contains(scope))
            && distinct.len() == scopes.len();
        prop_assert_eq!(validate_draft(ProviderKind::Oligon, &draft).is_ok(), allowed);
    }

    #[test]
    fn fiskaly_validation_matches_the_document(
        name in prop_oneof!["[a-z0-9-]{0,33}", "[a-zA-Z0-9_ .-]{0,33}"],
        entries in prop::collection::btree_map("[a-z]{0,42}", "[a-z]{0,3}", 0..23),
        long_value in prop::option::of(498usize..503),
        kind in prop::option::of(prop::sample::select(vec!["live", "test", "prod"])),
        environment in prop::option::of(prop_oneof![Just(Environment::Live), Just(Environment::Test)]),
    ) {
        let mut metadata = entries;
        if let (Some(length), Some(first)) = (long_value, metadata.keys().next().cloned()) {
            metadata.insert(first, "v".repeat(length));
        }
        let draft = KeyDraft {
            name: name.clone(),
            metadata: metadata.clone(),
            kind: kind.map(str::to_owned),
            environment,
            ..KeyDraft::default()
        };
        let name_ok = (3..=30).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let metadata_ok = metadata.len() <= 20
            && metadata.iter().all(|(k, v)| (1..=40).contains(&k.chars().count()) && v.chars().count() <= 500);
        let kind_env = kind.map(|kind| match kind {
            "live" => Some(Environment::Live),
            "test" => Some(Environment::Test),
            _ => None,
        });
        let kind_ok = match (kind_env, environment) {
            (Some(None), _) => false,
            (Some(Some(from_kind)), Some(env)) => from_kind == env,
            (Some(Some(_)), None) | (None, Some(_)) => true,
            (None, None) => false,
        };
        prop_assert_eq!(validate_draft(ProviderKind::Fiskaly, &draft).is_ok(), name_ok && metadata_ok && kind_ok);
    }

    #[test]
    fn syncgram_and_strait_validation_match_the_rules(
        name in ".{0,260}",
        expires in prop::option::of(0u32..4000),
        interval in prop::option::of(0u32..4000),
        webhook in prop::option::of(prop::sample::select(vec!["https://hooks.example.test/x", "http://hooks.example.test/x", "not a url"])),
        scoped in any::<bool>(),
    ) {
        let syncgram = KeyDraft { name: name.clone(), expires_in_days: expires, ..KeyDraft::default() };
        let name_ok = !name.trim().is_empty() && plain_text(&name) && name.chars().count() <= 255;
        let days_ok = |days: Option<u32>| days.is_none_or(|d| (1..=3650).contains(&d));
        prop_assert_eq!(validate_draft(ProviderKind::Syncgram, &syncgram).is_ok(), name_ok && days_ok(expires));

        let strait = KeyDraft {
            name,
            expires_in_days: expires,
            rotation_interval_days: interval,
            rotation_webhook_url: webhook.map(str::to_owned),
            scopes: if scoped { vec!["keys:read".to_owned()] } else { Vec::new() },
            ..KeyDraft::default()
        };
        let order_ok = match (interval, expires) {
            (Some(interval), Some(lifetime)) => interval < lifetime,
            _ => true,
        };
        let webhook_ok = match webhook {
            None => true,
            Some(url) => interval.is_some() && url.starts_with("https://"),
        };
        let allowed = name_ok && scoped && days_ok(expires) && days_ok(interval) && order_ok && webhook_ok;
        prop_assert_eq!(validate_draft(ProviderKind::Strait, &strait).is_ok(), allowed);
    }
}
