//! Oligon Receipts: `/oligon/v1/api-keys…` and the `/oligon/v1/extract` data plane.

use keydesk_sandbox::{CredentialOptions, Dialect, Variant};
use serde_json::{Value, json};

use super::both_variants;
use crate::support::sandbox::{Sandbox, send, start};

const OLIGON: Dialect = Dialect::Oligon;

async fn create(sandbox: &Sandbox, token: &str, body: Value) -> (u16, Value) {
    let (status, _, body) = send(
        sandbox
            .post(OLIGON, "/v1/api-keys")
            .bearer_auth(token)
            .json(&body),
    )
    .await;
    (status, body)
}

async fn list(sandbox: &Sandbox, token: &str) -> Vec<Value> {
    let (status, _, body) = send(sandbox.get(OLIGON, "/v1/api-keys").bearer_auth(token)).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

async fn revoke(sandbox: &Sandbox, token: &str, id: &str) -> (u16, Value) {
    let path = format!("/v1/api-keys/{id}/revoke");
    let (status, _, body) = send(sandbox.post(OLIGON, &path).bearer_auth(token)).await;
    (status, body)
}

async fn remove(sandbox: &Sandbox, token: &str, id: &str) -> (u16, Value) {
    let path = format!("/v1/api-keys/{id}");
    let (status, _, body) = send(sandbox.delete(OLIGON, &path).bearer_auth(token)).await;
    (status, body)
}

async fn extract(sandbox: &Sandbox, key: &str, forwarded_for: Option<&str>) -> (u16, Value) {
    let mut request = sandbox.get(OLIGON, "/v1/extract").header("X-API-Key", key);
    if let Some(ip) = forwarded_for {
        request = request.header("X-Forwarded-For", ip);
    }
    let (status, _, body) = send(request).await;
    (status, body)
}

/// The machine code of an Oligon error in either variant's shape.
fn error_code(variant: Variant, body: &Value) -> String {
    match variant {
        Variant::Documented => body["error"].as_str().unwrap().to_owned(),
        Variant::Deployed => body["error"]["code"].as_str().unwrap().to_owned(),
    }
}

async fn key_lifecycle(variant: Variant) {
    let sandbox = start(variant).await;
    let token = sandbox.token(OLIGON, None);

    let (status, live) = create(
        &sandbox,
        &token,
        json!({"name": "Production", "scopes": ["extract:write", "extract:read"], "live": true}),
    )
    .await;
    assert_eq!(status, 201, "{live}");
    let live_key = live["key"].as_str().unwrap().to_owned();
    assert!(live_key.starts_with("sk_live_"));
    assert!(live_key.len() >= 8 + 22, "key too short for 128 bits");
    assert_eq!(live["prefix"], "sk_live");
    assert_eq!(live["is_live"], true);
    assert_eq!(live["last4"], live_key[live_key.len() - 4..]);
    assert_eq!(live["scopes"], json!(["extract:write", "extract:read"]));
    assert_eq!(live["revoked_at"], Value::Null);
    assert_eq!(live["last_used_at"], Value::Null);
    chrono::DateTime::parse_from_rfc3339(live["created_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        variant == Variant::Deployed,
        live.get("expires_at").is_some()
    );

    let (status, test) = create(&sandbox, &token, json!({"name": "CI"})).await;
    assert_eq!(status, 201);
    assert!(test["key"].as_str().unwrap().starts_with("sk_test_"));
    assert_eq!(test["scopes"], json!([]));

    let keys = list(&sandbox, &token).await;
    let ids: Vec<&str> = keys.iter().map(|key| key["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [test["id"].as_str().unwrap(), live["id"].as_str().unwrap()],
        "newest first"
    );
    assert!(
        keys.iter().all(|key| key.get("key").is_none()),
        "list leaks secrets"
    );

    let (status, revoked) = revoke(&sandbox, &token, live["id"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(revoked["revoked_at"].is_string());
    assert_eq!(revoked["id"], live["id"]);
    let keys = list(&sandbox, &token).await;
    assert_eq!(keys.len(), 2, "soft revoke keeps the row");

    let (status, body) = extract(&sandbox, &live_key, None).await;
    assert_eq!(status, 401);
    assert_eq!(error_code(variant, &body), "authentication_failed");

    let test_id = test["id"].as_str().unwrap();
    let (status, body) = remove(&sandbox, &token, test_id).await;
    assert_eq!(status, 204);
    assert_eq!(body, Value::Null);
    let keys = list(&sandbox, &token).await;
    assert_eq!(keys.len(), 1);
    let (status, body) = remove(&sandbox, &token, test_id).await;
    assert_eq!(status, 404);
    assert_eq!(error_code(variant, &body), "not_found");

    let (status, _, events) =
        send(sandbox.get(OLIGON, "/v1/audit-events").bearer_auth(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(events[0]["action"], "api_key.deleted");
    assert_eq!(events[0]["key_id"], test["id"]);
    assert_eq!(events[1]["action"], "api_key.revoked");
}
both_variants!(key_lifecycle);

async fn validation(variant: Variant) {
    let sandbox = start(variant).await;
    let token = sandbox.token(OLIGON, None);
    let expected_status = match variant {
        Variant::Documented => 400,
        Variant::Deployed => 422,
    };
    for body in [
        json!({"name": ""}),
        json!({"name": "x".repeat(121)}),
        json!({"name": "ok", "scopes": ["extract:read", "root"]}),
        json!({"scopes": []}),
        json!({"name": 7}),
    ] {
        let (status, headers, error) = send(
            sandbox
                .post(OLIGON, "/v1/api-keys")
                .bearer_auth(&token)
                .json(&body),
        )
        .await;
        assert_eq!(status, expected_status, "{body} → {error}");
        assert_eq!(error_code(variant, &error), "validation_error");
        if variant == Variant::Deployed {
            assert!(error["error"]["message"].is_string());
            assert!(error["error"]["details"].is_object());
            assert!(headers.contains_key("x-request-id"));
        }
    }
    let (status, ok) = create(&sandbox, &token, json!({"name": "x".repeat(120)})).await;
    assert_eq!(status, 201, "{ok}");
    let (status, headers, error) = send(
        sandbox
            .post(OLIGON, "/v1/api-keys")
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body("{\"name\": "),
    )
    .await;
    assert_eq!(status, 400, "malformed JSON is 400 in both variants");
    assert_eq!(error_code(variant, &error), "invalid_json");
    assert_eq!(
        variant == Variant::Deployed,
        headers.contains_key("x-request-id")
    );
}
both_variants!(validation);

async fn permissions(variant: Variant) {
    let sandbox = start(variant).await;
    let admin = sandbox.token(OLIGON, None);
    let (_, key) = create(&sandbox, &admin, json!({"name": "target"})).await;
    let id = key["id"].as_str().unwrap();
    let reader = sandbox.token_with(
        OLIGON,
        CredentialOptions {
            permissions: Some(vec!["apikey:read".into()]),
            ..CredentialOptions::default()
        },
    );
    let writer = sandbox.token_with(
        OLIGON,
        CredentialOptions {
            permissions: Some(vec!["apikey:write".into()]),
            ..CredentialOptions::default()
        },
    );
    let http = &sandbox.http;
    let url = |path: &str| sandbox.url(OLIGON, path);
    let cases = [
        (http.get(url("/v1/api-keys")).bearer_auth(&writer), 403),
        (http.get(url("/v1/api-keys")).bearer_auth(&reader), 200),
        (
            http.post(url("/v1/api-keys"))
                .bearer_auth(&reader)
                .json(&json!({"name": "n"})),
            403,
        ),
        (
            http.post(url(&format!("/v1/api-keys/{id}/revoke")))
                .bearer_auth(&writer),
            403,
        ),
        (
            http.delete(url(&format!("/v1/api-keys/{id}")))
                .bearer_auth(&reader),
            403,
        ),
        (http.get(url("/v1/api-keys")), 401),
        (http.get(url("/v1/api-keys")).bearer_auth("not-a-jwt"), 401),
        (
            http.get(url("/v1/api-keys"))
                .bearer_auth(sandbox.token(Dialect::Strait, None)),
            401,
        ),
        (
            http.get(url("/v1/api-keys"))
                .bearer_auth(sandbox.token_with(
                    OLIGON,
                    CredentialOptions {
                        expires_in_secs: Some(-1),
                        ..CredentialOptions::default()
                    },
                )),
            401,
        ),
    ];
    for (request, expected) in cases {
        let (status, _, body) = send(request).await;
        assert_eq!(status, expected, "{body}");
        if expected == 403 {
            assert_eq!(error_code(variant, &body), "forbidden");
        }
    }
    assert_eq!(
        list(&sandbox, &admin).await.len(),
        1,
        "denied calls changed nothing"
    );
}
both_variants!(permissions);

async fn org_isolation(variant: Variant) {
    let sandbox = start(variant).await;
    let acme = sandbox.token(OLIGON, None);
    let globex = sandbox.token(OLIGON, Some("org_globex"));
    let (_, key) = create(&sandbox, &acme, json!({"name": "acme key"})).await;
    let id = key["id"].as_str().unwrap();
    assert!(list(&sandbox, &globex).await.is_empty());
    assert_eq!(revoke(&sandbox, &globex, id).await.0, 404);
    assert_eq!(remove(&sandbox, &globex, id).await.0, 404);
    let keys = list(&sandbox, &acme).await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["revoked_at"], Value::Null);
}
both_variants!(org_isolation);

async fn extract_records_last_use(variant: Variant) {
    let sandbox = start(variant).await;
    let token = sandbox.token(OLIGON, None);
    let (_, key) = create(&sandbox, &token, json!({"name": "used", "live": true})).await;
    let plaintext = key["key"].as_str().unwrap();

    let (status, body) = extract(&sandbox, plaintext, Some("203.0.113.5")).await;
    assert_eq!(status, 200, "{body}");
    let listed = list(&sandbox, &token).await;
    assert_eq!(listed[0]["last_used_ip"], "203.0.113.5");
    let first_use = listed[0]["last_used_at"].as_str().unwrap().to_owned();
    chrono::DateTime::parse_from_rfc3339(&first_use).unwrap();

    let (status, _) = extract(&sandbox, plaintext, None).await;
    assert_eq!(status, 200);
    assert_eq!(list(&sandbox, &token).await[0]["last_used_ip"], "127.0.0.1");

    let mut wrong = plaintext.to_owned();
    wrong.pop();
    wrong.push(if plaintext.ends_with('A') { 'B' } else { 'A' });
    for bad in [wrong.as_str(), "", "sk_live_"] {
        let (status, body) = extract(&sandbox, bad, None).await;
        assert_eq!(status, 401);
        assert_eq!(error_code(variant, &body), "authentication_failed");
    }
    let (status, _, _) = send(sandbox.get(OLIGON, "/v1/extract")).await;
    assert_eq!(status, 401);
}
both_variants!(extract_records_last_use);

#[tokio::test]
async fn deployed_keys_may_expire() {
    let sandbox = start(Variant::Deployed).await;
    let token = sandbox.token(OLIGON, None);
    let (status, expired) = create(
        &sandbox,
        &token,
        json!({"name": "old", "expires_at": "2020-01-01T00:00:00+00:00"}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(expired["expires_at"], "2020-01-01T00:00:00+00:00");
    let (status, body) = extract(&sandbox, expired["key"].as_str().unwrap(), None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "authentication_failed");

    let (_, current) = create(
        &sandbox,
        &token,
        json!({"name": "new", "expires_at": "2999-01-01T00:00:00Z"}),
    )
    .await;
    let (status, _) = extract(&sandbox, current["key"].as_str().unwrap(), None).await;
    assert_eq!(status, 200);
}
