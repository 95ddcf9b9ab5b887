//! The accept loop: hyper HTTP/1 connections on 127.0.0.1, a cap on how many are served at
//! once, a deadline for each request's headers, graceful shutdown, and the connection drop
//! that `--drop-rate` asks for.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinHandle;
use tower::ServiceExt as _;

use crate::chaos::DropConnection;
use crate::config::{Dialect, SandboxConfig};
use crate::credentials::{CredentialOptions, DialectCredentials};
use crate::state::SandboxState;
use crate::{SandboxError, router};

/// How long `shutdown` waits for in-flight requests before giving up on them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running sandbox. Dropping it stops accepting connections; `shutdown` also waits for
/// in-flight requests.
pub struct SandboxHandle {
    address: SocketAddr,
    state: SandboxState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// The error a connection's service returns to make hyper close it without answering.
#[derive(Debug)]
struct ResponseDropped;

impl std::fmt::Display for ResponseDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("response dropped by chaos (--drop-rate)")
    }
}

impl std::error::Error for ResponseDropped {}

/// Open the storage, bind 127.0.0.1:`config.port` and serve until shut down.
pub async fn spawn(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
    if config.max_connections == 0 {
        return Err(SandboxError::InvalidConfig(
            "max_connections must be at least 1".into(),
        ));
    }
    let state = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || SandboxState::open(&config))
            .await
            .map_err(|_| SandboxError::InvalidConfig("opening the database panicked".into()))??
    };
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel();
    let limits = Limits {
        header_read_timeout: config.header_read_timeout,
        connections: Arc::new(Semaphore::new(config.max_connections)),
    };
    let task = tokio::spawn(serve(listener, router(state.clone()), limits, stopped));
    tracing::info!(%address, variant = %config.variant, "sandbox listening");
    Ok(SandboxHandle {
        address,
        state,
        stop: Some(stop),
        task: Some(task),
    })
}

/// What one server allows a connection.
struct Limits {
    header_read_timeout: Duration,
    /// One permit per connection being served; accepting waits for a free one.
    connections: Arc<Semaphore>,
}

async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut stopped: oneshot::Receiver<()>,
) {
    let graceful = GracefulShutdown::new();
    loop {
        // Over the cap, connections wait in the listen backlog rather than being accepted.
        let permit = tokio::select! {
            permit = Arc::clone(&limits.connections).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_closed) => break,
            },
            // Fires on `shutdown` and also when the handle is dropped.
            _ = &mut stopped => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    continue;
                }
            },
            _ = &mut stopped => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            async move {
                let response = match app.oneshot(request.map(Body::new)).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                if response.extensions().get::<DropConnection>().is_some() {
                    return Err(ResponseDropped);
                }
                Ok::<_, ResponseDropped>(response)
            }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("shutdown: some connections were still busy");
    }
}

impl SandboxHandle {
    /// "http://127.0.0.1:PORT", without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The state behind the server (the same one `router` takes).
    pub fn state(&self) -> &SandboxState {
        &self.state
    }

    /// Credentials for `dialect` in the default org (`None`) or in org/project `org`, created
    /// on first use.
    pub fn credentials(
        &self,
        dialect: Dialect,
        org: Option<&str>,
    ) -> Result<DialectCredentials, SandboxError> {
        self.state.credentials(dialect, org)
    }

    /// Credentials with non-default claims, see [`CredentialOptions`].
    pub fn credentials_with(
        &self,
        dialect: Dialect,
        options: &CredentialOptions,
    ) -> Result<DialectCredentials, SandboxError> {
        self.state.credentials_with(dialect, options)
    }

    /// Stop accepting, let in-flight requests finish (up to 5 s), then return.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
