//! Rules every API shares: body limits, malformed JSON, wrong methods, hostile input, secrets
//! only as digests on disk, no lost writes under concurrency.

use keydesk_sandbox::{Dialect, SandboxConfig, Variant};
use serde_json::json;

use crate::support::sandbox::{Sandbox, secret_forms_in, send, start, start_on_file};

/// POST `body` as JSON text (sent as given, valid or not) with a bearer token.
async fn post_raw(
    sandbox: &Sandbox,
    dialect: Dialect,
    path: &str,
    token: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    send(
        sandbox
            .post(dialect, path)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body),
    )
    .await
}

/// A management request of each API that takes a JSON body: (dialect, path, bearer token).
async fn json_endpoints(sandbox: &Sandbox) -> Vec<(Dialect, String, String)> {
    let (org, fiskaly) = sandbox.fiskaly_token(None).await;
    vec![
        (
            Dialect::Oligon,
            "/v1/api-keys".into(),
            sandbox.token(Dialect::Oligon, None),
        ),
        (
            Dialect::Fiskaly,
            format!("/organizations/{org}/api-keys"),
            fiskaly,
        ),
        (
            Dialect::Syncgram,
            "/api/v1/auth/api-keys".into(),
            sandbox.token(Dialect::Syncgram, None),
        ),
        (
            Dialect::Strait,
            "/v1/api-keys".into(),
            sandbox.token(Dialect::Strait, None),
        ),
    ]
}

#[tokio::test]
async fn bodies_over_64_kib_are_413_and_malformed_json_is_400_in_each_shape() {
    for variant in [Variant::Documented, Variant::Deployed] {
        let sandbox = start(variant).await;
        for (dialect, path, token) in json_endpoints(&sandbox).await {
            let huge = json!({"name": "x".repeat(65 * 1024)}).to_string();
            let (status, _, _) = post_raw(&sandbox, dialect, &path, &token, huge).await;
            assert_eq!(status, 413, "{dialect}");

            let malformed = "{\"name\": \"unterminated";
            let (status, headers, error) =
                post_raw(&sandbox, dialect, &path, &token, malformed).await;
            assert_eq!(status, 400, "{dialect} {variant}");
            let content_type = headers["content-type"].to_str().unwrap();
            match (dialect, variant) {
                (Dialect::Oligon, Variant::Documented) => {
                    assert_eq!(error["error"], "invalid_json")
                }
                (Dialect::Oligon, Variant::Deployed) => {
                    assert_eq!(error["error"]["code"], "invalid_json")
                }
                (Dialect::Fiskaly, _) => {
                    assert_eq!(error["status_code"], 400);
                    assert_eq!(error["code"], "E_INVALID_JSON");
                }
                (Dialect::Syncgram, Variant::Documented) => {
                    assert_eq!(error["error"], "invalid_json")
                }
                (Dialect::Syncgram, Variant::Deployed) => {
                    assert_eq!(error["success"], false);
                    assert_eq!(error["error"]["code"], "invalid_json");
                }
                (Dialect::Strait, _) => {
                    assert_eq!(content_type, "application/problem+json");
                    assert_eq!(error["status"], 400);
                }
            }
        }
    }
}

#[tokio::test]
async fn wrong_methods_are_405() {
    let sandbox = start(Variant::Documented).await;
    for (dialect, method, path) in [
        (Dialect::Oligon, reqwest::Method::PUT, "/v1/api-keys"),
        (
            Dialect::Oligon,
            reqwest::Method::GET,
            "/v1/api-keys/abc/revoke",
        ),
        (Dialect::Fiskaly, reqwest::Method::GET, "/auth"),
        (
            Dialect::Fiskaly,
            reqwest::Method::DELETE,
            "/organizations/o/api-keys",
        ),
        (
            Dialect::Syncgram,
            reqwest::Method::DELETE,
            "/api/v1/auth/api-keys",
        ),
        (Dialect::Strait, reqwest::Method::PATCH, "/v1/api-keys/abc"),
        (
            Dialect::Strait,
            reqwest::Method::GET,
            "/v1/api-keys/abc/rotate",
        ),
    ] {
        let (status, _, _) = send(
            sandbox
                .http
                .request(method.clone(), sandbox.url(dialect, path)),
        )
        .await;
        assert_eq!(status, 405, "{method} {dialect}{path}");
    }
    let (status, _, _) = send(
        sandbox
            .http
            .get(format!("{}/nowhere", sandbox.handle.base_url())),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn hostile_input_gets_answers_not_panics() {
    let sandbox = start(Variant::Deployed).await;
    let endpoints = json_endpoints(&sandbox).await;
    let bodies = [
        "",
        "null",
        "[]",
        "0",
        "\"text\"",
        "{\"name\": null}",
        "{\"name\": {\"a\": 1}}",
        "{\"scopes\": \"all\"}",
        "\u{0}\u{1}\u{2}",
        "{\"name\": \"\u{202e}\u{0}\"}",
        "{\"expires_in_days\": 1e308, \"name\": \"n\"}",
        "{\"expires_in_days\": -9223372036854775808}",
        "{\"rotation_interval_days\": 9223372036854775807, \"name\":\"n\",\"scopes\":[\"a\"],\"rotation_webhook_url\":\"https://x.example\"}",
    ];
    for (dialect, path, token) in &endpoints {
        for body in bodies {
            let (status, _, _) = post_raw(&sandbox, *dialect, path, token, body).await;
            // Some of these are valid creates (unknown fields are ignored); none may crash.
            assert!(status < 500, "{dialect} {body:?} → {status}");
        }
    }
    let weird_paths = [
        "/oligon/v1/api-keys/%00/revoke",
        "/oligon/v1/api-keys/..%2F..%2Fetc/revoke",
        "/strait/v1/api-keys/%FF%FE",
        "/fiskaly/api/v0/organizations/%27%3B%20DROP%20TABLE%20fiskaly_keys%3B--/api-keys",
        "/strait/v1/api-keys?project_id=%FF&limit=-1&cursor=%%%",
        "/strait/v1/api-keys/expiring-soon?within_days=99999999999999999999",
    ];
    for path in weird_paths {
        let url = format!("{}{path}", sandbox.handle.base_url());
        let status = sandbox
            .http
            .get(&url)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert!((400..500).contains(&status), "{path} → {status}");
        let status = sandbox
            .http
            .post(&url)
            .bearer_auth("x")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert!((400..500).contains(&status), "POST {path} → {status}");
    }
    for header in [
        "Bearer",
        "Bearer a.b.c",
        "Bearer ....",
        "Basic Zm9vOmJhcg==",
        "Bearer \u{7f}",
    ] {
        if let Ok(value) = reqwest::header::HeaderValue::from_str(header) {
            let (status, _, _) = send(
                sandbox
                    .http
                    .get(sandbox.url(Dialect::Oligon, "/v1/api-keys"))
                    .header("authorization", value),
            )
            .await;
            assert_eq!(status, 401, "{header:?}");
        }
    }
    // Still serving, and the injected SQL did nothing.
    let (org, token) = sandbox.fiskaly_token(None).await;
    let (status, _, list) = send(
        sandbox
            .get(Dialect::Fiskaly, &format!("/organizations/{org}/api-keys"))
            .bearer_auth(token),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["count"], 0);
}

#[tokio::test]
async fn validation_errors_quote_long_input_cut_short() {
    let long = "x".repeat(10 * 1024);
    // Every field of every create, sent as a long string where another type is expected or
    // where the value itself is refused (Oligon's scopes).
    let fields = [
        "name",
        "key_name",
        "scopes",
        "live",
        "kind",
        "status",
        "metadata",
        "env",
        "expires_in_days",
        "project_id",
        "rotation_interval_days",
    ];
    for variant in [Variant::Documented, Variant::Deployed] {
        let sandbox = start(variant).await;
        for (dialect, path, token) in json_endpoints(&sandbox).await {
            let mut bodies = vec![
                json!({"name": "ok", "scopes": [long]}),
                json!({"name": 1, "key_name": 1, "project_id": "proj_acme"}),
            ];
            for field in fields {
                let mut body = json!({"name": "ok-name", "key_name": "ok", "project_id": "proj_acme",
                                      "scopes": ["a"], "kind": "test", "status": "enabled"});
                body[field] = json!(long);
                bodies.push(body.clone());
                // A long value of the wrong type, one level down.
                body[field] = json!([long]);
                bodies.push(body);
            }
            for body in bodies {
                let text = body.to_string();
                let (status, _, error) = post_raw(&sandbox, dialect, &path, &token, text).await;
                if status < 400 {
                    // Accepted (Strait takes any scope): a created key shows what it stores.
                    continue;
                }
                let answer = error.to_string();
                assert!(
                    !answer.contains(&"x".repeat(41)),
                    "{dialect} {variant} {status}: the answer quotes the input in full ({} bytes)",
                    answer.len()
                );
                assert!(answer.len() < 1024, "{dialect} {variant}: {answer}");
            }
        }
    }
}

/// Does `haystack` contain `needle`?
fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test]
async fn the_database_file_never_holds_a_plaintext_secret() {
    let sandbox = start_on_file(SandboxConfig::default()).await;
    let mut secrets = Vec::new();
    let mut public = Vec::new();
    let oligon = sandbox.token(Dialect::Oligon, None);
    let (org, fiskaly) = sandbox.fiskaly_token(None).await;
    let fiskaly_credentials = sandbox
        .handle
        .credentials(Dialect::Fiskaly, None)
        .unwrap()
        .credentials;
    secrets.push(
        fiskaly_credentials["api_secret"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let strait = sandbox.token(Dialect::Strait, None);
    for i in 0..3 {
        let (_, _, key) = send(
            sandbox
                .post(Dialect::Oligon, "/v1/api-keys")
                .bearer_auth(&oligon)
                .json(&json!({"name": format!("k{i}"), "live": i % 2 == 0})),
        )
        .await;
        secrets.push(key["key"].as_str().unwrap().to_owned());
        let (_, _, key) = send(
            sandbox
                .post(Dialect::Fiskaly, &format!("/organizations/{org}/api-keys"))
                .bearer_auth(&fiskaly)
                .json(&json!({"name": format!("key-{i}"), "kind": "live", "status": "enabled"})),
        )
        .await;
        secrets.push(key["secret"].as_str().unwrap().to_owned());
        public.push(key["key"].as_str().unwrap().to_owned());
        let (_, _, key) = send(
            sandbox
                .post(Dialect::Strait, "/v1/api-keys")
                .bearer_auth(&strait)
                .json(&json!({"project_id": "proj_acme", "name": "n", "scopes": ["a"],
                              "rotation_interval_days": 7, "rotation_webhook_url": "https://h.example/r"})),
        )
        .await;
        secrets.push(key["key"].as_str().unwrap().to_owned());
        secrets.push(key["rotation_webhook_secret"].as_str().unwrap().to_owned());
        let rotate = format!("/v1/api-keys/{}/rotate", key["id"].as_str().unwrap());
        let (_, _, rotated) =
            send(sandbox.post(Dialect::Strait, &rotate).bearer_auth(&strait)).await;
        secrets.push(rotated["key"].as_str().unwrap().to_owned());
        let user = sandbox.token_with(
            Dialect::Syncgram,
            keydesk_sandbox::CredentialOptions {
                user: Some(format!("user{i}")),
                org: Some(format!("org{i}")),
                ..Default::default()
            },
        );
        let (_, _, key) = send(
            sandbox
                .post(Dialect::Syncgram, "/api/v1/auth/api-keys")
                .bearer_auth(&user)
                .json(&json!({"key_name": "k", "idempotency_key": format!("idem-{i}")})),
        )
        .await;
        secrets.push(key["key"].as_str().unwrap().to_owned());
    }
    assert_eq!(secrets.len(), 1 + 3 * 6);
    let db = sandbox.db_path();
    let mut bytes = std::fs::read(&db).unwrap();
    // Recent writes may still sit in the write-ahead log.
    for suffix in ["-wal", "-shm", "-journal"] {
        if let Ok(more) = std::fs::read(format!("{}{suffix}", db.display())) {
            bytes.extend(more);
        }
    }
    assert!(
        contains(&bytes, &public[0]),
        "sanity: the scan sees what the database stores"
    );
    // The management tokens are secrets too (the database holds only their signing key).
    for dialect in [Dialect::Oligon, Dialect::Syncgram, Dialect::Strait] {
        secrets.push(sandbox.token(dialect, None));
    }
    assert!(
        !secret_forms_in(&bytes, &public[0]).is_empty(),
        "sanity: the form scan sees what the database stores"
    );
    for (index, secret) in secrets.iter().enumerate() {
        let found = secret_forms_in(&bytes, secret);
        assert!(
            found.is_empty(),
            "secret #{index} is in the database files as {found:?}"
        );
        // Not even the random part without its prefix. A token's text after its last '_' can be
        // a few characters, which the database can hold by chance (it failed so once):
        // only a part long enough to be the secret's own is looked for.
        let body = secret.rsplit('_').next().unwrap();
        if body.len() >= 16 {
            assert!(!contains(&bytes, body), "a secret's random part is on disk");
        }
    }
}

#[tokio::test]
async fn fifty_concurrent_creates_lose_nothing() {
    let sandbox = start_on_file(SandboxConfig {
        variant: Variant::Deployed,
        ..SandboxConfig::default()
    })
    .await;
    let oligon = sandbox.token(Dialect::Oligon, None);
    let strait = sandbox.token(Dialect::Strait, None);
    let (org, fiskaly) = sandbox.fiskaly_token(None).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let requests = [
            sandbox
                .post(Dialect::Oligon, "/v1/api-keys")
                .bearer_auth(&oligon)
                .json(&json!({"name": format!("concurrent {i}")})),
            sandbox
                .post(Dialect::Strait, "/v1/api-keys")
                .bearer_auth(&strait)
                .json(&json!({"project_id": "proj_acme", "name": format!("concurrent {i}"), "scopes": ["a"], "expires_in_days": 30})),
            sandbox
                .post(Dialect::Fiskaly, &format!("/organizations/{org}/api-keys"))
                .bearer_auth(&fiskaly)
                .json(&json!({"name": format!("concurrent-{i}"), "kind": "test", "status": "enabled"})),
        ];
        for request in requests {
            tasks.push(tokio::spawn(async move {
                request.send().await.unwrap().status().as_u16()
            }));
        }
    }
    for task in tasks {
        let status = task.await.unwrap();
        assert!(status == 200 || status == 201, "{status}");
    }
    let (_, _, oligon_keys) = send(
        sandbox
            .get(Dialect::Oligon, "/v1/api-keys")
            .bearer_auth(&oligon),
    )
    .await;
    let ids: std::collections::HashSet<&str> = oligon_keys
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 50);
    let (_, _, strait_keys) = send(
        sandbox
            .get(Dialect::Strait, "/v1/api-keys?project_id=proj_acme")
            .bearer_auth(&strait),
    )
    .await;
    assert_eq!(strait_keys["data"].as_array().unwrap().len(), 50);
    let (_, _, fiskaly_keys) = send(
        sandbox
            .get(Dialect::Fiskaly, &format!("/organizations/{org}/api-keys"))
            .bearer_auth(&fiskaly),
    )
    .await;
    assert_eq!(fiskaly_keys["count"], 50);
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_folder_and_files_are_the_owners_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new-folder").join("sandbox.db");
    let sandbox = crate::support::sandbox::start_with(SandboxConfig {
        storage: keydesk_sandbox::Storage::File(db.clone()),
        ..SandboxConfig::default()
    })
    .await;
    // A write, so the write-ahead log has content.
    let (status, _, _) = send(
        sandbox
            .post(Dialect::Oligon, "/v1/api-keys")
            .bearer_auth(sandbox.token(Dialect::Oligon, None))
            .json(&json!({"name": "mode check"})),
    )
    .await;
    assert_eq!(status, 201);
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(db.parent().unwrap()), 0o700, "the folder it created");
    let mut files = vec![db.clone()];
    for suffix in ["-wal", "-shm"] {
        files.push(std::path::PathBuf::from(format!(
            "{}{suffix}",
            db.display()
        )));
    }
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    sandbox.handle.shutdown().await;

    // A database left readable by an older version is tightened when it is opened again.
    for file in &files {
        if file.exists() {
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let again = crate::support::sandbox::start_with(SandboxConfig {
        storage: keydesk_sandbox::Storage::File(db.clone()),
        ..SandboxConfig::default()
    })
    .await;
    for file in files.iter().filter(|file| file.exists()) {
        assert_eq!(mode(file), 0o600, "reopened {}", file.display());
    }
    drop(again);
}

#[tokio::test]
async fn minted_tokens_expire_within_a_day() {
    let sandbox = start(Variant::Documented).await;
    let now = chrono::Utc::now().timestamp();
    for dialect in [Dialect::Oligon, Dialect::Syncgram, Dialect::Strait] {
        let expiry = crate::support::sandbox::jwt_expiry(&sandbox.token(dialect, None));
        assert!(expiry > now, "{dialect}: already expired");
        assert!(
            expiry <= now + 24 * 60 * 60 + 5,
            "{dialect}: expires in {} h",
            (expiry - now) / 3600
        );
    }
}
