//! SyncgramPay: `/api/v1/auth/api-keys…` (user JWT) and the `/api/v1/balance` data plane
//! (`Authorization: Bearer sk_…`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use rusqlite::{Connection, OptionalExtension as _, Row, params};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{bearer, bearer_claims, check_range, json_response, parse_body};
use crate::config::{Dialect, Variant};
use crate::data_plane::accept_key;
use crate::db::{AuditEvent, revoke_row, rows, with_audit};
use crate::failure::Failure;
use crate::secrets;
use crate::state::{IdempotentReply, SandboxState};
use crate::time::{DAY_MS, MINUTE_MS, now_ms, optional_time, rfc3339_z};

const SYNCGRAM: Dialect = Dialect::Syncgram;

pub(crate) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/api/v1/auth/api-keys", get(list).post(create))
        .route("/api/v1/auth/api-keys/{api_key_id}/revoke", post(revoke))
        .route("/api/v1/balance", get(balance))
}

/// A success body, wrapped in `{"success":true,"data":…}` in the deployed variant.
fn success(state: &SandboxState, status: StatusCode, body: Value) -> Response {
    json_response(status, wrap(state.variant(), body))
}

fn wrap(variant: Variant, body: Value) -> Value {
    match variant {
        Variant::Documented => body,
        Variant::Deployed => json!({"success": true, "data": body}),
    }
}

fn respond(state: &SandboxState, status: StatusCode, result: Result<Value, Failure>) -> Response {
    let result = result.map(|body| wrap(state.variant(), body));
    crate::api::respond(state, SYNCGRAM, status, result)
}

/// Verify the user JWT; connected accounts may not manage keys.
fn authorize(state: &SandboxState, headers: &HeaderMap) -> Result<(String, String), Failure> {
    let claims = bearer_claims(state, headers, "syncgram")?;
    if claims.account_type.as_deref() == Some("connected") {
        return Err(Failure::forbidden(
            "Connected accounts cannot manage API keys.",
        ));
    }
    let org = claims
        .org
        .ok_or_else(|| Failure::unauthorized("token has no organization"))?;
    Ok((org, claims.sub))
}

const COLUMNS: &str = "id, name, env, created_at, expires_at, revoked_at, last_used_at";

fn key_json(row: &Row<'_>, now: i64) -> rusqlite::Result<Value> {
    let expires_at: Option<i64> = row.get(4)?;
    let revoked_at: Option<i64> = row.get(5)?;
    let active = revoked_at.is_none() && expires_at.is_none_or(|expiry| expiry > now);
    Ok(json!({
        "api_key_id": row.get::<_, String>(0)?,
        "key_name": row.get::<_, String>(1)?,
        "is_active": active,
        "env": row.get::<_, String>(2)?,
        "created_at": rfc3339_z(row.get(3)?),
        "last_used_at": optional_time(row.get(6)?, rfc3339_z),
        "expires_at": optional_time(expires_at, rfc3339_z),
        "revoked_at": optional_time(revoked_at, rfc3339_z),
    }))
}

async fn list(State(state): State<SandboxState>, headers: HeaderMap) -> Response {
    let result = async {
        let (org, _user) = authorize(&state, &headers)?;
        let keys = state
            .db(move |conn| {
                let now = now_ms();
                rows(
                    conn,
                    &format!(
                        "SELECT {COLUMNS} FROM syncgram_keys WHERE org = ?1 ORDER BY created_at DESC, seq DESC"
                    ),
                    params![org],
                    |row| key_json(row, now),
                )
            })
            .await?;
        Ok(json!({"keys": keys}))
    }
    .await;
    respond(&state, StatusCode::OK, result)
}

#[derive(Deserialize)]
struct CreateBody {
    key_name: String,
    #[serde(default)]
    expires_in_days: Option<i64>,
    #[serde(default)]
    idempotency_key: Option<String>,
    #[serde(default)]
    env: Option<String>,
}

/// What a create decided: a fresh answer, or a replay of an earlier one.
enum Created {
    Fresh(Value),
    Replay(StatusCode, Value),
}

async fn create(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let variant = state.variant();
    let result = async {
        let (org, user) = authorize(&state, &headers)?;
        let request: CreateBody = parse_body(body, false)?;
        let name_length = request.key_name.chars().count();
        if request.key_name.trim().is_empty() || name_length > 255 {
            return Err(Failure::validation(
                "key_name",
                "key_name must be 1–255 characters",
            ));
        }
        if let Some(days) = request.expires_in_days {
            check_range("expires_in_days", days, 1..=3650)?;
        }
        if let Some(env) = request.env.as_deref() {
            if env != "live" && env != "test" {
                return Err(Failure::validation("env", "env must be live or test"));
            }
        }
        if let Some(idempotency_key) = request.idempotency_key.as_deref() {
            if idempotency_key.is_empty() || idempotency_key.len() > 255 {
                return Err(Failure::validation(
                    "idempotency_key",
                    "idempotency_key must be 1–255 characters",
                ));
            }
        }
        let replies = std::sync::Arc::clone(&state.inner().idempotency);
        state
            .db(move |conn| {
                // The replay cache lock is held through the create, so two concurrent retries
                // with one idempotency key cannot both create a key.
                let mut replies = replies.lock().map_err(|_| Failure::internal())?;
                let now = now_ms();
                replies.retain(|_, reply| now - reply.at_ms < DAY_MS);
                let scope = request
                    .idempotency_key
                    .clone()
                    .map(|key| (org.clone(), user.clone(), key));
                if let Some(reply) = scope.as_ref().and_then(|scope| replies.get(scope)) {
                    return Ok(Created::Replay(reply.status, reply.body.clone()));
                }
                let body = create_key(conn, &org, &user, &request, now)?;
                if let Some(scope) = scope {
                    replies.insert(
                        scope,
                        IdempotentReply {
                            at_ms: now,
                            status: StatusCode::CREATED,
                            body: wrap(variant, body.clone()),
                        },
                    );
                }
                Ok(Created::Fresh(body))
            })
            .await
    }
    .await;
    match result {
        Ok(Created::Fresh(body)) => success(&state, StatusCode::CREATED, body),
        Ok(Created::Replay(status, body)) => json_response(status, body),
        Err(failure) => failure.render(SYNCGRAM, variant),
    }
}

fn create_key(
    conn: &mut Connection,
    org: &str,
    user: &str,
    request: &CreateBody,
    now: i64,
) -> Result<Value, Failure> {
    let transaction = conn.transaction()?;
    let last_create: Option<i64> = transaction.query_row(
        "SELECT MAX(created_at) FROM syncgram_keys WHERE created_by = ?1",
        params![user],
        |row| row.get(0),
    )?;
    if let Some(last) = last_create.filter(|last| now - last < MINUTE_MS) {
        let wait_secs = u64::try_from((MINUTE_MS - (now - last) + 999) / 1000).unwrap_or(60);
        let mut failure = Failure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Rate limit exceeded. Wait 1 minute before creating another key.",
        );
        failure.retry_after_secs = Some(wait_secs.max(1));
        return Err(failure);
    }
    let active = transaction
        .query_row(
            "SELECT 1 FROM syncgram_keys WHERE org = ?1 AND revoked_at IS NULL
             AND (expires_at IS NULL OR expires_at > ?2) LIMIT 1",
            params![org, now],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if active {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "active_key_exists",
            "Organization already has an active key. Revoke it before creating a new one.",
        ));
    }
    let payments_enabled: bool = transaction
        .query_row(
            "SELECT payments_enabled FROM syncgram_orgs WHERE id = ?1",
            params![org],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or(false);
    let env = if payments_enabled {
        request.env.clone().unwrap_or_else(|| "live".into())
    } else {
        "test".into()
    };
    let plaintext = format!("sk_{env}_{}", secrets::random_base62(32));
    let id = format!("key_{}", secrets::random_lower(20));
    let expires_at = request.expires_in_days.map(|days| now + days * DAY_MS);
    transaction.execute(
        "INSERT INTO syncgram_keys (id, org, name, env, key_hash, created_by, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            org,
            request.key_name,
            env,
            secrets::digest(&plaintext),
            user,
            now,
            expires_at
        ],
    )?;
    transaction.commit()?;
    Ok(json!({
        "api_key_id": id,
        "key": plaintext,
        "key_name": request.key_name,
        "env": env,
        "created_at": rfc3339_z(now),
        "expires_at": optional_time(expires_at, rfc3339_z),
    }))
}

async fn revoke(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path(api_key_id): Path<String>,
) -> Response {
    let result = async {
        let (org, user) = authorize(&state, &headers)?;
        state
            .db(move |conn| {
                let now = now_ms();
                let event = AuditEvent {
                    api: "syncgram",
                    org: &org,
                    actor: &user,
                    action: "api_key.revoked",
                    key_id: &api_key_id,
                    at: now,
                };
                with_audit(conn, &event, |conn| {
                    revoke_row(
                        conn,
                        ("syncgram_keys", "org"),
                        &api_key_id,
                        &org,
                        now,
                        "API key not found.",
                    )
                })?;
                Ok(json!({"status": "revoked", "api_key_id": api_key_id}))
            })
            .await
    }
    .await;
    respond(&state, StatusCode::OK, result)
}

/// Data plane: a payments call authenticated by the API key.
async fn balance(State(state): State<SandboxState>, headers: HeaderMap) -> Response {
    let key = bearer(&headers).map(str::to_owned);
    let result = async {
        let key = key.ok_or_else(|| Failure::unauthorized("missing API key"))?;
        state
            .db(move |conn| {
                let now = now_ms();
                let (id, env) = accept_key(conn, "syncgram_keys", &["env"], &key, now, |row| {
                    row.get::<_, String>("env")
                })?;
                conn.execute(
                    "UPDATE syncgram_keys SET last_used_at = ?1 WHERE id = ?2",
                    params![now, id],
                )?;
                Ok(json!({"object": "balance", "livemode": env == "live", "available": [{"amount": 0, "currency": "eur"}]}))
            })
            .await
    }
    .await;
    respond(&state, StatusCode::OK, result)
}
