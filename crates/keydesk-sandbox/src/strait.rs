//! strait (in progress).

use axum::Router;

use crate::state::SandboxState;

pub(crate) fn routes() -> Router<SandboxState> {
    Router::new()
}
