//! Shared by the benches: list answers as each provider sends them, every optional field
//! filled so no decoding path is skipped. The listed parts of the keys (Oligon's `last4`,
//! Strait's `key_prefix`, fiskaly's public `key`) are drawn like real ones, from each key's
//! number, so a search meets them as it would a real list's: digits only (as these were up
//! to 2026-12-04) made four-character needles find far more near misses than real keys do.

use keydesk_core::ProviderKind;
use serde_json::{Value, json};

/// Keys per provider in every bench.
pub const KEYS: usize = 10_000;

/// `len` characters drawn from `alphabet` for key `n` (and `salt`), the same every run.
pub fn drawn(n: usize, salt: u64, alphabet: &[u8], len: usize) -> String {
    // SplitMix64: enough to spread key numbers over the alphabet.
    let mut state = (n as u64) ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (0..len)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            char::from(alphabet[(z % alphabet.len() as u64) as usize])
        })
        .collect()
}

/// Letters and digits, as Oligon's and fiskaly's keys are made of.
pub const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Strait keys are `strait_` + 64 hex digits.
pub const HEX: &[u8] = b"0123456789abcdef";

/// The last four characters of Oligon key `n`'s secret, as its list shows them.
pub fn oligon_last4(n: usize) -> String {
    drawn(n, 1, BASE62, 4)
}

/// One key as each provider lists it, with every optional field filled so no path is skipped.
pub fn listed_key(provider: ProviderKind, n: usize) -> Value {
    match provider {
        ProviderKind::Oligon => json!({
            "id": format!("01HQX{n:021}"), "name": format!("Server {n}"), "prefix": "sk_live",
            "last4": oligon_last4(n), "scopes": ["extract:read", "extract:write"],
            "is_live": n % 2 == 0, "revoked_at": null, "last_used_at": "2026-06-09T12:01:33+00:00",
            "last_used_ip": "203.0.113.5", "created_at": "2026-05-20T09:00:00+00:00",
            "expires_at": "2027-05-20T09:00:00+00:00"
        }),
        ProviderKind::Fiskaly => json!({
            "_id": format!("5f0c1e6e-0000-4000-8000-{n:012}"), "_type": "API_KEY", "_envs": ["TEST"],
            "key": format!("test_{}", drawn(n, 2, BASE62, 24)), "created_at": 1_577_833_200 + n, "name": format!("till-{n}"),
            "status": if n % 3 == 0 { "disabled" } else { "enabled" }, "metadata": {"store": "berlin", "n": n},
            "managed_by_organization_id": "org", "created_by_user": "user"
        }),
        ProviderKind::Syncgram => json!({
            "api_key_id": format!("key_{n}"), "key_name": format!("Key {n}"), "is_active": n == 0,
            "created_at": "2024-01-15T10:00:00Z", "last_used_at": "2024-01-20T08:30:00Z",
            "expires_at": "2030-01-15T10:00:00Z"
        }),
        ProviderKind::Strait => json!({
            "id": format!("key_{n}"), "project_id": "proj_1", "name": format!("worker {n}"),
            "key_prefix": format!("strait_{}", drawn(n, 3, HEX, 5)), "scopes": ["read", "write"], "expires_at": "2030-08-24T14:15:22Z",
            "last_used_at": "2026-08-24T14:15:22Z", "created_at": "2026-08-24T14:15:22Z", "revoked_at": null,
            "replaced_by_key_id": null, "grace_expires_at": null, "environment_id": "env_prod",
            "rotation_interval_days": 30, "next_rotation_at": "2026-09-24T14:15:22Z",
            "rotation_webhook_url": "https://hooks.example.test/rotated"
        }),
    }
}

/// The bytes of one list answer of `KEYS` keys of `provider`.
pub fn list_answer(provider: ProviderKind) -> Vec<u8> {
    let keys: Vec<Value> = (0..KEYS).map(|n| listed_key(provider, n)).collect();
    let body = match provider {
        ProviderKind::Oligon | ProviderKind::Strait => Value::Array(keys),
        ProviderKind::Fiskaly => json!({"data": keys, "count": KEYS, "_type": "API_KEY_LIST"}),
        ProviderKind::Syncgram => json!({"keys": keys}),
    };
    serde_json::to_vec(&body).unwrap_or_default()
}
