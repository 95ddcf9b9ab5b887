//! keydesk-sandbox: a real local server that speaks the key-management APIs of Oligon
//! Receipts, fiskaly, SyncgramPay and Strait, with SQLite storage. It has its own wire structs
//! and does not depend on keydesk-core, so a client bug and a server bug cannot agree.
//!
//! | prefix | API | management auth |
//! |---|---|---|
//! | `/oligon` | Oligon Receipts `/v1/api-keys…` | Bearer JWT with `apikey:read/write/revoke` |
//! | `/fiskaly/api/v0` | fiskaly `/auth`, `/organizations/{org}/api-keys…` | Bearer access token from `POST /auth` |
//! | `/syncgram` | SyncgramPay `/api/v1/auth/api-keys…` | Bearer user JWT |
//! | `/strait` | Strait `/v1/api-keys…` | Bearer admin JWT with `project_id` |
//!
//! # Data plane (using a key, which records its last use)
//! - Oligon: `GET /oligon/v1/extract` with `X-API-Key: sk_…` → 200, sets `last_used_at` and
//!   `last_used_ip` (first `X-Forwarded-For` entry if it is an IP, else the peer address);
//!   revoked, expired or unknown keys → 401 `authentication_failed`.
//! - fiskaly: `POST /fiskaly/api/v0/auth` with the key's `api_key` + `api_secret` → tokens that
//!   manage the key's org; disabled or deleted keys → 401.
//! - SyncgramPay: `GET /syncgram/api/v1/balance` with `Authorization: Bearer sk_…` → 200, sets
//!   `last_used_at`; revoked, expired or unknown keys → 401.
//! - Strait: `GET /strait/v1/whoami` with `Authorization: Bearer strait_…` → 200
//!   `{key_id, project_id, scopes}`, sets `last_used_at`; revoked, expired, or replaced and
//!   past its grace → 401.
//!
//! Plus one inspection endpoint: `GET /oligon/v1/audit-events` (apikey:read) lists the org's
//! audit trail (revoke, delete), newest first.

mod api;
mod chaos;
mod config;
mod credentials;
mod data_plane;
mod db;
mod failure;
mod fiskaly;
mod history;
mod oligon;
mod rate_limit;
mod secrets;
mod seed;
mod server;
mod state;
mod strait;
mod syncgram;
mod time;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;

pub use config::{
    Chaos, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS, Dialect,
    STRAIT_DEPLOYED_WRITES_PER_MINUTE, SandboxConfig, Seed, Storage, Variant,
};
pub use credentials::{
    CredentialOptions, DEFAULT_TOKEN_LIFETIME_SECS, DEFAULT_USER, DialectCredentials,
    FISKALY_DEFAULT_ORG, OLIGON_DEFAULT_ORG, OLIGON_PERMISSIONS, STRAIT_DEFAULT_PROJECT,
    SYNCGRAM_DEFAULT_ORG_ID, credentials_for_db,
};
pub use history::{ApiHistory, DemoHistory, LookedKey, OrphanedCreate};
pub use server::{SandboxHandle, spawn};
pub use state::SandboxState;

/// Create a folder for a sandbox database (and its missing parents) readable by the owner
/// only (0700 on Unix), as the sandbox does itself for a `Storage::File` whose folder is
/// missing; an existing folder is left as it is. For embedders that report a folder they
/// cannot create apart from other start-up failures.
pub fn create_private_folder(folder: &std::path::Path) -> std::io::Result<()> {
    db::private::create_folder(folder)
}

/// Why the sandbox could not start or mint credentials. Messages never contain secrets.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// SQLite refused an operation.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// Binding the port or another I/O step failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// A configuration value is out of range or unknown.
    #[error("{0}")]
    InvalidConfig(String),
}

/// The whole sandbox as one axum `Router` (testable with `oneshot`; chaos drops only take
/// effect under [`spawn`], which owns the connections).
pub fn router(state: SandboxState) -> Router {
    Router::new()
        .nest(
            "/oligon",
            oligon::routes().layer(from_fn_with_state(state.clone(), oligon::request_id)),
        )
        .nest("/fiskaly/api/v0", fiskaly::routes())
        .nest("/syncgram", syncgram::routes())
        .nest("/strait", strait::routes())
        .layer(DefaultBodyLimit::max(api::BODY_LIMIT_BYTES))
        .layer(from_fn_with_state(state.clone(), chaos::inject))
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

/// One stderr line per request: method, path (never the query or headers, which may carry
/// credentials), status and duration.
async fn log_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt as _;

    use super::*;

    #[tokio::test]
    async fn the_router_answers_without_a_socket() {
        let state = SandboxState::open(&SandboxConfig::default()).unwrap();
        let token = state
            .credentials(Dialect::Oligon, None)
            .unwrap()
            .credentials["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let app = router(state);
        let unauthenticated = app
            .clone()
            .oneshot(
                Request::get("/oligon/v1/api-keys")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
        let listed = app
            .oneshot(
                Request::get("/oligon/v1/api-keys")
                    .header("authorization", format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(listed.status(), StatusCode::OK);
    }
}
