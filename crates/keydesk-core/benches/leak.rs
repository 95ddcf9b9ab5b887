//! The leaked-key match in core over 4 connections × 10,000 keys: the pasted key parsed,
//! every listed key compared with it, and its fingerprint looked up among the 40,000 secrets
//! Keydesk remembers. Budget (issue 16): ≤ 5 ms. Figures go to BENCHMARKS.md, never asserted.

use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use keydesk_core::decode::decode_list_json;
use keydesk_core::{
    FingerprintKey, Inventory, Key, LeakFingerprint, ProviderKind, RememberedSecret, search_leaked,
};

#[path = "support/wire.rs"]
mod wire;

use wire::{BASE62, KEYS, drawn, list_answer, oligon_last4};

/// What Keydesk remembers of key `n` of `provider`: the fingerprint of a secret made up for it.
fn remembered(
    key: &FingerprintKey,
    provider: ProviderKind,
    listed: &Key,
    n: usize,
) -> RememberedSecret {
    RememberedSecret {
        key_id: listed.id.clone(),
        key_name: listed.name.clone(),
        masked: listed.masked.clone(),
        provider,
        field: "api_key".to_owned(),
        created_at: Utc::now(),
        fingerprint: key.fingerprint(&secret(provider, n)),
    }
}

fn secret(provider: ProviderKind, n: usize) -> String {
    format!("sk_{}_{}", provider.as_str(), drawn(n, 4, BASE62, 40))
}

fn leaked_key_match(c: &mut Criterion) {
    let inventories: Vec<(ProviderKind, Vec<Key>)> = ProviderKind::ALL
        .into_iter()
        .map(|provider| {
            let keys = decode_list_json(provider, &list_answer(provider)).unwrap_or_default();
            assert_eq!(keys.len(), KEYS);
            (provider, keys)
        })
        .collect();
    let hmac_key = FingerprintKey::generate();
    let secrets: Vec<(usize, RememberedSecret)> = inventories
        .iter()
        .enumerate()
        .flat_map(|(index, (provider, keys))| {
            let hmac_key = &hmac_key;
            keys.iter()
                .enumerate()
                .map(move |(n, key)| (index, remembered(hmac_key, *provider, key, n)))
        })
        .collect();
    let remembered: Vec<(usize, &RememberedSecret)> = secrets
        .iter()
        .map(|(index, secret)| (*index, secret))
        .collect();
    let searched: Vec<Inventory<'_, usize>> = inventories
        .iter()
        .enumerate()
        .map(|(index, (provider, keys))| Inventory {
            connection: index,
            provider: *provider,
            account: format!("{provider}|https://api.example.test|org|"),
            keys,
        })
        .collect();

    let mut group = c.benchmark_group("leaked-key match over 4 × 10,000 keys");
    // An Oligon key found by its listed type prefix and last 4 (the only key of the 40,000
    // with those).
    let listed = format!(
        "sk_live_{}{}",
        drawn(5_000, 5, BASE62, 28),
        oligon_last4(5_000)
    );
    group.bench_function("found by listed fragment", |b| {
        b.iter(|| {
            let pasted = LeakFingerprint::parse(black_box(&listed)).ok();
            let found = pasted.map(|pasted| {
                search_leaked(&pasted, &searched, Some((&hmac_key, &remembered)))
                    .matches
                    .len()
            });
            assert_eq!(found, Some(1));
        });
    });
    // A SyncgramPay key, which its list shows no part of: found by fingerprint only.
    let unlisted = secret(ProviderKind::Syncgram, 7_777);
    group.bench_function("found by fingerprint", |b| {
        b.iter(|| {
            let pasted = LeakFingerprint::parse(black_box(&unlisted)).ok();
            let found = pasted.map(|pasted| {
                search_leaked(&pasted, &searched, Some((&hmac_key, &remembered)))
                    .matches
                    .len()
            });
            assert_eq!(found, Some(1));
        });
    });
    group.finish();
}

criterion_group!(benches, leaked_key_match);
criterion_main!(benches);
