//! Strait project keys: `/strait/v1/api-keys…`, rotation with grace, `/strait/v1/whoami`.

use keydesk_sandbox::{Dialect, STRAIT_DEFAULT_PROJECT, SandboxConfig, Seed, Variant};
use serde_json::{Value, json};

use super::both_variants;
use crate::support::sandbox::{Sandbox, deployed_strait_write_limit, send, start, start_with};

const STRAIT: Dialect = Dialect::Strait;

/// An admin of one project.
struct Admin<'a> {
    sandbox: &'a Sandbox,
    variant: Variant,
    project: String,
    token: String,
}

impl<'a> Admin<'a> {
    fn of(sandbox: &'a Sandbox, variant: Variant, project: Option<&str>) -> Self {
        let credentials = sandbox
            .handle
            .credentials(STRAIT, project)
            .unwrap()
            .credentials;
        Admin {
            sandbox,
            variant,
            project: credentials["project_id"].as_str().unwrap().into(),
            token: credentials["token"].as_str().unwrap().into(),
        }
    }

    async fn create(&self, mut body: Value) -> (u16, Value) {
        if body.get("project_id").is_none() {
            body["project_id"] = json!(self.project);
        }
        let request = self.sandbox.post(STRAIT, "/v1/api-keys");
        let (status, _, body) = send(request.bearer_auth(&self.token).json(&body)).await;
        (status, body)
    }

    /// A new key; in the deployed variant, which needs a lifetime, one of 100 years.
    async fn create_ok(&self, name: &str) -> Value {
        let mut body = json!({"name": name, "scopes": ["read"]});
        if self.variant == Variant::Deployed {
            body["expires_in_days"] = json!(36500);
        }
        let (status, body) = self.create(body).await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// Every key of the project, following cursors in the deployed variant.
    async fn list_all(&self, variant: Variant) -> Vec<Value> {
        let mut keys = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/v1/api-keys?project_id={}", self.project);
            if variant == Variant::Deployed {
                path.push_str("&limit=2");
            }
            if let Some(cursor) = &cursor {
                path.push_str(&format!("&cursor={cursor}"));
            }
            let request = self.sandbox.get(STRAIT, &path);
            let (status, _, body) = send(request.bearer_auth(&self.token)).await;
            assert_eq!(status, 200, "{body}");
            match variant {
                Variant::Documented => return body.as_array().unwrap().clone(),
                Variant::Deployed => {
                    let page = body["data"].as_array().unwrap();
                    assert!(page.len() <= 2);
                    keys.extend(page.iter().cloned());
                    if body["has_more"] == false {
                        assert_eq!(body["next_cursor"], Value::Null);
                        return keys;
                    }
                    cursor = Some(body["next_cursor"].as_str().unwrap().to_owned());
                }
            }
        }
    }

    async fn revoke(&self, id: &str) -> (u16, Value) {
        let request = self.sandbox.delete(STRAIT, &format!("/v1/api-keys/{id}"));
        let (status, _, body) = send(request.bearer_auth(&self.token)).await;
        (status, body)
    }

    async fn rotate(&self, id: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .sandbox
            .post(STRAIT, &format!("/v1/api-keys/{id}/rotate"))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let (status, _, body) = send(request).await;
        (status, body)
    }

    async fn use_key(&self, key: &str) -> u16 {
        send(self.sandbox.get(STRAIT, "/v1/whoami").bearer_auth(key))
            .await
            .0
    }
}

/// The status of a list request with `query` and `token` (any token, not only an admin's).
async fn list_status(sandbox: &Sandbox, query: &str, token: &str) -> u16 {
    let path = format!("/v1/api-keys{query}");
    send(sandbox.get(STRAIT, &path).bearer_auth(token)).await.0
}

/// The status of a refused field: 400, or 422 from the open-source service.
fn invalid_status(variant: Variant) -> u16 {
    match variant {
        Variant::Documented => 400,
        Variant::Deployed => 422,
    }
}

/// The status of a rotation: 200, or 201 from the open-source service.
fn rotate_status(variant: Variant) -> u16 {
    match variant {
        Variant::Documented => 200,
        Variant::Deployed => 201,
    }
}

fn time(value: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap()
}

async fn create_list_and_revoke(variant: Variant) {
    let sandbox = start(variant).await;
    let admin = Admin::of(&sandbox, variant, None);
    assert_eq!(admin.project, STRAIT_DEFAULT_PROJECT);
    let (status, created) = admin
        .create(
            json!({"name": "billing worker", "scopes": ["billing:read", "billing:write"],
                       "expires_in_days": 90, "environment_id": "env_prod"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let key = created["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("strait_"));
    assert_eq!(key.len(), 7 + 64);
    assert!(key[7..].chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(created["key_prefix"], key[..12]);
    assert_eq!(created["project_id"], STRAIT_DEFAULT_PROJECT);
    assert_eq!(created["environment_id"], "env_prod");
    assert_eq!(
        (time(&created["expires_at"]) - time(&created["created_at"])).num_days(),
        90
    );
    assert!(created.get("rotation_webhook_secret").is_none());

    for i in 0..4 {
        admin.create_ok(&format!("key {i}")).await;
    }
    let keys = admin.list_all(variant).await;
    let names: Vec<&str> = keys
        .iter()
        .map(|key| key["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["key 3", "key 2", "key 1", "key 0", "billing worker"],
        "newest first"
    );
    assert!(keys.iter().all(|key| key.get("key").is_none()));

    assert_eq!(admin.use_key(&key).await, 200);
    let id = created["id"].as_str().unwrap();
    let listed = admin.list_all(variant).await;
    assert!(listed.iter().find(|k| k["id"] == id).unwrap()["last_used_at"].is_string());

    let expected = match variant {
        Variant::Documented => (204, Value::Null),
        Variant::Deployed => (200, json!({"status": "revoked"})),
    };
    assert_eq!(admin.revoke(id).await, expected);
    if variant == Variant::Deployed {
        // The open-source service leaves revoked keys out of its list.
        let listed = admin.list_all(variant).await;
        assert!(listed.iter().all(|k| k["id"] != id), "revoked key listed");
        assert_eq!(listed.len(), 4);
        assert_eq!(admin.revoke(id).await, expected, "revoke is idempotent");
    } else {
        let revoked_at = admin
            .list_all(variant)
            .await
            .into_iter()
            .find(|k| k["id"] == id)
            .unwrap()["revoked_at"]
            .clone();
        assert!(revoked_at.is_string());
        assert_eq!(admin.revoke(id).await, expected, "revoke is idempotent");
        let again = admin
            .list_all(variant)
            .await
            .into_iter()
            .find(|k| k["id"] == id)
            .unwrap();
        assert_eq!(
            again["revoked_at"], revoked_at,
            "the first revocation time stays"
        );
    }
    assert_eq!(admin.use_key(&key).await, 401);
    assert_eq!(
        admin.revoke("00000000-0000-0000-0000-000000000000").await.0,
        404
    );
}
both_variants!(create_list_and_revoke);

async fn create_validation(variant: Variant) {
    let sandbox = start(variant).await;
    let admin = Admin::of(&sandbox, variant, None);
    for body in [
        json!({"name": "", "scopes": ["a"]}),
        json!({"name": "x".repeat(256), "scopes": ["a"]}),
        json!({"name": "n"}),
        json!({"name": "n", "scopes": []}),
        json!({"name": "n", "scopes": ["a"], "expires_in_days": 0}),
        json!({"name": "n", "scopes": ["a"], "expires_in_days": 36501}),
        json!({"name": "n", "scopes": ["a"], "rotation_interval_days": 30}),
        json!({"name": "n", "scopes": ["a"], "rotation_interval_days": 30,
               "rotation_webhook_url": "http://hooks.example.com/rotate"}),
        json!({"name": "n", "scopes": ["a"], "rotation_webhook_url": "not a url"}),
    ] {
        let (status, error) = admin.create(body.clone()).await;
        assert_eq!(status, invalid_status(variant), "{body} → {error}");
        assert_eq!(error["status"], invalid_status(variant));
        assert!(error["title"].is_string() && error["detail"].is_string());
    }
    let (status, ok) = admin
        .create(json!({"name": "x".repeat(255), "scopes": ["a"], "expires_in_days": 36500}))
        .await;
    assert_eq!(status, 201, "{ok}");

    let (status, rotating) = admin
        .create(
            json!({"name": "auto", "scopes": ["a"], "rotation_interval_days": 30,
                       "rotation_webhook_url": "https://hooks.example.com/rotate",
                       "expires_in_days": 365}),
        )
        .await;
    assert_eq!(status, 201, "{rotating}");
    assert!(
        rotating["rotation_webhook_secret"]
            .as_str()
            .unwrap()
            .starts_with("whsec_")
    );
    assert_eq!(rotating["rotation_interval_days"], 30);
    assert_eq!(
        (time(&rotating["next_rotation_at"]) - time(&rotating["created_at"])).num_days(),
        30
    );
    let listed = admin.list_all(variant).await;
    assert!(
        listed
            .iter()
            .all(|key| key.get("rotation_webhook_secret").is_none())
    );
}
both_variants!(create_validation);

async fn rotate_with_grace(variant: Variant) {
    let sandbox = start(variant).await;
    let admin = Admin::of(&sandbox, variant, None);
    let old = admin.create_ok("api server").await;
    let old_id = old["id"].as_str().unwrap();
    let old_key = old["key"].as_str().unwrap();

    let (status, rotated) = admin.rotate(old_id, None).await;
    assert_eq!(status, rotate_status(variant), "{rotated}");
    assert_eq!(rotated["old_key_id"], old["id"]);
    assert_eq!(rotated["name"], "api server (rotated)");
    assert_eq!(rotated["scopes"], json!(["read"]));
    let new_key = rotated["key"].as_str().unwrap();
    assert!(new_key.starts_with("strait_") && new_key != old_key);
    assert_eq!(rotated["key_prefix"], new_key[..12]);
    let grace = time(&rotated["grace_expires_at"]) - time(&rotated["created_at"]);
    assert_eq!(grace.num_minutes(), 60, "default grace");

    let keys = admin.list_all(variant).await;
    let old_row = keys.iter().find(|key| key["id"] == old["id"]).unwrap();
    assert_eq!(old_row["replaced_by_key_id"], rotated["new_key_id"]);
    assert_eq!(old_row["grace_expires_at"], rotated["grace_expires_at"]);
    assert_eq!(old_row["revoked_at"], Value::Null);
    assert_eq!(
        admin.use_key(old_key).await,
        200,
        "old key works during grace"
    );
    assert_eq!(admin.use_key(new_key).await, 200);
    assert_eq!(admin.rotate(old_id, None).await.0, 409, "already rotated");

    // Grace 0: the old key stops at once.
    let short = admin.create_ok("short grace").await;
    let (status, rotated) = admin
        .rotate(
            short["id"].as_str().unwrap(),
            Some(json!({"grace_period_minutes": 0})),
        )
        .await;
    assert_eq!(status, rotate_status(variant));
    assert_eq!(admin.use_key(short["key"].as_str().unwrap()).await, 401);
    assert_eq!(admin.use_key(rotated["key"].as_str().unwrap()).await, 200);

    let other = admin.create_ok("bounds").await;
    let other_id = other["id"].as_str().unwrap();
    for minutes in [10081, -1] {
        let (status, _) = admin
            .rotate(other_id, Some(json!({"grace_period_minutes": minutes})))
            .await;
        assert_eq!(status, invalid_status(variant));
    }
    let (status, max) = admin
        .rotate(other_id, Some(json!({"grace_period_minutes": 10080})))
        .await;
    assert_eq!(status, rotate_status(variant));
    assert_eq!(
        (time(&max["grace_expires_at"]) - time(&max["created_at"])).num_minutes(),
        10080
    );

    let revoked = admin.create_ok("revoked").await;
    let revoked_id = revoked["id"].as_str().unwrap();
    admin.revoke(revoked_id).await;
    let (status, error) = admin.rotate(revoked_id, Some(json!({}))).await;
    assert_eq!(status, 409);
    assert_eq!(error["status"], 409);
    assert_eq!(admin.rotate("missing", None).await.0, 404);
}
both_variants!(rotate_with_grace);

async fn expiring_soon(variant: Variant) {
    let sandbox = start(variant).await;
    let admin = Admin::of(&sandbox, variant, None);
    for (name, days) in [("soon", 5), ("later", 100)] {
        let (status, _) = admin
            .create(json!({"name": name, "scopes": ["a"], "expires_in_days": days}))
            .await;
        assert_eq!(status, 201);
    }
    admin.create_ok("never").await;
    let fetch = |query: &str| {
        sandbox
            .get(STRAIT, &format!("/v1/api-keys/expiring-soon{query}"))
            .bearer_auth(&admin.token)
    };
    let names = |body: &Value| -> Vec<String> {
        let keys = match variant {
            Variant::Documented => body.as_array().unwrap(),
            Variant::Deployed => body["data"].as_array().unwrap(),
        };
        keys.iter()
            .map(|key| key["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, _, body) = send(fetch("?within_days=30")).await;
    assert_eq!(status, 200);
    assert_eq!(names(&body), ["soon"]);
    let (_, _, body) = send(fetch("?within_days=365")).await;
    assert_eq!(names(&body), ["soon", "later"]);
    let (_, _, body) = send(fetch("")).await;
    assert_eq!(names(&body), ["soon"], "default window is 30 days");
    assert_eq!(
        send(fetch("?within_days=0")).await.0,
        invalid_status(variant)
    );
    assert_eq!(
        send(fetch("?within_days=abc")).await.0,
        invalid_status(variant)
    );
}
both_variants!(expiring_soon);

async fn project_isolation(variant: Variant) {
    let sandbox = start(variant).await;
    let acme = Admin::of(&sandbox, variant, None);
    let other = Admin::of(&sandbox, variant, Some("proj_other"));
    let key = acme.create_ok("acme").await;
    let id = key["id"].as_str().unwrap();
    assert!(other.list_all(variant).await.is_empty());
    assert_eq!(other.revoke(id).await.0, 404);
    assert_eq!(other.rotate(id, None).await.0, 404);
    // Naming another project than the token's is forbidden.
    let (status, error) = other
        .create(json!({"project_id": acme.project, "name": "sneaky", "scopes": ["a"]}))
        .await;
    assert_eq!(status, 403, "{error}");
    let acme_project = format!("?project_id={}", acme.project);
    assert_eq!(
        list_status(&sandbox, &acme_project, &other.token).await,
        403
    );
    assert_eq!(
        list_status(&sandbox, "", &acme.token).await,
        invalid_status(variant),
        "project_id is required"
    );
    let oligon = sandbox.token(Dialect::Oligon, None);
    assert_eq!(
        list_status(&sandbox, &acme_project, &oligon).await,
        401,
        "another API's token"
    );
    let keys = acme.list_all(variant).await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["revoked_at"], Value::Null);
}
both_variants!(project_isolation);

#[tokio::test]
async fn deployed_errors_carry_the_services_envelope_and_a_request_id() {
    let sandbox = start(Variant::Deployed).await;
    let admin = Admin::of(&sandbox, Variant::Deployed, None);
    let (status, error) = admin
        .create(json!({"name": "", "scopes": ["a"], "expires_in_days": 30}))
        .await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(error["error"]["code"], "validation_failed");
    assert_eq!(error["error"]["details"][0]["field"], "name");
    assert!(error["error"]["message"].is_string());
    let request_id = error["request_id"].as_str().unwrap();
    assert!(request_id.starts_with("req_"), "{request_id}");
    assert_eq!(error["status"], 422, "the problem+json members stay");

    let (status, missing) = admin.revoke("00000000-0000-0000-0000-000000000000").await;
    assert_eq!(status, 404);
    assert_eq!(missing["error"]["code"], "not_found");
    assert_eq!(missing["error"]["details"], json!([]));
    assert_ne!(
        missing["request_id"], error["request_id"],
        "one id per request"
    );
}

#[tokio::test]
async fn deployed_create_needs_expires_in_days() {
    let sandbox = start(Variant::Deployed).await;
    let admin = Admin::of(&sandbox, Variant::Deployed, None);
    let (status, error) = admin.create(json!({"name": "n", "scopes": ["a"]})).await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(error["error"]["details"][0]["field"], "expires_in_days");
    let documented = start(Variant::Documented).await;
    let admin = Admin::of(&documented, Variant::Documented, None);
    let (status, key) = admin.create(json!({"name": "n", "scopes": ["a"]})).await;
    assert_eq!(status, 201, "the documented API keeps it optional");
    assert_eq!(key["expires_at"], Value::Null);
}

#[tokio::test]
async fn deployed_pages_hold_50_keys_and_the_cursor_is_the_last_created_at() {
    let sandbox = start_with(SandboxConfig {
        variant: Variant::Deployed,
        seed: Some(Seed::Bulk { keys_per_api: 60 }),
        ..SandboxConfig::default()
    })
    .await;
    let admin = Admin::of(&sandbox, Variant::Deployed, None);
    let page = |query: String| {
        let path = format!("/v1/api-keys?project_id={}{query}", admin.project);
        send(sandbox.get(STRAIT, &path).bearer_auth(&admin.token))
    };
    let (status, _, first) = page(String::new()).await;
    assert_eq!(status, 200, "{first}");
    let keys = first["data"].as_array().unwrap();
    assert_eq!(keys.len(), 50, "default page size");
    assert_eq!(first["has_more"], true);
    let cursor = first["next_cursor"].as_str().unwrap();
    let cursor_time = chrono::DateTime::parse_from_rfc3339(cursor).unwrap();
    assert_eq!(
        cursor_time.timestamp(),
        time(&keys[49]["created_at"]).timestamp()
    );
    let (_, _, rest) = page(format!("&cursor={cursor}")).await;
    let rest = rest["data"].as_array().unwrap();
    assert_eq!(rest.len(), 10);
    assert!(
        rest.iter()
            .all(|key| time(&key["created_at"]) < cursor_time)
    );
    let (status, _, error) = page("&cursor=bm90IGEgdGltZQ".into()).await;
    assert_eq!(status, 422);
    assert_eq!(error["error"]["details"][0]["field"], "cursor");
    assert_eq!(page("&limit=101".into()).await.0, 422);
    assert_eq!(page("&limit=0".into()).await.0, 422);
    let (status, _, whole) = page("&limit=100".into()).await;
    assert_eq!(status, 200, "100 is the largest page");
    assert_eq!(whole["data"].as_array().unwrap().len(), 60);
    assert_eq!(
        (&whole["has_more"], &whole["next_cursor"]),
        (&json!(false), &Value::Null)
    );
}

#[tokio::test]
async fn deployed_writes_past_ten_a_minute_get_a_plain_text_429() {
    let sandbox = start_with(deployed_strait_write_limit()).await;
    let admin = Admin::of(&sandbox, Variant::Deployed, None);
    // Creates, rotations and revocations all count, refused ones too.
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(
            admin.create_ok(&format!("key {i}")).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    for id in &ids[..3] {
        assert_eq!(admin.rotate(id, None).await.0, 201);
    }
    assert_eq!(admin.revoke(&ids[3]).await.0, 200);
    assert_eq!(admin.revoke("missing").await.0, 404);
    assert_eq!(admin.create(json!({"name": ""})).await.0, 422);

    let create = || {
        sandbox
            .post(STRAIT, "/v1/api-keys")
            .bearer_auth(&admin.token)
            .json(
                &json!({"project_id": admin.project, "name": "n", "scopes": ["a"],
                          "expires_in_days": 30}),
            )
    };
    let refused = create().send().await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(
        refused.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(serde_json::from_str::<Value>(&refused.text().await.unwrap()).is_err());
    assert_eq!(admin.rotate(&ids[0], None).await.0, 429);
    // Reads are not limited, and the limit is per client address.
    assert_eq!(admin.list_all(Variant::Deployed).await.len(), 6);
    let elsewhere = create().header("x-forwarded-for", "203.0.113.9");
    assert_eq!(elsewhere.send().await.unwrap().status(), 201);
}
