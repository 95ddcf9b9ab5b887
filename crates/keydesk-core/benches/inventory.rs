//! Full inventory of 10,000 fiskaly keys (100 pages) from a sandbox answering each request
//! after 20 ms: concurrent paging (budget ≤ 400 ms) beside sequential paging (≥ 2 s), so
//! BENCHMARKS.md can report both and their ratio. Never asserted against the budget.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use keydesk_core::{
    ConnectionConfig, Credentials, HttpOptions, ProviderKind, SecretString, connect_with,
};
use keydesk_sandbox::{Chaos, Dialect, SandboxConfig, Seed, spawn};

const KEYS: usize = 10_000;

fn full_inventory(c: &mut Criterion) {
    let Ok(runtime) = tokio::runtime::Runtime::new() else {
        return;
    };
    let Ok(sandbox) = runtime.block_on(spawn(SandboxConfig {
        seed: Some(Seed::Bulk { keys_per_api: KEYS }),
        chaos: Chaos {
            latency_ms: 20,
            ..Chaos::default()
        },
        ..SandboxConfig::default()
    })) else {
        return;
    };
    let Ok(minted) = sandbox.credentials(Dialect::Fiskaly, None) else {
        return;
    };
    let text = |name: &str| {
        minted.credentials[name]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let mut group = c.benchmark_group("fiskaly inventory of 10,000 keys at 20 ms latency");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    for (label, concurrency) in [("concurrent (16 pages at once)", 16), ("sequential", 1)] {
        let options = HttpOptions {
            page_concurrency: concurrency,
            ..HttpOptions::default()
        };
        let config = ConnectionConfig {
            provider: ProviderKind::Fiskaly,
            base_url: format!("{}{}", sandbox.base_url(), minted.base_path),
            org_id: Some(text("organization_id")),
            project_id: None,
        };
        let credentials = Credentials::FiskalyKey {
            api_key: SecretString::from(text("api_key")),
            api_secret: SecretString::from(text("api_secret")),
        };
        let Ok(fiskaly) = connect_with(config, credentials, options) else {
            return;
        };
        group.bench_function(label, |b| {
            b.iter(|| {
                let count = runtime
                    .block_on(fiskaly.list_keys(None))
                    .map(|keys| keys.len())
                    .unwrap_or(0);
                assert_eq!(count, KEYS);
                count
            });
        });
    }
    group.finish();
    runtime.block_on(sandbox.shutdown());
}

criterion_group!(benches, full_inventory);
criterion_main!(benches);
