//! fiskaly Management: `/auth`, `/organizations/{org}/api-keys…`; using a key = `/auth` with it.

use keydesk_sandbox::{Dialect, SandboxConfig, Variant};
use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

use super::both_variants;
use crate::support::sandbox::{Sandbox, send, start, start_with};

const FISKALY: Dialect = Dialect::Fiskaly;

/// A logged-in admin of one org.
struct Admin<'a> {
    sandbox: &'a Sandbox,
    org: String,
    token: String,
}

impl Admin<'_> {
    async fn of<'s>(sandbox: &'s Sandbox, org: Option<&str>) -> Admin<'s> {
        let (org, token) = sandbox.fiskaly_token(org).await;
        Admin {
            sandbox,
            org,
            token,
        }
    }

    fn url(&self, path: &str) -> String {
        self.sandbox.url(
            FISKALY,
            &format!("/organizations/{}/api-keys{path}", self.org),
        )
    }

    /// `method` on the key `key_ref` (its `_id` or name), with this admin's token.
    fn key_request(&self, method: Method, key_ref: &str) -> RequestBuilder {
        self.sandbox
            .http
            .request(method, self.url(&format!("/{key_ref}")))
            .bearer_auth(&self.token)
    }

    async fn create(&self, body: Value) -> (u16, Value) {
        let request = self.sandbox.http.post(self.url(""));
        let (status, _, body) = send(request.bearer_auth(&self.token).json(&body)).await;
        (status, body)
    }

    async fn list(&self, query: &str) -> (u16, Value) {
        let request = self.sandbox.http.get(self.url(query));
        let (status, _, body) = send(request.bearer_auth(&self.token)).await;
        (status, body)
    }
}

async fn auth_with(sandbox: &Sandbox, body: Value) -> (u16, Value) {
    let (status, _, body) = send(sandbox.post(FISKALY, "/auth").json(&body)).await;
    (status, body)
}

fn names(list: &Value) -> Vec<&str> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key["name"].as_str().unwrap())
        .collect()
}

async fn auth_tokens_and_refresh(variant: Variant) {
    let sandbox = start(variant).await;
    let (_, tokens) = sandbox.fiskaly_login(None).await;
    let now = chrono::Utc::now().timestamp();
    assert_eq!(tokens["access_token_expires_in"], 300);
    let access_expires_at = tokens["access_token_expires_at"].as_i64().unwrap();
    assert!((now + 295..=now + 305).contains(&access_expires_at));
    let refresh_ttl = tokens["refresh_token_expires_in"].as_i64().unwrap();
    assert_eq!(
        refresh_ttl,
        if variant == Variant::Deployed {
            600
        } else {
            300
        }
    );

    let (status, refreshed) =
        auth_with(&sandbox, json!({"refresh_token": tokens["refresh_token"]})).await;
    assert_eq!(status, 200, "{refreshed}");
    let admin = Admin {
        sandbox: &sandbox,
        org: keydesk_sandbox::FISKALY_DEFAULT_ORG.into(),
        token: refreshed["access_token"].as_str().unwrap().into(),
    };
    assert_eq!(admin.list("").await.0, 200);

    // An access token is not a refresh token, and garbage is refused.
    for body in [
        json!({"refresh_token": tokens["access_token"]}),
        json!({"refresh_token": "nope"}),
    ] {
        let (status, error) = auth_with(&sandbox, body).await;
        assert_eq!(status, 401);
        assert_eq!(error["status_code"], 401);
        assert_eq!(error["code"], "E_AUTHENTICATION_FAILED");
    }
    let credentials = sandbox
        .handle
        .credentials(FISKALY, None)
        .unwrap()
        .credentials;
    let (status, _) = auth_with(
        &sandbox,
        json!({"api_key": credentials["api_key"], "api_secret": "wrong"}),
    )
    .await;
    assert_eq!(status, 401);
    let (status, error) = auth_with(&sandbox, json!({"api_key": credentials["api_key"]})).await;
    assert_eq!(status, 400);
    assert_eq!(error["code"], "E_VALIDATION_ERROR");
    // A refresh token is not an access token either.
    let (status, _, _) = send(
        sandbox
            .http
            .get(admin.url(""))
            .bearer_auth(tokens["refresh_token"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, 401);
}
both_variants!(auth_tokens_and_refresh);

#[tokio::test]
async fn token_ttl_is_configurable_and_expired_tokens_are_refused() {
    let sandbox = start_with(SandboxConfig {
        token_ttl_secs: 600,
        ..SandboxConfig::default()
    })
    .await;
    let (_, tokens) = sandbox.fiskaly_login(None).await;
    assert_eq!(tokens["access_token_expires_in"], 600);

    // A zero lifetime makes tokens that are expired the moment they are issued.
    let sandbox = start_with(SandboxConfig {
        token_ttl_secs: 0,
        ..SandboxConfig::default()
    })
    .await;
    let (status, error) = Admin::of(&sandbox, None).await.list("").await;
    assert_eq!(status, 401);
    assert_eq!(error["code"], "E_AUTHENTICATION_FAILED");
}

async fn create_retrieve_update_delete(variant: Variant) {
    let sandbox = start(variant).await;
    let admin = Admin::of(&sandbox, None).await;
    let (status, created) = admin
        .create(
            json!({"name": "pos-terminal-1", "kind": "live", "status": "enabled",
                       "metadata": {"store": "berlin-01"}}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["_type"], "API_KEY");
    assert_eq!(created["_envs"], json!(["LIVE"]));
    assert_eq!(created["name"], "pos-terminal-1");
    assert_eq!(created["status"], "enabled");
    assert_eq!(created["metadata"], json!({"store": "berlin-01"}));
    assert_eq!(created["managed_by_organization_id"], admin.org);
    assert!(created["created_at"].is_i64());
    let api_key = created["key"].as_str().unwrap().to_owned();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(api_key.starts_with("live_"));
    assert!(secret.len() >= 22);

    let id = created["_id"].as_str().unwrap().to_owned();
    for reference in [id.as_str(), "pos-terminal-1"] {
        let (status, _, found) = send(admin.key_request(Method::GET, reference)).await;
        assert_eq!(status, 200);
        assert_eq!(found["_id"], created["_id"]);
        assert!(found.get("secret").is_none(), "secret is shown once");
    }

    // Using the key: /auth with it works while enabled.
    let use_key = || auth_with(&sandbox, json!({"api_key": api_key, "api_secret": secret}));
    let (status, key_tokens) = use_key().await;
    assert_eq!(status, 200);
    let key_token = key_tokens["access_token"].as_str().unwrap().to_owned();

    let patch = |status: &str| {
        admin
            .key_request(Method::PATCH, &id)
            .json(&json!({"status": status}))
    };
    let (status, _, disabled) = send(patch("disabled")).await;
    assert_eq!(status, 200);
    assert_eq!(disabled["status"], "disabled");
    assert_eq!(use_key().await.0, 401, "disabled keys cannot authenticate");
    let (status, _, _) = send(sandbox.http.get(admin.url("")).bearer_auth(&key_token)).await;
    assert_eq!(status, 401, "tokens of a disabled key stop working");
    let (status, _, _) = send(patch("paused")).await;
    assert_eq!(status, 400);
    let (status, _, enabled) = send(patch("enabled")).await;
    assert_eq!(enabled["status"], "enabled");
    assert_eq!(status, 200);
    assert_eq!(use_key().await.0, 200);

    let (status, _, deleted) = send(admin.key_request(Method::DELETE, &id)).await;
    assert_eq!(status, 200);
    assert_eq!(deleted, json!({"deleted": true}));
    let (status, _, missing) = send(admin.key_request(Method::GET, &id)).await;
    assert_eq!(status, 404);
    assert_eq!(missing["code"], "E_NOT_FOUND");
    assert_eq!(use_key().await.0, 401, "deleted keys cannot authenticate");
}
both_variants!(create_retrieve_update_delete);

async fn create_validation(variant: Variant) {
    let sandbox = start(variant).await;
    let admin = Admin::of(&sandbox, None).await;
    let many: serde_json::Map<String, Value> =
        (0..21).map(|i| (format!("k{i}"), json!("v"))).collect();
    for body in [
        json!({"name": "ab", "kind": "test", "status": "enabled"}),
        json!({"name": "Upper-Case", "kind": "test", "status": "enabled"}),
        json!({"name": "a".repeat(31), "kind": "test", "status": "enabled"}),
        json!({"name": "valid-name", "kind": "prod", "status": "enabled"}),
        json!({"name": "valid-name", "kind": "test"}),
        json!({"name": "valid-name", "kind": "test", "status": "enabled", "metadata": many}),
        json!({"name": "valid-name", "kind": "test", "status": "enabled",
               "metadata": {"k".repeat(41): "v"}}),
        json!({"name": "valid-name", "kind": "test", "status": "enabled",
               "metadata": {"k": "v".repeat(501)}}),
    ] {
        let (status, error) = admin.create(body.clone()).await;
        assert_eq!(status, 400, "{body} → {error}");
        assert_eq!(error["status_code"], 400);
    }
    let edge: serde_json::Map<String, Value> = (0..20)
        .map(|i| (format!("{i:0>40}"), json!("v".repeat(500))))
        .collect();
    let (status, _) = admin
        .create(json!({"name": "a-3", "kind": "test", "status": "disabled", "metadata": edge}))
        .await;
    assert_eq!(status, 200);
    let (status, error) = admin
        .create(json!({"name": "a-3", "kind": "live", "status": "enabled"}))
        .await;
    assert_eq!(status, 409);
    assert_eq!(error["code"], "E_CONFLICT");

    // The draft's form: the name in the path.
    let (status, _, created) = send(
        admin
            .key_request(Method::PUT, "named-in-path")
            .json(&json!({"kind": "test", "status": "enabled"})),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["name"], "named-in-path");
    assert!(created["secret"].is_string());
}
both_variants!(create_validation);

async fn list_filters_sorts_and_pages(variant: Variant) {
    let sandbox = start(variant).await;
    let admin = Admin::of(&sandbox, None).await;
    for (name, kind, status) in [
        ("delta", "live", "enabled"),
        ("alpha", "test", "disabled"),
        ("charlie", "live", "disabled"),
        ("bravo", "test", "enabled"),
    ] {
        let (code, _) = admin
            .create(json!({"name": name, "kind": kind, "status": status}))
            .await;
        assert_eq!(code, 200);
    }
    let (status, all) = admin.list("").await;
    assert_eq!(status, 200);
    assert_eq!(all["_type"], "API_KEY_LIST");
    assert_eq!(all["count"], 4);
    assert_eq!(
        names(&all),
        ["delta", "alpha", "charlie", "bravo"],
        "creation order"
    );
    assert!(
        all["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|key| key.get("secret").is_none())
    );

    let (_, sorted) = admin.list("?order_by=name&order=desc").await;
    assert_eq!(names(&sorted), ["delta", "charlie", "bravo", "alpha"]);
    let (_, page) = admin.list("?order_by=name&limit=2&offset=1").await;
    assert_eq!(names(&page), ["bravo", "charlie"]);
    assert_eq!(page["count"], 4, "count is the total, not the page");
    let (_, live) = admin.list("?kind[]=live&order_by=name").await;
    assert_eq!(names(&live), ["charlie", "delta"]);
    let (_, filtered) = admin
        .list("?kind[]=test&kind[]=live&status[]=enabled&order_by=name")
        .await;
    assert_eq!(names(&filtered), ["bravo", "delta"]);
    assert_eq!(filtered["count"], 2);
    let (_, by_kind) = admin.list("?order_by=kind").await;
    assert_eq!(names(&by_kind), ["delta", "charlie", "alpha", "bravo"]);
    let (_, beyond) = admin.list("?offset=10").await;
    assert_eq!(names(&beyond), Vec::<&str>::new());
    assert_eq!(beyond["count"], 4);

    for query in [
        "?limit=101",
        "?limit=0",
        "?limit=x",
        "?offset=-1",
        "?order_by=created",
        "?order=up",
        "?kind[]=prod",
        "?status[]=on",
    ] {
        let (status, error) = admin.list(query).await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(error["code"], "E_VALIDATION_ERROR");
    }
    let (status, _) = admin.list("?limit=100").await;
    assert_eq!(status, 200);
}
both_variants!(list_filters_sorts_and_pages);

async fn org_isolation(variant: Variant) {
    let sandbox = start(variant).await;
    let acme = Admin::of(&sandbox, None).await;
    let globex = Admin::of(&sandbox, Some("2b7e1516-28ae-4d2a-abf7-158809cf4f3c")).await;
    let (_, key) = acme
        .create(json!({"name": "acme-key", "kind": "test", "status": "enabled"}))
        .await;
    let id = key["_id"].as_str().unwrap();
    assert_eq!(globex.list("").await.1["count"], 0);
    // Globex's token on Acme's paths: the org does not exist for it.
    let intruder = Admin {
        sandbox: &sandbox,
        org: acme.org.clone(),
        token: globex.token.clone(),
    };
    assert_eq!(intruder.list("").await.0, 404);
    for request in [
        intruder.key_request(Method::GET, id),
        intruder.key_request(Method::DELETE, id),
        intruder
            .key_request(Method::PATCH, id)
            .json(&json!({"status": "disabled"})),
    ] {
        let (status, _, _) = send(request).await;
        assert_eq!(status, 404);
    }
    // Globex's own path with Acme's key id: not there either.
    let (status, _, _) = send(globex.key_request(Method::GET, id)).await;
    assert_eq!(status, 404);
    assert_eq!(acme.list("").await.1["data"][0]["status"], "enabled");
    let (status, _, _) = send(sandbox.http.get(acme.url(""))).await;
    assert_eq!(status, 401, "no token");
}
both_variants!(org_isolation);
