//! Decode + normalize 10,000 keys per provider, from the bytes of a list answer to `Key`s.
//! Budget (DESIGN.md): ≤ 20 ms per provider. Figures go to BENCHMARKS.md, never asserted.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use keydesk_core::ProviderKind;
use keydesk_core::decode::decode_list_json;
use serde_json::Value;

#[path = "support/wire.rs"]
mod wire;

use wire::{KEYS, list_answer};

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
