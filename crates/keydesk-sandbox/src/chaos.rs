//! Fault injection: latency on every response, 503 before doing anything, or the action
//! performed and the connection dropped without an answer (the lost-response case).

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng as _;

use crate::state::SandboxState;

/// Marks a response the server loop must not send: it closes the connection instead.
/// (Under `Router::oneshot` there is no connection, so the response is returned as is.)
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropConnection;

/// Middleware applying [`crate::Chaos`] to every request.
pub(crate) async fn inject(
    State(state): State<SandboxState>,
    request: Request,
    next: Next,
) -> Response {
    let chaos = state.inner().chaos;
    if chaos.is_off() {
        return next.run(request).await;
    }
    // Both draws happen for every request, so a seed gives the same sequence of outcomes.
    let (fail, drop) = match state.inner().chaos_rng.lock() {
        Ok(mut rng) => {
            let fail_draw: f64 = rng.random();
            let drop_draw: f64 = rng.random();
            (fail_draw < chaos.fail_rate, drop_draw < chaos.drop_rate)
        }
        Err(_) => (false, false),
    };
    if chaos.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(chaos.latency_ms)).await;
    }
    if fail {
        let mut response = (
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"error":"service_unavailable","message":"injected failure (--fail-rate)"}"#,
        )
            .into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        return response;
    }
    let mut response = next.run(request).await;
    if drop {
        response.extensions_mut().insert(DropConnection);
    }
    response
}
