//! The shared state behind the router: database, signing key, variant, chaos and caches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use rand::SeedableRng as _;
use rand::rngs::StdRng;
use rusqlite::Connection;
use serde_json::Value;

use crate::config::{Chaos, Dialect, SandboxConfig, Variant};
use crate::credentials::{self, CredentialOptions, DialectCredentials};
use crate::db::Db;
use crate::failure::Failure;
use crate::history::DemoHistory;
use crate::rate_limit::WritesPerMinute;
use crate::{SandboxError, seed};

/// A SyncgramPay create answered earlier, replayed for the same idempotency key for 24 h.
/// Kept in memory only (it holds the plaintext key, which must never reach the database).
pub(crate) struct IdempotentReply {
    pub at_ms: i64,
    pub status: StatusCode,
    pub body: Value,
}

/// (org, user, idempotency key): replays are per user of an org.
pub(crate) type IdempotencyScope = (String, String, String);

/// Everything a request handler needs. Cheap to clone.
#[derive(Clone)]
pub struct SandboxState {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub db: Arc<Db>,
    pub signing_key: Vec<u8>,
    pub variant: Variant,
    pub token_ttl_secs: u64,
    pub chaos: Chaos,
    pub chaos_rng: Mutex<StdRng>,
    /// Keyed by (org, user, idempotency key).
    pub idempotency: Arc<Mutex<HashMap<IdempotencyScope, IdempotentReply>>>,
    /// Strait's limit on creates, rotations and revocations per client address; only in
    /// `Deployed`, and only when the config sets one.
    pub strait_writes: Option<WritesPerMinute>,
}

impl SandboxState {
    /// Open the storage, apply the seed (once per database) and prepare the caches.
    pub fn open(config: &SandboxConfig) -> Result<Self, SandboxError> {
        config.chaos.validate()?;
        let db = Db::open(&config.storage)?;
        if let Some(seed) = config.seed {
            seed::apply(&db, seed)?;
        }
        let signing_key = db.jwt_secret()?;
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                signing_key,
                variant: config.variant,
                token_ttl_secs: config.token_ttl_secs,
                chaos: config.chaos,
                chaos_rng: Mutex::new(StdRng::seed_from_u64(config.chaos.seed)),
                idempotency: Arc::default(),
                strait_writes: config
                    .strait_writes_per_minute
                    .filter(|_| config.variant == Variant::Deployed)
                    .map(WritesPerMinute::new),
            }),
        })
    }

    /// What a console saw at its last look before the demo was seeded (see
    /// [`crate::history`]); `None` unless this database holds the demo.
    pub fn demo_history(&self) -> Result<Option<DemoHistory>, SandboxError> {
        DemoHistory::read(&self.inner.db)
    }

    /// Credentials of the default admin of `dialect`'s default org (`org` None) or of org/project `org`.
    pub fn credentials(
        &self,
        dialect: Dialect,
        org: Option<&str>,
    ) -> Result<DialectCredentials, SandboxError> {
        self.credentials_with(
            dialect,
            &CredentialOptions {
                org: org.map(str::to_owned),
                ..CredentialOptions::default()
            },
        )
    }

    /// Credentials with non-default claims (fewer permissions, another user, a connected
    /// account, an expired token) for denial tests.
    pub fn credentials_with(
        &self,
        dialect: Dialect,
        options: &CredentialOptions,
    ) -> Result<DialectCredentials, SandboxError> {
        credentials::mint(&self.inner.db, &self.inner.signing_key, dialect, options)
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    pub(crate) fn variant(&self) -> Variant {
        self.inner.variant
    }

    /// Run database work on a blocking thread, so the async workers never wait on SQLite.
    pub(crate) async fn db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, Failure> + Send + 'static,
    ) -> Result<T, Failure> {
        let db = Arc::clone(&self.inner.db);
        tokio::task::spawn_blocking(move || db.with(work))
            .await
            .map_err(|_| Failure::internal())?
    }
}
