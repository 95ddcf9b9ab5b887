//! SyncgramPay: `/syncgram/api/v1/auth/api-keys…` and the `/syncgram/api/v1/balance` data plane.

use keydesk_sandbox::{CredentialOptions, Dialect, Variant};
use serde_json::{Value, json};

use super::both_variants;
use crate::support::sandbox::{Sandbox, send, start};

const SYNCGRAM: Dialect = Dialect::Syncgram;

/// The payload of a success body in either variant.
fn data(variant: Variant, body: Value) -> Value {
    match variant {
        Variant::Documented => body,
        Variant::Deployed => {
            assert_eq!(body["success"], true, "{body}");
            body["data"].clone()
        }
    }
}

/// The message of an error body in either variant.
fn error_message(variant: Variant, body: &Value) -> String {
    match variant {
        Variant::Documented => body["message"].as_str().unwrap().to_owned(),
        Variant::Deployed => {
            assert_eq!(body["success"], false);
            body["error"]["message"].as_str().unwrap().to_owned()
        }
    }
}

fn user_token(sandbox: &Sandbox, user: &str, org: Option<&str>) -> String {
    sandbox.token_with(
        SYNCGRAM,
        CredentialOptions {
            user: Some(user.into()),
            org: org.map(str::to_owned),
            ..CredentialOptions::default()
        },
    )
}

async fn create(
    sandbox: &Sandbox,
    token: &str,
    body: Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let request = sandbox.post(SYNCGRAM, "/api/v1/auth/api-keys");
    send(request.bearer_auth(token).json(&body)).await
}

async fn list(sandbox: &Sandbox, variant: Variant, token: &str) -> Vec<Value> {
    let (status, body) = list_request(sandbox, Some(token)).await;
    assert_eq!(status, 200);
    data(variant, body)["keys"].as_array().unwrap().clone()
}

/// A list request with `token`, or with none.
async fn list_request(sandbox: &Sandbox, token: Option<&str>) -> (u16, Value) {
    let mut request = sandbox.get(SYNCGRAM, "/api/v1/auth/api-keys");
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let (status, _, body) = send(request).await;
    (status, body)
}

async fn revoke(sandbox: &Sandbox, token: &str, id: &str) -> (u16, Value) {
    let path = format!("/api/v1/auth/api-keys/{id}/revoke");
    let (status, _, body) = send(sandbox.post(SYNCGRAM, &path).bearer_auth(token)).await;
    (status, body)
}

async fn use_key(sandbox: &Sandbox, key: &str) -> u16 {
    send(sandbox.get(SYNCGRAM, "/api/v1/balance").bearer_auth(key))
        .await
        .0
}

async fn one_active_key_revoke_and_rate_limit(variant: Variant) {
    let sandbox = start(variant).await;
    let alice = user_token(&sandbox, "alice", None);
    let bob = user_token(&sandbox, "bob", None);

    let (status, _, created) = create(
        &sandbox,
        &alice,
        json!({"key_name": "Production key", "expires_in_days": 365, "env": "live"}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let created = data(variant, created);
    let key = created["key"].as_str().unwrap().to_owned();
    assert!(
        key.starts_with("sk_live_"),
        "payments are enabled in the default org"
    );
    assert_eq!(created["key_name"], "Production key");
    let created_at =
        chrono::DateTime::parse_from_rfc3339(created["created_at"].as_str().unwrap()).unwrap();
    let expires_at =
        chrono::DateTime::parse_from_rfc3339(created["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!((expires_at - created_at).num_days(), 365);

    let keys = list(&sandbox, variant, &alice).await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["api_key_id"], created["api_key_id"]);
    assert_eq!(keys[0]["is_active"], true);
    assert_eq!(keys[0]["last_used_at"], Value::Null);
    assert!(keys[0].get("key").is_none());

    // The data plane records use.
    assert_eq!(use_key(&sandbox, &key).await, 200);
    assert!(list(&sandbox, variant, &alice).await[0]["last_used_at"].is_string());

    // A second active key is refused, whoever asks.
    let (status, _, error) = create(&sandbox, &bob, json!({"key_name": "second"})).await;
    assert_eq!(status, 400);
    assert_eq!(
        error_message(variant, &error),
        "Organization already has an active key. Revoke it before creating a new one."
    );

    let id = created["api_key_id"].as_str().unwrap();
    let (status, revoked) = revoke(&sandbox, &alice, id).await;
    assert_eq!(status, 200);
    assert_eq!(
        data(variant, revoked),
        json!({"status": "revoked", "api_key_id": id})
    );
    assert_eq!(use_key(&sandbox, &key).await, 401);
    assert_eq!(list(&sandbox, variant, &alice).await[0]["is_active"], false);
    assert_eq!(revoke(&sandbox, &alice, "key_missing").await.0, 404);

    // Alice created a key less than a minute ago.
    let (status, headers, error) = create(&sandbox, &alice, json!({"key_name": "again"})).await;
    assert_eq!(status, 429);
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    assert!(error_message(variant, &error).contains("Rate limit"));
    // Bob has not.
    let (status, _, _) = create(&sandbox, &bob, json!({"key_name": "replacement"})).await;
    assert_eq!(status, 201);
    assert_eq!(list(&sandbox, variant, &bob).await.len(), 2);
}
both_variants!(one_active_key_revoke_and_rate_limit);

async fn idempotency_replays_without_a_second_key(variant: Variant) {
    let sandbox = start(variant).await;
    let token = sandbox.token(SYNCGRAM, None);
    let body = json!({"key_name": "retried", "idempotency_key": "create-42"});
    let (first_status, _, first) = create(&sandbox, &token, body.clone()).await;
    assert_eq!(first_status, 201);
    // The retry bypasses the rate limit and the one-active-key rule: it is the same request.
    let (second_status, _, second) = create(&sandbox, &token, body).await;
    assert_eq!(second_status, 201);
    assert_eq!(first, second, "same response, same key");
    assert_eq!(list(&sandbox, variant, &token).await.len(), 1);
    // Another idempotency key is a new request.
    let (status, _, _) = create(
        &sandbox,
        &token,
        json!({"key_name": "retried", "idempotency_key": "create-43"}),
    )
    .await;
    assert_eq!(status, 429);
}
both_variants!(idempotency_replays_without_a_second_key);

async fn env_is_test_until_payments_are_enabled(variant: Variant) {
    let sandbox = start(variant).await;
    let token = user_token(&sandbox, "carol", Some("org_startup"));
    let (status, _, created) = create(
        &sandbox,
        &token,
        json!({"key_name": "wants live", "env": "live"}),
    )
    .await;
    assert_eq!(status, 201);
    let created = data(variant, created);
    assert!(created["key"].as_str().unwrap().starts_with("sk_test_"));
    assert_eq!(created["env"], "test");
    assert_eq!(created["expires_at"], Value::Null);
    let acme = user_token(&sandbox, "dave", None);
    let (_, _, created) = create(&sandbox, &acme, json!({"key_name": "default env"})).await;
    assert!(
        data(variant, created)["key"]
            .as_str()
            .unwrap()
            .starts_with("sk_live_")
    );
}
both_variants!(env_is_test_until_payments_are_enabled);

async fn validation_and_denials(variant: Variant) {
    let sandbox = start(variant).await;
    let token = sandbox.token(SYNCGRAM, None);
    for body in [
        json!({"key_name": ""}),
        json!({"key_name": "x".repeat(256)}),
        json!({"key_name": "k", "expires_in_days": 0}),
        json!({"key_name": "k", "env": "staging"}),
        json!({"expires_in_days": 3}),
    ] {
        let (status, _, error) = create(&sandbox, &token, body.clone()).await;
        assert_eq!(status, 400, "{body} → {error}");
        error_message(variant, &error);
    }
    let connected = sandbox.token_with(
        SYNCGRAM,
        CredentialOptions {
            connected_account: true,
            ..CredentialOptions::default()
        },
    );
    let (status, _, error) = create(&sandbox, &connected, json!({"key_name": "nope"})).await;
    assert_eq!(status, 403);
    assert_eq!(
        error_message(variant, &error),
        "Connected accounts cannot manage API keys."
    );
    assert_eq!(list_request(&sandbox, Some(&connected)).await.0, 403);
    assert_eq!(revoke(&sandbox, &connected, "key_x").await.0, 403);
    assert_eq!(list_request(&sandbox, None).await.0, 401);
    assert_eq!(use_key(&sandbox, "sk_live_unknown").await, 401);
    assert!(list(&sandbox, variant, &token).await.is_empty());
}
both_variants!(validation_and_denials);

async fn org_isolation(variant: Variant) {
    let sandbox = start(variant).await;
    let acme = sandbox.token(SYNCGRAM, None);
    let other = user_token(&sandbox, "eve", Some("org_other"));
    let (_, _, created) = create(&sandbox, &acme, json!({"key_name": "acme"})).await;
    let id = data(variant, created)["api_key_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(list(&sandbox, variant, &other).await.is_empty());
    assert_eq!(revoke(&sandbox, &other, &id).await.0, 404);
    assert_eq!(list(&sandbox, variant, &acme).await[0]["is_active"], true);
    // One active key per org: the other org may still create its own.
    let (status, _, _) = create(&sandbox, &other, json!({"key_name": "other"})).await;
    assert_eq!(status, 201);
}
both_variants!(org_isolation);
