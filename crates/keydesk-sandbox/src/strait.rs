//! Strait project keys: `/v1/api-keys…` (admin JWT bound to one project), rotation with a
//! grace period, and the `/v1/whoami` data plane (`Authorization: Bearer strait_…`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use rusqlite::{Connection, Row, params};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{
    ClientIp, bearer, bearer_claims, check_range, json_response, parse_body, query_int,
    query_pairs, query_value, respond,
};
use crate::config::{Dialect, Variant};
use crate::data_plane::{accept_key, invalid_key};
use crate::db::{key_row, revoke_row, rows};
use crate::failure::Failure;
use crate::secrets;
use crate::state::SandboxState;
use crate::time::{DAY_MS, MINUTE_MS, now_ms, optional_time, rfc3339_z, rfc3339_z_millis};

const STRAIT: Dialect = Dialect::Strait;

/// Deployed list pages hold at most this many keys.
const MAX_PAGE: i64 = 100;
/// Deployed list pages hold this many keys when the request names no limit.
const DEFAULT_PAGE: i64 = 50;

pub(crate) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/v1/api-keys", get(list).post(create))
        .route("/v1/api-keys/expiring-soon", get(expiring_soon))
        .route("/v1/api-keys/{key_id}", delete(revoke))
        .route("/v1/api-keys/{key_id}/rotate", post(rotate))
        .route("/v1/whoami", get(whoami))
}

/// A plain-text 429 (the open-source service's limiter answers no JSON) when `client` has
/// used up its writes of the last minute; None when the write may go ahead.
fn write_refused(state: &SandboxState, client: &ClientIp) -> Option<Response> {
    let limit = state.inner().strait_writes.as_ref()?;
    let wait_secs = limit
        .admit(client.0.as_deref().unwrap_or("unknown"), now_ms())
        .err()?;
    Some(
        (
            StatusCode::TOO_MANY_REQUESTS,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
                (header::RETRY_AFTER, wait_secs.to_string()),
            ],
            "Too Many Requests\n",
        )
            .into_response(),
    )
}

/// Verify the admin token; returns its project.
fn authorize(state: &SandboxState, headers: &HeaderMap) -> Result<String, Failure> {
    bearer_claims(state, headers, "strait")?
        .project_id
        .ok_or_else(|| Failure::unauthorized("token has no project"))
}

/// A `project_id` the caller names must be the token's project.
fn check_project(token_project: &str, requested: Option<&str>) -> Result<(), Failure> {
    match requested {
        Some(requested) if requested != token_project => Err(Failure::forbidden(
            "project_id does not match the token's project",
        )),
        _ => Ok(()),
    }
}

const COLUMNS: &str =
    "id, project_id, name, key_prefix, scopes, expires_at, last_used_at, created_at,
    revoked_at, replaced_by_key_id, grace_expires_at, environment_id, rotation_interval_days,
    next_rotation_at, rotation_webhook_url, seq, created_at";

fn key_json(row: &Row<'_>) -> rusqlite::Result<Value> {
    let scopes: String = row.get(4)?;
    Ok(json!({
        "id": row.get::<_, String>(0)?,
        "project_id": row.get::<_, String>(1)?,
        "name": row.get::<_, String>(2)?,
        "key_prefix": row.get::<_, String>(3)?,
        "scopes": serde_json::from_str::<Value>(&scopes).unwrap_or_else(|_| json!([])),
        "expires_at": optional_time(row.get(5)?, rfc3339_z),
        "last_used_at": optional_time(row.get(6)?, rfc3339_z),
        "created_at": rfc3339_z(row.get(7)?),
        "revoked_at": optional_time(row.get(8)?, rfc3339_z),
        "replaced_by_key_id": row.get::<_, Option<String>>(9)?,
        "grace_expires_at": optional_time(row.get(10)?, rfc3339_z),
        "environment_id": row.get::<_, Option<String>>(11)?,
        "rotation_interval_days": row.get::<_, Option<i64>>(12)?,
        "next_rotation_at": optional_time(row.get(13)?, rfc3339_z),
        "rotation_webhook_url": row.get::<_, Option<String>>(14)?,
    }))
}

fn find_key(conn: &Connection, project: &str, id: &str) -> Result<Value, Failure> {
    key_row(
        conn,
        &format!("SELECT {COLUMNS} FROM strait_keys WHERE id = ?1 AND project_id = ?2"),
        params![id, project],
        key_json,
    )
}

async fn list(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let variant = state.variant();
    let result = async {
        let project = authorize(&state, &headers)?;
        let pairs = query_pairs(query.as_deref());
        let requested = query_value(&pairs, "project_id")
            .ok_or_else(|| Failure::validation("project_id", "project_id is required"))?;
        check_project(&project, Some(requested))?;
        match variant {
            Variant::Documented => {
                let keys = state
                    .db(move |conn| {
                        rows(
                            conn,
                            &format!(
                                "SELECT {COLUMNS} FROM strait_keys WHERE project_id = ?1
                                 ORDER BY created_at DESC, seq DESC"
                            ),
                            params![project],
                            key_json,
                        )
                    })
                    .await?;
                Ok(Value::Array(keys))
            }
            // The open-source service: revoked keys are left out, pages of 50 by default,
            // and the cursor is the RFC 3339 created_at of the page's last key.
            Variant::Deployed => {
                let limit = query_int(&pairs, "limit")?.unwrap_or(DEFAULT_PAGE);
                check_range("limit", limit, 1..=MAX_PAGE)?;
                let before = match query_value(&pairs, "cursor") {
                    Some(cursor) => decode_cursor(cursor)?,
                    None => i64::MAX,
                };
                state
                    .db(move |conn| {
                        let rows = rows(
                            conn,
                            &format!(
                                "SELECT {COLUMNS} FROM strait_keys WHERE project_id = ?1
                                 AND revoked_at IS NULL AND created_at < ?2
                                 ORDER BY created_at DESC LIMIT ?3"
                            ),
                            params![project, before, limit + 1],
                            |row| Ok((row.get::<_, i64>(7)?, key_json(row)?)),
                        )?;
                        let page_len = usize::try_from(limit).unwrap_or(0);
                        let has_more = rows.len() > page_len;
                        let page: Vec<(i64, Value)> = rows.into_iter().take(page_len).collect();
                        let next_cursor = match page.last() {
                            Some((created_at, _)) if has_more => {
                                Value::String(encode_cursor(*created_at))
                            }
                            _ => Value::Null,
                        };
                        let data: Vec<Value> = page.into_iter().map(|(_, key)| key).collect();
                        Ok(json!({"data": data, "next_cursor": next_cursor, "has_more": has_more}))
                    })
                    .await
            }
        }
    }
    .await;
    respond(&state, STRAIT, StatusCode::OK, result)
}

/// The cursor after a key created at `created_at`: that time in RFC 3339, to the millisecond
/// (keys of one project never share a creation millisecond, see [`creation_time`]).
fn encode_cursor(created_at: i64) -> String {
    rfc3339_z_millis(created_at)
}

fn decode_cursor(cursor: &str) -> Result<i64, Failure> {
    chrono::DateTime::parse_from_rfc3339(cursor)
        .map(|time| time.timestamp_millis())
        .map_err(|_| Failure::validation("cursor", "cursor must be an RFC 3339 time"))
}

/// The creation time of a new key of `project`: now, or one millisecond after the project's
/// newest key when that is not earlier, so created_at orders a project's keys strictly and
/// a created_at cursor skips none.
fn creation_time(conn: &Connection, project: &str) -> rusqlite::Result<i64> {
    let newest: Option<i64> = conn.query_row(
        "SELECT MAX(created_at) FROM strait_keys WHERE project_id = ?1",
        params![project],
        |row| row.get(0),
    )?;
    Ok(newest.map_or(now_ms(), |newest| now_ms().max(newest + 1)))
}

#[derive(Deserialize)]
struct CreateBody {
    project_id: String,
    name: String,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    expires_in_days: Option<i64>,
    #[serde(default)]
    environment_id: Option<String>,
    #[serde(default)]
    rotation_interval_days: Option<i64>,
    #[serde(default)]
    rotation_webhook_url: Option<String>,
}

/// A row to insert into `strait_keys`, by create and by rotate.
struct NewKey<'a> {
    id: &'a str,
    project: &'a str,
    name: &'a str,
    prefix: &'a str,
    hash: &'a [u8],
    /// JSON array text.
    scopes: &'a str,
    environment_id: Option<&'a str>,
    created_at: i64,
    expires_at: Option<i64>,
    rotation_interval_days: Option<i64>,
    rotation_webhook_url: Option<&'a str>,
    webhook_secret_hash: Option<&'a [u8]>,
}

/// Insert `key`; its next rotation is due one interval after its creation.
fn insert_key(conn: &Connection, key: &NewKey<'_>) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO strait_keys (id, project_id, name, key_prefix, key_hash, scopes,
         environment_id, created_at, expires_at, rotation_interval_days, next_rotation_at,
         rotation_webhook_url, webhook_secret_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            key.id,
            key.project,
            key.name,
            key.prefix,
            key.hash,
            key.scopes,
            key.environment_id,
            key.created_at,
            key.expires_at,
            key.rotation_interval_days,
            key.rotation_interval_days
                .map(|days| key.created_at + days * DAY_MS),
            key.rotation_webhook_url,
            key.webhook_secret_hash
        ],
    )?;
    Ok(())
}

/// A fresh `strait_` key: 256 random bits as 64 hex digits.
fn new_key() -> (String, String, Vec<u8>) {
    let plaintext = format!("strait_{}", secrets::random_hex(32));
    let prefix = plaintext[..12].to_owned();
    let hash = secrets::digest(&plaintext);
    (plaintext, prefix, hash)
}

async fn create(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    client: ClientIp,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Some(refused) = write_refused(&state, &client) {
        return refused;
    }
    let result = async {
        let project = authorize(&state, &headers)?;
        let request: CreateBody = parse_body(body, false)?;
        check_project(&project, Some(&request.project_id))?;
        if request.name.trim().is_empty() || request.name.chars().count() > 255 {
            return Err(Failure::validation("name", "name must be 1–255 characters"));
        }
        let scopes = request.scopes.unwrap_or_default();
        if scopes.is_empty() || scopes.iter().any(|scope| scope.trim().is_empty()) {
            return Err(Failure::validation(
                "scopes",
                "scopes must be a non-empty list",
            ));
        }
        match request.expires_in_days {
            Some(days) => check_range("expires_in_days", days, 1..=36500)?,
            // The open-source service needs a lifetime unless the project caps it, and the
            // sandbox's projects set no cap.
            None if state.variant() == Variant::Deployed => {
                return Err(Failure::validation(
                    "expires_in_days",
                    "expires_in_days is required",
                ));
            }
            None => {}
        }
        if let Some(days) = request.rotation_interval_days {
            check_range("rotation_interval_days", days, 1..=36500)?;
            if request.rotation_webhook_url.is_none() {
                return Err(Failure::validation(
                    "rotation_webhook_url",
                    "rotation_interval_days requires rotation_webhook_url",
                ));
            }
        }
        if let Some(url) = request.rotation_webhook_url.as_deref() {
            let valid = url::Url::parse(url)
                .ok()
                .is_some_and(|url| url.scheme() == "https" && url.host().is_some());
            if !valid {
                return Err(Failure::validation(
                    "rotation_webhook_url",
                    "rotation_webhook_url must be an https URL",
                ));
            }
        }
        let (plaintext, prefix, hash) = new_key();
        let webhook_secret = request
            .rotation_webhook_url
            .as_ref()
            .map(|_| format!("whsec_{}", secrets::random_base62(32)));
        let webhook_hash = webhook_secret.as_deref().map(secrets::digest);
        let mut created = state
            .db(move |conn| {
                let now = creation_time(conn, &project)?;
                let id = uuid::Uuid::new_v4().to_string();
                insert_key(
                    conn,
                    &NewKey {
                        id: &id,
                        project: &project,
                        name: &request.name,
                        prefix: &prefix,
                        hash: &hash,
                        scopes: &json!(scopes).to_string(),
                        environment_id: request.environment_id.as_deref(),
                        created_at: now,
                        expires_at: request.expires_in_days.map(|days| now + days * DAY_MS),
                        rotation_interval_days: request.rotation_interval_days,
                        rotation_webhook_url: request.rotation_webhook_url.as_deref(),
                        webhook_secret_hash: webhook_hash.as_deref(),
                    },
                )?;
                find_key(conn, &project, &id)
            })
            .await?;
        created["key"] = Value::String(plaintext);
        if let Some(secret) = webhook_secret {
            created["rotation_webhook_secret"] = Value::String(secret);
        }
        Ok(created)
    }
    .await;
    respond(&state, STRAIT, StatusCode::CREATED, result)
}

async fn revoke(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    client: ClientIp,
    Path(key_id): Path<String>,
) -> Response {
    if let Some(refused) = write_refused(&state, &client) {
        return refused;
    }
    let result = async {
        let project = authorize(&state, &headers)?;
        state
            .db(move |conn| {
                // Idempotent: a second revoke keeps the first revoked_at.
                revoke_row(
                    conn,
                    ("strait_keys", "project_id"),
                    &key_id,
                    &project,
                    now_ms(),
                    "API key not found",
                )
            })
            .await
    }
    .await;
    match (result, state.variant()) {
        (Ok(()), Variant::Documented) => StatusCode::NO_CONTENT.into_response(),
        (Ok(()), Variant::Deployed) => json_response(StatusCode::OK, json!({"status": "revoked"})),
        (Err(failure), variant) => failure.render(STRAIT, variant),
    }
}

#[derive(Deserialize)]
struct RotateBody {
    #[serde(default)]
    grace_period_minutes: Option<i64>,
}

/// The columns of the old key that the new one inherits.
struct Rotatable {
    name: String,
    scopes: String,
    environment_id: Option<String>,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    replaced_by: Option<String>,
    rotation_interval_days: Option<i64>,
    rotation_webhook_url: Option<String>,
    webhook_secret_hash: Option<Vec<u8>>,
}

async fn rotate(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    client: ClientIp,
    Path(key_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Some(refused) = write_refused(&state, &client) {
        return refused;
    }
    let variant = state.variant();
    let result = async {
        let project = authorize(&state, &headers)?;
        let request: RotateBody = parse_body(body, true)?;
        let grace_minutes = request.grace_period_minutes.unwrap_or(60);
        check_range("grace_period_minutes", grace_minutes, 0..=10080)?;
        let (plaintext, prefix, hash) = new_key();
        let mut rotated = state
            .db(move |conn| {
                let transaction = conn.transaction()?;
                let old = key_row(
                    &transaction,
                    "SELECT name, scopes, environment_id, created_at, expires_at, revoked_at,
                     replaced_by_key_id, rotation_interval_days, rotation_webhook_url, webhook_secret_hash
                     FROM strait_keys WHERE id = ?1 AND project_id = ?2",
                    params![key_id, project],
                    |row| {
                        Ok(Rotatable {
                            name: row.get(0)?,
                            scopes: row.get(1)?,
                            environment_id: row.get(2)?,
                            created_at: row.get(3)?,
                            expires_at: row.get(4)?,
                            revoked_at: row.get(5)?,
                            replaced_by: row.get(6)?,
                            rotation_interval_days: row.get(7)?,
                            rotation_webhook_url: row.get(8)?,
                            webhook_secret_hash: row.get(9)?,
                        })
                    },
                )?;
                if old.revoked_at.is_some() {
                    return Err(Failure::conflict("the key is revoked and cannot be rotated"));
                }
                if old.replaced_by.is_some() {
                    return Err(Failure::conflict("the key has already been rotated"));
                }
                let now = creation_time(&transaction, &project)?;
                let new_id = uuid::Uuid::new_v4().to_string();
                let new_name = format!("{} (rotated)", old.name);
                // The new key keeps the old key's lifetime, counted from now.
                let expires_at = old.expires_at.map(|expiry| now + (expiry - old.created_at));
                let grace_expires_at = now + grace_minutes * MINUTE_MS;
                insert_key(
                    &transaction,
                    &NewKey {
                        id: &new_id,
                        project: &project,
                        name: &new_name,
                        prefix: &prefix,
                        hash: &hash,
                        scopes: &old.scopes,
                        environment_id: old.environment_id.as_deref(),
                        created_at: now,
                        expires_at,
                        rotation_interval_days: old.rotation_interval_days,
                        rotation_webhook_url: old.rotation_webhook_url.as_deref(),
                        webhook_secret_hash: old.webhook_secret_hash.as_deref(),
                    },
                )?;
                transaction.execute(
                    "UPDATE strait_keys SET replaced_by_key_id = ?1, grace_expires_at = ?2,
                     next_rotation_at = NULL WHERE id = ?3",
                    params![new_id, grace_expires_at, key_id],
                )?;
                transaction.commit()?;
                Ok(json!({
                    "old_key_id": key_id,
                    "new_key_id": new_id,
                    "project_id": project,
                    "name": new_name,
                    "key_prefix": prefix,
                    "scopes": serde_json::from_str::<Value>(&old.scopes).unwrap_or_else(|_| json!([])),
                    "expires_at": optional_time(expires_at, rfc3339_z),
                    "created_at": rfc3339_z(now),
                    "grace_expires_at": rfc3339_z(grace_expires_at),
                }))
            })
            .await?;
        rotated["key"] = Value::String(plaintext);
        Ok(rotated)
    }
    .await;
    let status = match variant {
        Variant::Documented => StatusCode::OK,
        Variant::Deployed => StatusCode::CREATED,
    };
    respond(&state, STRAIT, status, result)
}

async fn expiring_soon(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let variant = state.variant();
    let result = async {
        let project = authorize(&state, &headers)?;
        let pairs = query_pairs(query.as_deref());
        check_project(&project, query_value(&pairs, "project_id"))?;
        let within_days = query_int(&pairs, "within_days")?.unwrap_or(30);
        check_range("within_days", within_days, 1..=36500)?;
        let keys = state
            .db(move |conn| {
                let now = now_ms();
                rows(
                    conn,
                    &format!(
                        "SELECT {COLUMNS} FROM strait_keys WHERE project_id = ?1 AND revoked_at IS NULL
                         AND expires_at IS NOT NULL AND expires_at > ?2 AND expires_at <= ?3
                         ORDER BY expires_at"
                    ),
                    params![project, now, now + within_days * DAY_MS],
                    key_json,
                )
            })
            .await?;
        Ok(match variant {
            Variant::Documented => Value::Array(keys),
            Variant::Deployed => json!({"data": keys, "next_cursor": null, "has_more": false}),
        })
    }
    .await;
    respond(&state, STRAIT, StatusCode::OK, result)
}

/// Data plane: who am I, authenticated by the key.
async fn whoami(State(state): State<SandboxState>, headers: HeaderMap) -> Response {
    let key = bearer(&headers).map(str::to_owned);
    let result = async {
        let key = key.ok_or_else(|| Failure::unauthorized("missing API key"))?;
        state
            .db(move |conn| {
                let now = now_ms();
                let (id, (project_id, scopes, grace_expires_at)) = accept_key(
                    conn,
                    "strait_keys",
                    &["project_id", "scopes", "grace_expires_at"],
                    &key,
                    now,
                    |row| {
                        Ok((
                            row.get::<_, String>("project_id")?,
                            row.get::<_, String>("scopes")?,
                            row.get::<_, Option<i64>>("grace_expires_at")?,
                        ))
                    },
                )?;
                // A rotated key works until its grace ends (grace_expires_at is set only by rotate).
                if grace_expires_at.is_some_and(|grace| grace <= now) {
                    return Err(invalid_key());
                }
                conn.execute(
                    "UPDATE strait_keys SET last_used_at = ?1 WHERE id = ?2",
                    params![now, id],
                )?;
                Ok(json!({
                    "key_id": id,
                    "project_id": project_id,
                    "scopes": serde_json::from_str::<Value>(&scopes).unwrap_or_else(|_| json!([])),
                }))
            })
            .await
    }
    .await;
    respond(&state, STRAIT, StatusCode::OK, result)
}
