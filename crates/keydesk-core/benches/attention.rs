//! Attention over 4 connections × 10,000 keys, with annotations and a previous snapshot, so
//! every rule runs and about half the keys fire one. Budget (issue 15): ≤ 20 ms. And reading
//! the snapshots of those keys from their JSON, as a start reads its record file.
//! Figures go to BENCHMARKS.md, never asserted.

use std::collections::BTreeMap;
use std::hint::black_box;

use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use keydesk_core::{
    Annotation, AttentionConfig, AttentionInput, ConnectionInventory, Environment,
    InventorySnapshot, Key, KeyStatus, NoticedChange, ProviderKind, Rotation, attention,
};

const KEYS: usize = 10_000;

/// Key `n` of `provider`: one of ten shapes (healthy, expiring, expired, stale, never used,
/// rotating, revoked, overdue rotation, test key, live without expiry).
fn key(provider: ProviderKind, n: usize, now: DateTime<Utc>) -> Key {
    let days = |count: i64| Duration::days(count);
    let mut key = Key {
        id: format!("{provider}-{n:05}"),
        name: format!("Server {n}"),
        masked: format!("sk_live_…{:04}", n % 10_000),
        environment: Some(Environment::Live),
        scopes: vec!["read".to_owned()],
        status: KeyStatus::Active,
        created_at: Some(now - days(200)),
        last_used_at: Some(now - Duration::hours(2)),
        last_used_ip: None,
        expires_at: Some(now + days(300)),
        revoked_at: None,
        rotation: None,
        metadata: BTreeMap::new(),
        raw: Default::default(),
    };
    match n % 10 {
        1 => key.expires_at = Some(now + days(5)),
        2 => key.expires_at = Some(now - days(3)),
        3 => key.last_used_at = Some(now - days(120)),
        4 => key.last_used_at = None,
        5 => {
            key.status = KeyStatus::Rotating;
            key.rotation = Some(Rotation {
                replaced_by: Some(format!("{provider}-{:05}", n - 5)),
                grace_expires_at: Some(now + Duration::hours(3)),
                ..Rotation::default()
            });
        }
        6 => key.status = KeyStatus::Revoked,
        7 => {
            key.rotation = Some(Rotation {
                next_rotation_at: Some(now - days(2)),
                interval_days: Some(30),
                ..Rotation::default()
            })
        }
        8 => key.environment = Some(Environment::Test),
        9 => key.expires_at = None,
        _ => {}
    }
    key
}

/// KEYS keys of each provider, listed at `now`.
fn inventories(now: DateTime<Utc>) -> Vec<(ProviderKind, Vec<Key>)> {
    ProviderKind::ALL
        .into_iter()
        .map(|provider| {
            let keys = (0..KEYS).map(|n| key(provider, n, now)).collect();
            (provider, keys)
        })
        .collect()
}

fn attention_over_40_000_keys(c: &mut Criterion) {
    let now: DateTime<Utc> = "2026-12-01T12:00:00Z".parse().unwrap_or_default();
    let inventories = inventories(now);
    // Half the keys have an owner; the last look missed the newest 1 %.
    let annotations: Vec<BTreeMap<String, Annotation>> = inventories
        .iter()
        .map(|(_, keys)| {
            keys.iter()
                .step_by(2)
                .map(|key| {
                    let annotation = Annotation {
                        owner: Some("ana".to_owned()),
                        ..Annotation::default()
                    };
                    (key.id.clone(), annotation)
                })
                .collect()
        })
        .collect();
    let changes: Vec<Vec<NoticedChange>> = inventories
        .iter()
        .map(|(_, keys)| {
            InventorySnapshot::of(&keys[..KEYS - KEYS / 100], now - Duration::days(1))
                .changes(keys, now)
        })
        .collect();
    let connections: Vec<ConnectionInventory<'_>> = inventories
        .iter()
        .zip(&annotations)
        .zip(&changes)
        .map(
            |(((provider, keys), annotations), changes)| ConnectionInventory {
                connection_id: provider.as_str(),
                provider: *provider,
                keys,
                changes,
                annotations: Some(annotations),
                orphans: &[],
            },
        )
        .collect();
    let input = AttentionInput {
        connections: &connections,
        dismissals: &[],
        now,
        config: AttentionConfig::default(),
    };
    c.bench_function("attention over 4 × 10,000 keys", |b| {
        b.iter(|| black_box(attention(black_box(&input))).len());
    });
}

/// The snapshots of 4 × 10,000 keys as their record file holds them (compact JSON), read
/// back: what a start does while its window opens.
fn snapshots_of_40_000_keys_read(c: &mut Criterion) {
    let now: DateTime<Utc> = "2026-12-01T12:00:00Z".parse().unwrap_or_default();
    let snapshots: BTreeMap<String, InventorySnapshot> = inventories(now)
        .into_iter()
        .map(|(provider, keys)| {
            let snapshot = InventorySnapshot::of(&keys, now);
            (provider.as_str().to_owned(), snapshot)
        })
        .collect();
    let Ok(json) = serde_json::to_vec(&snapshots) else {
        return;
    };
    c.bench_function("snapshots of 4 × 10,000 keys read from JSON", |b| {
        b.iter(|| {
            let read: BTreeMap<String, InventorySnapshot> =
                serde_json::from_slice(black_box(&json)).unwrap_or_default();
            read.len()
        });
    });
}

criterion_group!(
    benches,
    attention_over_40_000_keys,
    snapshots_of_40_000_keys_read
);
criterion_main!(benches);
