//! Decode + normalize 10,000 keys per provider, from the bytes of a list answer to `Key`s.
//! Budget (DESIGN.md): ≤ 20 ms per provider. Figures go to BENCHMARKS.md, never asserted.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use keydesk_core::ProviderKind;
use keydesk_core::decode::decode_list_json;
use serde_json::{Value, json};

const KEYS: usize = 10_000;

/// One key as each provider lists it, with every optional field filled so no path is skipped.
fn listed_key(provider: ProviderKind, n: usize) -> Value {
    match provider {
        ProviderKind::Oligon => json!({
            "id": format!("01HQX{n:021}"), "name": format!("Server {n}"), "prefix": "sk_live",
            "last4": format!("{:04}", n % 10_000), "scopes": ["extract:read", "extract:write"],
            "is_live": n % 2 == 0, "revoked_at": null, "last_used_at": "2026-06-09T12:01:33+00:00",
            "last_used_ip": "203.0.113.5", "created_at": "2026-05-20T09:00:00+00:00",
            "expires_at": "2027-05-20T09:00:00+00:00"
        }),
        ProviderKind::Fiskaly => json!({
            "_id": format!("5f0c1e6e-0000-4000-8000-{n:012}"), "_type": "API_KEY", "_envs": ["TEST"],
            "key": format!("test_{n:024}"), "created_at": 1_577_833_200 + n, "name": format!("till-{n}"),
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
            "key_prefix": "strait_ab12c", "scopes": ["read", "write"], "expires_at": "2030-08-24T14:15:22Z",
            "last_used_at": "2026-08-24T14:15:22Z", "created_at": "2026-08-24T14:15:22Z", "revoked_at": null,
            "replaced_by_key_id": null, "grace_expires_at": null, "environment_id": "env_prod",
            "rotation_interval_days": 30, "next_rotation_at": "2026-09-24T14:15:22Z",
            "rotation_webhook_url": "https://hooks.example.test/rotated"
        }),
    }
}

fn list_answer(provider: ProviderKind) -> Vec<u8> {
    let keys: Vec<Value> = (0..KEYS).map(|n| listed_key(provider, n)).collect();
    let body = match provider {
        ProviderKind::Oligon | ProviderKind::Strait => Value::Array(keys),
        ProviderKind::Fiskaly => json!({"data": keys, "count": KEYS, "_type": "API_KEY_LIST"}),
        ProviderKind::Syncgram => json!({"keys": keys}),
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

fn decode_and_normalize(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode + normalize 10,000 keys");
    group.throughput(Throughput::Elements(KEYS as u64));
    for provider in ProviderKind::ALL {
        let bytes = list_answer(provider);
        group.bench_function(provider.as_str(), |b| {
            b.iter(|| {
                let keys = decode_list_json(provider, black_box(&bytes))
                    .map(|keys| keys.len())
                    .unwrap_or(0);
                assert_eq!(keys, KEYS);
                keys
            });
        });
    }
    group.finish();
    // For comparison: parsing the same bytes into a `Value` tree, which decoding no longer
    // builds (it was the floor of the earlier decoder).
    let mut parse_only = c.benchmark_group("parse only (baseline) 10,000 keys");
    parse_only.throughput(Throughput::Elements(KEYS as u64));
    for provider in ProviderKind::ALL {
        let bytes = list_answer(provider);
        parse_only.bench_function(provider.as_str(), |b| {
            b.iter(|| serde_json::from_slice::<Value>(black_box(&bytes)).is_ok());
        });
    }
    parse_only.finish();
}

criterion_group!(benches, decode_and_normalize);
criterion_main!(benches);
