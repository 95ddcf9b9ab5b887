//! Fault injection: `fail_rate` answers 503 before doing anything, `drop_rate` does the work and
//! closes the connection unanswered, `latency_ms` delays every response, `seed` reproduces.

use std::time::{Duration, Instant};

use keydesk_sandbox::{Chaos, Dialect, SandboxConfig, Storage};
use serde_json::json;

use crate::support::sandbox::{Sandbox, http_client, send, start_with, temp_db};

/// A sandbox with `chaos` on the database file at `path` (restarts see the same data).
async fn start_on(path: &std::path::Path, chaos: Chaos) -> Sandbox {
    start_with(SandboxConfig {
        storage: Storage::File(path.to_owned()),
        chaos,
        ..SandboxConfig::default()
    })
    .await
}

async fn oligon_key_names(sandbox: &Sandbox) -> Vec<String> {
    let token = sandbox.token(Dialect::Oligon, None);
    let (status, _, keys) = send(
        sandbox
            .get(Dialect::Oligon, "/v1/api-keys")
            .bearer_auth(token),
    )
    .await;
    assert_eq!(status, 200);
    keys.as_array()
        .unwrap()
        .iter()
        .map(|key| key["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn fail_rate_one_answers_503_and_does_nothing() {
    let (_dir, path) = temp_db();
    let failing = start_on(
        &path,
        Chaos {
            fail_rate: 1.0,
            ..Chaos::default()
        },
    )
    .await;
    let token = failing.token(Dialect::Oligon, None);
    for _ in 0..5 {
        let (status, _, _) = send(
            failing
                .post(Dialect::Oligon, "/v1/api-keys")
                .bearer_auth(&token)
                .json(&json!({"name": "never stored"})),
        )
        .await;
        assert_eq!(status, 503);
    }
    for dialect in Dialect::ALL {
        let (status, _, _) = send(failing.get(dialect, "/anything")).await;
        assert_eq!(status, 503, "{dialect}: before routing, before auth");
    }
    failing.handle.shutdown().await;
    let calm = start_on(&path, Chaos::default()).await;
    assert!(
        oligon_key_names(&calm).await.is_empty(),
        "a 503 did not create anything"
    );
}

#[tokio::test]
async fn drop_rate_one_does_the_work_then_drops_the_connection() {
    let (_dir, path) = temp_db();
    let dropping = start_on(
        &path,
        Chaos {
            drop_rate: 1.0,
            ..Chaos::default()
        },
    )
    .await;
    let result = dropping
        .post(Dialect::Oligon, "/v1/api-keys")
        .bearer_auth(dropping.token(Dialect::Oligon, None))
        .json(&json!({"name": "orphan"}))
        .send()
        .await;
    let error = result.expect_err("the client must see no response at all, not a status");
    assert!(error.status().is_none());
    assert!(
        error.is_request() || error.is_connect() || error.is_body(),
        "{error:?}"
    );
    dropping.handle.shutdown().await;

    let calm = start_on(&path, Chaos::default()).await;
    assert_eq!(
        oligon_key_names(&calm).await,
        ["orphan"],
        "the key was created anyway"
    );
}

#[tokio::test]
async fn latency_delays_every_response() {
    let sandbox = start_with(SandboxConfig {
        chaos: Chaos {
            latency_ms: 150,
            ..Chaos::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    for path in ["/v1/api-keys", "/v1/extract"] {
        let started = Instant::now();
        let response = sandbox.get(Dialect::Oligon, path).send().await.unwrap();
        assert_eq!(response.status(), 401);
        // Only a lower bound: a loaded machine may be slower, never faster.
        assert!(started.elapsed() >= Duration::from_millis(150), "{path}");
    }
}

/// The statuses of `count` identical requests to a fresh sandbox with `chaos`.
async fn outcomes(chaos: Chaos, count: usize) -> Vec<String> {
    let sandbox = start_with(SandboxConfig {
        chaos,
        ..SandboxConfig::default()
    })
    .await;
    let token = sandbox.token(Dialect::Oligon, None);
    let http = http_client();
    let mut outcomes = Vec::new();
    for _ in 0..count {
        let result = http
            .get(sandbox.url(Dialect::Oligon, "/v1/api-keys"))
            .bearer_auth(&token)
            .send()
            .await;
        outcomes.push(match result {
            Ok(response) => response.status().as_str().to_owned(),
            Err(_) => "dropped".to_owned(),
        });
    }
    outcomes
}

#[tokio::test]
async fn a_chaos_seed_reproduces_the_same_faults() {
    let chaos = |seed| Chaos {
        fail_rate: 0.3,
        drop_rate: 0.3,
        seed,
        ..Chaos::default()
    };
    let first = outcomes(chaos(7), 30).await;
    assert_eq!(first, outcomes(chaos(7), 30).await);
    for outcome in ["200", "503", "dropped"] {
        assert!(
            first.iter().any(|seen| seen == outcome),
            "{outcome} in {first:?}"
        );
    }
    assert_ne!(
        first,
        outcomes(chaos(8), 30).await,
        "another seed, another run"
    );
}
