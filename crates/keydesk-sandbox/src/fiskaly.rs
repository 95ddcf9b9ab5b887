//! fiskaly Management: `POST /auth` (key + secret, or refresh token) and
//! `/organizations/{org}/api-keys…`. Using a key means exchanging it at `/auth`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use rusqlite::{Connection, OptionalExtension as _, Row, params};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::api::{bearer, check_range, parse_body, query_int, query_pairs, query_value, respond};
use crate::config::{Dialect, Variant};
use crate::db::{AuditEvent, key_row, rows, with_audit};
use crate::failure::Failure;
use crate::secrets::{self, Claims};
use crate::state::SandboxState;
use crate::time::now_ms;

const FISKALY: Dialect = Dialect::Fiskaly;

pub(crate) fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/auth", post(auth))
        .route(
            "/organizations/{org}/api-keys",
            get(list).post(create_from_body),
        )
        .route(
            "/organizations/{org}/api-keys/{key_ref}",
            get(retrieve)
                .put(create_at_path)
                .patch(update_status)
                .delete(remove),
        )
}

#[derive(Deserialize)]
struct AuthBody {
    api_key: Option<String>,
    api_secret: Option<String>,
    refresh_token: Option<String>,
}

/// The key (org key or management key) that may obtain tokens: its org and whether it is usable.
struct AuthKey {
    org: String,
    hash: Vec<u8>,
    enabled: bool,
    is_org_key: bool,
}

fn find_auth_key(conn: &Connection, api_key: &str) -> rusqlite::Result<Option<AuthKey>> {
    let org_key = conn
        .query_row(
            "SELECT org, secret_hash, status FROM fiskaly_keys WHERE api_key = ?1",
            params![api_key],
            |row| {
                Ok(AuthKey {
                    org: row.get(0)?,
                    hash: row.get(1)?,
                    enabled: row.get::<_, String>(2)? == "enabled",
                    is_org_key: true,
                })
            },
        )
        .optional()?;
    if org_key.is_some() {
        return Ok(org_key);
    }
    conn.query_row(
        "SELECT org, secret_hash FROM fiskaly_managers WHERE api_key = ?1",
        params![api_key],
        |row| {
            Ok(AuthKey {
                org: row.get(0)?,
                hash: row.get(1)?,
                enabled: true,
                is_org_key: false,
            })
        },
    )
    .optional()
}

/// Is the key that obtained a token still there and enabled?
fn key_still_usable(conn: &Connection, api_key: &str) -> rusqlite::Result<bool> {
    Ok(find_auth_key(conn, api_key)?.is_some_and(|key| key.enabled))
}

async fn auth(State(state): State<SandboxState>, body: Result<Bytes, BytesRejection>) -> Response {
    let result = async {
        let request: AuthBody = parse_body(body, false)?;
        let now_secs = now_ms() / 1000;
        let signing_key = state.inner().signing_key.clone();
        let (api_key, org) = match (request.api_key, request.api_secret, request.refresh_token) {
            (Some(api_key), Some(api_secret), _) => {
                state
                    .db(move |conn| {
                        let refused = || Failure::unauthorized("invalid api_key or api_secret");
                        let key = find_auth_key(conn, &api_key)?.ok_or_else(refused)?;
                        if !secrets::matches(&api_secret, &key.hash) || !key.enabled {
                            return Err(refused());
                        }
                        if key.is_org_key {
                            conn.execute(
                                "UPDATE fiskaly_keys SET last_used_at = ?1 WHERE api_key = ?2",
                                params![now_ms(), api_key],
                            )?;
                        }
                        Ok((api_key, key.org))
                    })
                    .await?
            }
            (None, None, Some(refresh_token)) => {
                let claims = secrets::verify_jwt(&signing_key, &refresh_token, "fiskaly", now_secs)
                    .ok()
                    .filter(|claims| claims.token_use.as_deref() == Some("refresh"))
                    .ok_or_else(|| Failure::unauthorized("invalid or expired refresh token"))?;
                let (Some(api_key), Some(org)) = (claims.kid, claims.org) else {
                    return Err(Failure::unauthorized("invalid refresh token"));
                };
                let checked_key = api_key.clone();
                if !state
                    .db(move |conn| Ok(key_still_usable(conn, &checked_key)?))
                    .await?
                {
                    return Err(Failure::unauthorized(
                        "the key behind this token is no longer usable",
                    ));
                }
                (api_key, org)
            }
            _ => {
                return Err(Failure::validation(
                    "api_key",
                    "send either api_key and api_secret, or refresh_token",
                ));
            }
        };
        let access_ttl = i64::try_from(state.inner().token_ttl_secs).unwrap_or(300);
        let refresh_ttl = match state.variant() {
            Variant::Documented => access_ttl,
            Variant::Deployed => access_ttl * 2,
        };
        let token = |token_use: &str, ttl: i64| {
            secrets::sign_jwt(
                &signing_key,
                &Claims {
                    iss: "keydesk-sandbox".into(),
                    aud: "fiskaly".into(),
                    sub: api_key.clone(),
                    org: Some(org.clone()),
                    token_use: Some(token_use.into()),
                    kid: Some(api_key.clone()),
                    iat: now_secs,
                    exp: now_secs + ttl,
                    jti: secrets::random_lower(16),
                    ..Claims::default()
                },
            )
        };
        Ok(json!({
            "access_token": token("access", access_ttl),
            "access_token_expires_in": access_ttl,
            "access_token_expires_at": now_secs + access_ttl,
            "refresh_token": token("refresh", refresh_ttl),
            "refresh_token_expires_in": refresh_ttl,
            "refresh_token_expires_at": now_secs + refresh_ttl,
        }))
    }
    .await;
    respond(&state, FISKALY, StatusCode::OK, result)
}

/// Verify the access token and that it belongs to `org` (another org's path → 404). Not
/// `api::bearer_claims`: only access tokens count, and the refusal says so.
async fn authorize(
    state: &SandboxState,
    headers: &HeaderMap,
    org: &str,
) -> Result<Claims, Failure> {
    let token = bearer(headers).ok_or_else(|| Failure::unauthorized("missing bearer token"))?;
    let claims = secrets::verify_jwt(
        &state.inner().signing_key,
        token,
        "fiskaly",
        now_ms() / 1000,
    )
    .ok()
    .filter(|claims| claims.token_use.as_deref() == Some("access"))
    .ok_or_else(|| Failure::unauthorized("invalid or expired access token"))?;
    let api_key = claims.kid.clone().unwrap_or_default();
    if !state
        .db(move |conn| Ok(key_still_usable(conn, &api_key)?))
        .await?
    {
        return Err(Failure::unauthorized(
            "the key behind this token is no longer usable",
        ));
    }
    if claims.org.as_deref() != Some(org) {
        return Err(Failure::not_found("organization not found"));
    }
    Ok(claims)
}

const COLUMNS: &str = "id, name, api_key, kind, status, metadata, created_at, created_by_user, org";

fn key_json(row: &Row<'_>) -> rusqlite::Result<Value> {
    let kind: String = row.get(3)?;
    let metadata: String = row.get(5)?;
    Ok(json!({
        "_id": row.get::<_, String>(0)?,
        "_type": "API_KEY",
        "_envs": [kind.to_ascii_uppercase()],
        "key": row.get::<_, String>(2)?,
        "created_at": row.get::<_, i64>(6)? / 1000,
        "name": row.get::<_, String>(1)?,
        "kind": kind,
        "status": row.get::<_, String>(4)?,
        "metadata": serde_json::from_str::<Value>(&metadata).unwrap_or_else(|_| json!({})),
        "managed_by_organization_id": row.get::<_, String>(8)?,
        "created_by_user": row.get::<_, String>(7)?,
    }))
}

/// A key of `org` by its `_id` or its name (the draft addresses keys by name).
fn find_key(conn: &Connection, org: &str, key_ref: &str) -> Result<Value, Failure> {
    key_row(
        conn,
        &format!("SELECT {COLUMNS} FROM fiskaly_keys WHERE org = ?1 AND (id = ?2 OR name = ?2)"),
        params![org, key_ref],
        key_json,
    )
}

async fn list(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path(org): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        authorize(&state, &headers, &org).await?;
        let pairs = query_pairs(query.as_deref());
        let order_by = query_value(&pairs, "order_by").map(str::to_owned);
        if let Some(field) = order_by.as_deref() {
            if !["name", "kind", "status"].contains(&field) {
                return Err(Failure::validation(
                    "order_by",
                    "order_by must be name, kind or status",
                ));
            }
        }
        let descending = match query_value(&pairs, "order").unwrap_or("asc") {
            "asc" => false,
            "desc" => true,
            _ => return Err(Failure::validation("order", "order must be asc or desc")),
        };
        let limit = query_int(&pairs, "limit")?.unwrap_or(100);
        check_range("limit", limit, 1..=100)?;
        let offset = query_int(&pairs, "offset")?.unwrap_or(0);
        if offset < 0 {
            return Err(Failure::validation("offset", "offset must not be negative"));
        }
        let kinds = multi_values(&pairs, "kind", &["test", "live"])?;
        let statuses = multi_values(&pairs, "status", &["enabled", "disabled"])?;
        state
            .db(move |conn| {
                // Filters, order and paging run in SQL: a 10,000-key org is paged 100 at a time.
                let mut filter = String::from("org = ?1");
                let mut values: Vec<String> = vec![org];
                for (column, wanted) in [("kind", &kinds), ("status", &statuses)] {
                    if wanted.is_empty() {
                        continue;
                    }
                    let placeholders: Vec<String> = wanted
                        .iter()
                        .map(|value| {
                            values.push(value.clone());
                            format!("?{}", values.len())
                        })
                        .collect();
                    filter.push_str(&format!(" AND {column} IN ({})", placeholders.join(", ")));
                }
                let direction = if descending { "DESC" } else { "ASC" };
                // `order_by` is one of three known column names, never caller text.
                let sort_column = match order_by.as_deref() {
                    Some("name") => Some("name"),
                    Some("kind") => Some("kind"),
                    Some("status") => Some("status"),
                    _ => None,
                };
                let order = match sort_column {
                    Some(column) => {
                        format!("{column} {direction}, created_at {direction}, seq {direction}")
                    }
                    None => format!("created_at {direction}, seq {direction}"),
                };
                let count: i64 = conn.query_row(
                    &format!("SELECT COUNT(*) FROM fiskaly_keys WHERE {filter}"),
                    rusqlite::params_from_iter(values.iter()),
                    |row| row.get(0),
                )?;
                let page = rows(
                    conn,
                    &format!(
                        "SELECT {COLUMNS} FROM fiskaly_keys WHERE {filter} ORDER BY {order}
                         LIMIT {limit} OFFSET {offset}"
                    ),
                    rusqlite::params_from_iter(values.iter()),
                    key_json,
                )?;
                Ok(json!({"data": page, "count": count, "_type": "API_KEY_LIST"}))
            })
            .await
    }
    .await;
    respond(&state, FISKALY, StatusCode::OK, result)
}

/// `kind[]=a&kind[]=b` or `kind=a&kind=b` or `kind=a,b`, each value from `allowed`.
fn multi_values(
    pairs: &[(String, String)],
    name: &'static str,
    allowed: &[&str],
) -> Result<Vec<String>, Failure> {
    let bracketed = format!("{name}[]");
    let mut values = Vec::new();
    for (key, value) in pairs {
        if key != name && *key != bracketed {
            continue;
        }
        for item in value.split(',').filter(|item| !item.is_empty()) {
            if !allowed.contains(&item) {
                return Err(Failure::validation(
                    name,
                    format!("{name} must be one of {}", allowed.join(", ")),
                ));
            }
            if !values.iter().any(|known| known == item) {
                values.push(item.to_owned());
            }
        }
    }
    Ok(values)
}

#[derive(Deserialize)]
struct CreateBody {
    #[serde(default)]
    name: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    #[serde(default)]
    metadata: Option<Map<String, Value>>,
}

async fn create_from_body(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path(org): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = create_key(&state, &headers, org, None, body).await;
    respond(&state, FISKALY, StatusCode::OK, result)
}

async fn create_at_path(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path((org, key_name)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = create_key(&state, &headers, org, Some(key_name), body).await;
    respond(&state, FISKALY, StatusCode::OK, result)
}

fn valid_name(name: &str) -> bool {
    (3..=30).contains(&name.len())
        && name
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
}

async fn create_key(
    state: &SandboxState,
    headers: &HeaderMap,
    org: String,
    path_name: Option<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, Failure> {
    let claims = authorize(state, headers, &org).await?;
    let request: CreateBody = parse_body(body, false)?;
    let name = path_name
        .or(request.name)
        .ok_or_else(|| Failure::validation("name", "name is required"))?;
    if !valid_name(&name) {
        return Err(Failure::validation(
            "name",
            "name must match ^[a-z0-9-]{3,30}$",
        ));
    }
    let kind = request
        .kind
        .filter(|kind| kind == "test" || kind == "live")
        .ok_or_else(|| Failure::validation("kind", "kind must be test or live"))?;
    let status = request
        .status
        .filter(|status| status == "enabled" || status == "disabled")
        .ok_or_else(|| Failure::validation("status", "status must be enabled or disabled"))?;
    let metadata = request.metadata.unwrap_or_default();
    validate_metadata(&metadata)?;
    let api_key = format!("{kind}_{}", secrets::random_lower(26));
    let secret = secrets::random_base62(40);
    let secret_hash = secrets::digest(&secret);
    let user = claims.sub;
    let mut created = state
        .db(move |conn| {
            let id = uuid::Uuid::new_v4().to_string();
            let inserted = conn.execute(
                "INSERT OR IGNORE INTO fiskaly_keys
                 (id, org, name, api_key, secret_hash, kind, status, metadata, created_at, created_by_user)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    id,
                    org,
                    name,
                    api_key,
                    secret_hash,
                    kind,
                    status,
                    Value::Object(metadata).to_string(),
                    now_ms(),
                    user
                ],
            )?;
            if inserted == 0 {
                return Err(Failure::conflict("an API key with this name already exists"));
            }
            find_key(conn, &org, &id)
        })
        .await?;
    created["secret"] = Value::String(secret);
    Ok(created)
}

fn validate_metadata(metadata: &Map<String, Value>) -> Result<(), Failure> {
    if metadata.len() > 20 {
        return Err(Failure::validation(
            "metadata",
            "metadata allows at most 20 keys",
        ));
    }
    for (key, value) in metadata {
        if key.chars().count() > 40 {
            return Err(Failure::validation(
                "metadata",
                "metadata key names allow at most 40 characters",
            ));
        }
        let Some(text) = value.as_str() else {
            return Err(Failure::validation(
                "metadata",
                "metadata values must be strings",
            ));
        };
        if text.chars().count() > 500 {
            return Err(Failure::validation(
                "metadata",
                "metadata values allow at most 500 characters",
            ));
        }
    }
    Ok(())
}

async fn retrieve(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path((org, key_ref)): Path<(String, String)>,
) -> Response {
    let result = async {
        authorize(&state, &headers, &org).await?;
        state.db(move |conn| find_key(conn, &org, &key_ref)).await
    }
    .await;
    respond(&state, FISKALY, StatusCode::OK, result)
}

#[derive(Deserialize)]
struct StatusBody {
    #[serde(default)]
    status: Option<String>,
}

async fn update_status(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path((org, key_ref)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = async {
        authorize(&state, &headers, &org).await?;
        let request: StatusBody = parse_body(body, true)?;
        if let Some(status) = &request.status {
            if status != "enabled" && status != "disabled" {
                return Err(Failure::validation(
                    "status",
                    "status must be enabled or disabled",
                ));
            }
        }
        state
            .db(move |conn| {
                let key = find_key(conn, &org, &key_ref)?;
                let id = key["_id"].as_str().unwrap_or_default().to_owned();
                if let Some(status) = request.status {
                    conn.execute(
                        "UPDATE fiskaly_keys SET status = ?1 WHERE id = ?2",
                        params![status, id],
                    )?;
                }
                find_key(conn, &org, &id)
            })
            .await
    }
    .await;
    respond(&state, FISKALY, StatusCode::OK, result)
}

async fn remove(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path((org, key_ref)): Path<(String, String)>,
) -> Response {
    let result = async {
        let claims = authorize(&state, &headers, &org).await?;
        state
            .db(move |conn| {
                let key = find_key(conn, &org, &key_ref)?;
                let id = key["_id"].as_str().unwrap_or_default().to_owned();
                let event = AuditEvent {
                    api: "fiskaly",
                    org: &org,
                    actor: &claims.sub,
                    action: "api_key.deleted",
                    key_id: &id,
                    at: now_ms(),
                };
                with_audit(conn, &event, |conn| {
                    conn.execute("DELETE FROM fiskaly_keys WHERE id = ?1", params![id])?;
                    Ok(())
                })?;
                Ok(json!({"deleted": true}))
            })
            .await
    }
    .await;
    respond(&state, FISKALY, StatusCode::OK, result)
}
