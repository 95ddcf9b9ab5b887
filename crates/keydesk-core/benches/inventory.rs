//! Full inventories of 10,000 keys from a sandbox answering each request after 20 ms, so
//! BENCHMARKS.md can report them. Never asserted against a budget.
//! - fiskaly (100 offset pages): concurrent paging (budget ≤ 400 ms) beside sequential
//!   paging (≥ 2 s), and their ratio.
//! - Strait as its open-source service answers (`--variant deployed`): cursor pages, one
//!   after the other, as many as the page size allows.

use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use keydesk_core::{
    ConnectionConfig, Credentials, HttpOptions, ProviderKind, SecretString, connect_with,
};
use keydesk_sandbox::{Chaos, Dialect, SandboxConfig, SandboxHandle, Seed, Variant, spawn};
use tokio::runtime::Runtime;

const KEYS: usize = 10_000;
const FISKALY: (ProviderKind, Dialect) = (ProviderKind::Fiskaly, Dialect::Fiskaly);
const STRAIT: (ProviderKind, Dialect) = (ProviderKind::Strait, Dialect::Strait);

/// A sandbox of `variant` with 10,000 keys per API, answering after 20 ms.
fn sandbox(runtime: &Runtime, variant: Variant) -> Option<SandboxHandle> {
    runtime
        .block_on(spawn(SandboxConfig {
            variant,
            seed: Some(Seed::Bulk { keys_per_api: KEYS }),
            chaos: Chaos {
                latency_ms: 20,
                ..Chaos::default()
            },
            ..SandboxConfig::default()
        }))
        .ok()
}

/// Benches the full list of `provider` (the sandbox's `dialect`) on `sandbox`'s default org
/// or project as `label`.
fn bench_list(
    group: &mut BenchmarkGroup<'_, WallTime>,
    label: &str,
    runtime: &Runtime,
    sandbox: &SandboxHandle,
    (provider, dialect): (ProviderKind, Dialect),
    options: HttpOptions,
) {
    let Ok(minted) = sandbox.credentials(dialect, None) else {
        return;
    };
    let text = |name: &str| minted.credentials[name].as_str().map(str::to_owned);
    let Ok(credentials) =
        Credentials::from_fields(provider, |name| text(name).map(SecretString::from))
    else {
        return;
    };
    let config = ConnectionConfig {
        provider,
        base_url: format!("{}{}", sandbox.base_url(), minted.base_path),
        org_id: text("organization_id"),
        project_id: text("project_id"),
    };
    let Ok(client) = connect_with(config, credentials, options) else {
        return;
    };
    group.bench_function(label, |b| {
        b.iter(|| {
            let count = runtime
                .block_on(client.list_keys(None))
                .map(|keys| keys.len())
                .unwrap_or(0);
            assert_eq!(count, KEYS);
            count
        });
    });
}

fn full_inventory(c: &mut Criterion) {
    let Ok(runtime) = Runtime::new() else {
        return;
    };
    let Some(documented) = sandbox(&runtime, Variant::Documented) else {
        return;
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
        bench_list(&mut group, label, &runtime, &documented, FISKALY, options);
    }
    group.finish();
    runtime.block_on(documented.shutdown());

    let Some(deployed) = sandbox(&runtime, Variant::Deployed) else {
        return;
    };
    let mut group = c.benchmark_group("strait inventory of 10,000 keys at 20 ms latency");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(25));
    let label = "deployed service (cursor pages of 100)";
    bench_list(
        &mut group,
        label,
        &runtime,
        &deployed,
        STRAIT,
        HttpOptions::default(),
    );
    group.finish();
    runtime.block_on(deployed.shutdown());
}

criterion_group!(benches, full_inventory);
criterion_main!(benches);
