//! Oligon Receipts: `/v1/api-keys` (JWT with `apikey:*` permissions) and the `/v1/extract`
//! data plane (`X-API-Key`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use rusqlite::{Connection, Row, params};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{ClientIp, bearer_claims, parse_body, quote, respond};
use crate::config::{Dialect, Variant};
use crate::data_plane::accept_key;
use crate::db::{AuditEvent, key_row, revoke_row, rows, with_audit};
use crate::failure::Failure;
use crate::secrets;
use crate::state::SandboxState;
use crate::time::{now_ms, optional_time, rfc3339_offset};

const OLIGON: Dialect = Dialect::Oligon;

/// The scopes a key may carry.
pub(crate) const SCOPES: [&str; 4] = [
    "extract:read",
    "extract:write",
    "analytics:read",
    "admin:write",
];

pub(crate) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/v1/api-keys", get(list).post(create))
        .route("/v1/api-keys/{key_id}/revoke", post(revoke))
        .route("/v1/api-keys/{key_id}", delete(remove))
        .route("/v1/audit-events", get(audit_events))
        .route("/v1/extract", get(extract))
}

/// Deployed variant: every response carries an `X-Request-Id`.
pub(crate) async fn request_id(
    axum::extract::State(state): State<SandboxState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    if state.variant() == Variant::Deployed {
        if let Ok(value) = HeaderValue::from_str(&format!("req_{}", secrets::random_lower(20))) {
            response.headers_mut().insert("x-request-id", value);
        }
    }
    response
}

/// Verify the dashboard JWT and that it grants `permission`; returns (org, user).
fn authorize(
    state: &SandboxState,
    headers: &HeaderMap,
    permission: &str,
) -> Result<(String, String), Failure> {
    let claims = bearer_claims(state, headers, "oligon")?;
    let Some(org) = claims.org else {
        return Err(Failure::unauthorized("token has no org"));
    };
    if !claims
        .permissions
        .iter()
        .any(|granted| granted == permission)
    {
        return Err(Failure::forbidden(format!(
            "token lacks the {permission} permission"
        )));
    }
    Ok((org, claims.sub))
}

const COLUMNS: &str = "id, name, scopes, is_live, last4, created_at, revoked_at, expires_at, last_used_at, last_used_ip";

/// A stored key as the API shows it (never the secret).
fn key_json(row: &Row<'_>, variant: Variant) -> rusqlite::Result<Value> {
    let scopes: String = row.get(2)?;
    let is_live: bool = row.get(3)?;
    let mut key = json!({
        "id": row.get::<_, String>(0)?,
        "name": row.get::<_, String>(1)?,
        "prefix": if is_live { "sk_live" } else { "sk_test" },
        "last4": row.get::<_, String>(4)?,
        "scopes": serde_json::from_str::<Value>(&scopes).unwrap_or_else(|_| json!([])),
        "is_live": is_live,
        "revoked_at": optional_time(row.get(6)?, rfc3339_offset),
        "last_used_at": optional_time(row.get(8)?, rfc3339_offset),
        "last_used_ip": row.get::<_, Option<String>>(9)?,
        "created_at": rfc3339_offset(row.get(5)?),
    });
    if variant == Variant::Deployed {
        key["expires_at"] = optional_time(row.get(7)?, rfc3339_offset);
    }
    Ok(key)
}

fn find_key(conn: &Connection, org: &str, id: &str, variant: Variant) -> Result<Value, Failure> {
    key_row(
        conn,
        &format!("SELECT {COLUMNS} FROM oligon_keys WHERE id = ?1 AND org = ?2"),
        params![id, org],
        |row| key_json(row, variant),
    )
}

async fn list(State(state): State<SandboxState>, headers: HeaderMap) -> Response {
    let result = async {
        let (org, _user) = authorize(&state, &headers, "apikey:read")?;
        let variant = state.variant();
        let keys = state
            .db(move |conn| {
                rows(
                    conn,
                    &format!(
                        "SELECT {COLUMNS} FROM oligon_keys WHERE org = ?1 ORDER BY created_at DESC, seq DESC"
                    ),
                    params![org],
                    |row| key_json(row, variant),
                )
            })
            .await?;
        Ok(Value::Array(keys))
    }
    .await;
    respond(&state, OLIGON, StatusCode::OK, result)
}

#[derive(Deserialize)]
struct CreateBody {
    name: String,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    live: Option<bool>,
    /// Deployed variant only: optional expiry, RFC 3339.
    #[serde(default)]
    expires_at: Option<String>,
}

async fn create(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = create_key(&state, &headers, body).await;
    respond(&state, OLIGON, StatusCode::CREATED, result)
}

async fn create_key(
    state: &SandboxState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, Failure> {
    let (org, _user) = authorize(state, headers, "apikey:write")?;
    let request: CreateBody = parse_body(body, false)?;
    let name = request.name.trim().to_owned();
    if name.is_empty() || request.name.chars().count() > 120 {
        return Err(Failure::validation("name", "name must be 1–120 characters"));
    }
    let mut scopes = request.scopes.unwrap_or_default();
    if let Some(unknown) = scopes
        .iter()
        .find(|scope| !SCOPES.contains(&scope.as_str()))
    {
        return Err(Failure::validation(
            "scopes",
            format!(
                "unknown scope {}; allowed: {}",
                quote(unknown),
                SCOPES.join(", ")
            ),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    scopes.retain(|scope| seen.insert(scope.clone()));
    let expires_at = match (state.variant(), request.expires_at) {
        (Variant::Deployed, Some(text)) => Some(
            chrono::DateTime::parse_from_rfc3339(&text)
                .map_err(|_| Failure::validation("expires_at", "expires_at must be RFC 3339"))?
                .timestamp_millis(),
        ),
        _ => None,
    };
    let live = request.live.unwrap_or(false);
    let plaintext = format!(
        "{}{}",
        if live { "sk_live_" } else { "sk_test_" },
        secrets::random_base62(32)
    );
    let hash = secrets::digest(&plaintext);
    let last4 = plaintext[plaintext.len() - 4..].to_owned();
    let variant = state.variant();
    let mut created = state
        .db(move |conn| {
            let now = now_ms();
            let id = secrets::ulid(now);
            conn.execute(
                "INSERT INTO oligon_keys (id, org, name, scopes, is_live, key_hash, last4, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![id, org, name, json!(scopes).to_string(), live, hash, last4, now, expires_at],
            )?;
            find_key(conn, &org, &id, variant)
        })
        .await?;
    created["key"] = Value::String(plaintext);
    Ok(created)
}

async fn revoke(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path(key_id): Path<String>,
) -> Response {
    let result = async {
        let (org, user) = authorize(&state, &headers, "apikey:revoke")?;
        let variant = state.variant();
        state
            .db(move |conn| {
                let now = now_ms();
                let event = AuditEvent {
                    api: "oligon",
                    org: &org,
                    actor: &user,
                    action: "api_key.revoked",
                    key_id: &key_id,
                    at: now,
                };
                with_audit(conn, &event, |conn| {
                    revoke_row(
                        conn,
                        ("oligon_keys", "org"),
                        &key_id,
                        &org,
                        now,
                        "API key not found",
                    )?;
                    find_key(conn, &org, &key_id, variant)
                })
            })
            .await
    }
    .await;
    respond(&state, OLIGON, StatusCode::OK, result)
}

async fn remove(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path(key_id): Path<String>,
) -> Response {
    let result = async {
        let (org, user) = authorize(&state, &headers, "apikey:revoke")?;
        state
            .db(move |conn| {
                let event = AuditEvent {
                    api: "oligon",
                    org: &org,
                    actor: &user,
                    action: "api_key.deleted",
                    key_id: &key_id,
                    at: now_ms(),
                };
                with_audit(conn, &event, |conn| {
                    let changed = conn.execute(
                        "DELETE FROM oligon_keys WHERE id = ?1 AND org = ?2",
                        params![key_id, org],
                    )?;
                    if changed == 0 {
                        return Err(Failure::not_found("API key not found"));
                    }
                    Ok(())
                })
            })
            .await
    }
    .await;
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(failure) => failure.render(OLIGON, state.variant()),
    }
}

async fn audit_events(State(state): State<SandboxState>, headers: HeaderMap) -> Response {
    let result = async {
        let (org, _user) = authorize(&state, &headers, "apikey:read")?;
        let events = state
            .db(move |conn| {
                rows(
                    conn,
                    "SELECT action, key_id, actor, at FROM audit_events
                     WHERE api = 'oligon' AND org = ?1 ORDER BY seq DESC",
                    params![org],
                    |row| {
                        Ok(json!({
                            "action": row.get::<_, String>(0)?,
                            "key_id": row.get::<_, String>(1)?,
                            "actor": row.get::<_, String>(2)?,
                            "at": rfc3339_offset(row.get(3)?),
                        }))
                    },
                )
            })
            .await?;
        Ok(Value::Array(events))
    }
    .await;
    respond(&state, OLIGON, StatusCode::OK, result)
}

/// Data plane: a request authenticated by the key itself.
async fn extract(
    State(state): State<SandboxState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> Response {
    let key = headers
        .get("x-api-key")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let result = async {
        let key = key.ok_or_else(|| Failure::unauthorized("missing X-API-Key"))?;
        state
            .db(move |conn| {
                let now = now_ms();
                let (id, ()) = accept_key(conn, "oligon_keys", &[], &key, now, |_| Ok(()))?;
                conn.execute(
                    "UPDATE oligon_keys SET last_used_at = ?1, last_used_ip = ?2 WHERE id = ?3",
                    params![now, ip, id],
                )?;
                Ok(json!({"object": "extraction", "key_id": id, "receipts": []}))
            })
            .await
    }
    .await;
    respond(&state, OLIGON, StatusCode::OK, result)
}
