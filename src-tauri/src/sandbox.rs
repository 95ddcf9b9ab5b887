//! The embedded sandbox: `keydesk-sandbox` served in-process on 127.0.0.1, so a first run
//! (and `--sandbox`) opens on four working, populated connections.
//!
//! Its SQLite file lives in the app data dir, so keys made in one session are there in the
//! next, and so does its port (chosen once, in `port` beside the database), so a connection
//! added by hand against it still reaches it after a restart. When that port is taken at
//! launch another is chosen and every connection pointing at the old one is re-pointed. The
//! four connections keep stable ids and get fresh credentials on every start.
//!
//! After the first run the sandbox starts only when a connection it serves is first used
//! ([`serve`]), not with the app.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use keydesk_core::{ErrorKind, InventorySnapshot, Key, KeyStatus, ProviderKind};
use keydesk_sandbox::{
    Chaos, DemoHistory, Dialect, LookedKey, SandboxConfig, SandboxError, SandboxHandle, Seed,
    Storage, Variant,
};
use secrecy::SecretString;

use crate::activity::{ActivityEntry, ActivityLog, ActivityResult};
use crate::attention::records::AttentionRecords;
use crate::connections::registry::{ConnectionInput, ConnectionRegistry};
use crate::error::{AppError, AppResult};
use crate::settings::{Connection, ConnectionSettings};
use crate::state::AppState;
use crate::vault::CredentialMap;

/// The app's embedded sandbox: where its database and port live, and its server while it
/// runs.
pub struct EmbeddedSandbox {
    db_path: PathBuf,
    /// Whether a connection it serves starts it ([`serve`]); `false` for tests that bring
    /// their own server (it still starts when asked, as `start_sandbox` does).
    on_demand: bool,
    /// The port of the last run, read once at startup; `None` before the first run.
    port: std::sync::Mutex<Option<u16>>,
    /// An async lock: starting the server awaits, and two starts must not race.
    running: tokio::sync::Mutex<Option<SandboxHandle>>,
}

impl EmbeddedSandbox {
    /// A sandbox keeping its database at `db_path` and its port beside it; nothing runs
    /// until [`Self::open`] (or, with `on_demand`, until a connection it serves is used).
    pub fn new(db_path: PathBuf, on_demand: bool) -> Self {
        let port = read_port(&port_path(&db_path));
        Self {
            db_path,
            on_demand,
            port: std::sync::Mutex::new(port),
            running: tokio::sync::Mutex::new(None),
        }
    }

    /// Starts the sandbox unless it runs, then adds (or re-points) its four connections with
    /// fresh credentials; answers them. The `start_sandbox` command comes here. Without a
    /// keyring the connections are still listed and the keyring's error is returned; any
    /// other failure to set them up says that the sandbox itself runs.
    pub async fn open(&self, registry: &Arc<ConnectionRegistry>) -> AppResult<Vec<Connection>> {
        self.open_unstored(registry).await?.store().await
    }

    /// [`Self::open`] up to the keyring: once this answers the connections are listed and
    /// their clients serve them; [`UnstoredCredentials::store`] writes their credentials.
    /// Startup comes here, so the first lists do not wait for the keyring.
    pub async fn open_unstored(
        &self,
        registry: &Arc<ConnectionRegistry>,
    ) -> AppResult<UnstoredCredentials> {
        let mut running = self.running.lock().await;
        let handle = self.start_locked(&mut running, registry).await?;
        registered(registry, handle).await
    }

    /// [`Self::open_unstored`] when the sandbox does not run yet; `None` when it does (its
    /// connections are in place).
    async fn open_unless_running(
        &self,
        registry: &Arc<ConnectionRegistry>,
    ) -> AppResult<Option<UnstoredCredentials>> {
        let mut running = self.running.lock().await;
        if running.is_some() {
            return Ok(None);
        }
        let handle = self.start_locked(&mut running, registry).await?;
        registered(registry, handle).await.map(Some)
    }

    /// The server in `running`, started (on the port of the last run when it is free) unless
    /// it runs. A move to another port re-points the connections that pointed at the old one.
    async fn start_locked<'a>(
        &self,
        running: &'a mut Option<SandboxHandle>,
        registry: &ConnectionRegistry,
    ) -> AppResult<&'a SandboxHandle> {
        if running.is_none() {
            let options = SandboxOptions::from_env(self.db_path.clone())?;
            let started = Instant::now();
            let last = self.last_port();
            let handle = start(&options, last).await?;
            let port = handle.address().port();
            tracing::debug!(elapsed = ?started.elapsed(), port, "embedded sandbox started");
            if last != Some(port) {
                self.keep_port(port);
            }
            if let Some(last) = last.filter(|last| *last != port) {
                let moved = registry.repoint(&local_url(last), &handle.base_url());
                if let Err(error) = moved {
                    tracing::warn!(error = %error.message, "connections not re-pointed");
                }
            }
            *running = Some(handle);
        }
        running
            .as_ref()
            .ok_or_else(|| AppError::internal("The built-in sandbox is not running."))
    }

    /// Whether `connection` needs this sandbox running: one of its own, or one added by hand
    /// against its port. Always `false` when it does not start on demand.
    pub fn serves(&self, connection: &Connection) -> bool {
        self.on_demand
            && (connection.sandbox
                || self
                    .last_port()
                    .is_some_and(|port| points_at(&connection.settings.base_url, port)))
    }

    /// Whether the server runs now (once a start under way is done).
    pub async fn is_running(&self) -> bool {
        self.running.lock().await.is_some()
    }

    /// The port the sandbox runs on, or ran on last (`None` before its first start).
    pub fn last_port(&self) -> Option<u16> {
        *self
            .port
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Remembers `port` for this run and the next: a file that cannot be written costs the
    /// next start its port (a hand-added connection is then re-pointed), nothing else.
    fn keep_port(&self, port: u16) {
        *self
            .port
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(port);
        let written = crate::settings::write_atomically(
            &port_path(&self.db_path),
            port.to_string().as_bytes(),
        );
        if let Err(error) = written {
            tracing::warn!(%error, "the sandbox's port was not stored");
        }
    }

    /// What the demo seed says a console saw before this database was seeded; `None` when
    /// the sandbox does not run or holds other data.
    pub async fn demo_history(&self) -> Option<DemoHistory> {
        let running = self.running.lock().await;
        match running.as_ref()?.state().demo_history() {
            Ok(history) => history,
            Err(error) => {
                tracing::warn!(%error, "could not read the demo's history");
                None
            }
        }
    }

    /// Stops the server if it runs. Blocks, so call it outside async code (at exit).
    pub fn shutdown(&self) {
        let handle = self.running.blocking_lock().take();
        if let Some(handle) = handle {
            tauri::async_runtime::block_on(handle.shutdown());
        }
    }
}

/// Starts the embedded sandbox when the connection `connection_id` needs it and it does not
/// run yet, with its connections re-pointed and given fresh credentials as a first run does.
/// Commands come here before they use a connection's client.
pub async fn serve(state: &AppState, connection_id: &str) -> AppResult<()> {
    let Ok(connection) = state.connections.get(connection_id) else {
        // Not found: the caller's own look-up says so.
        return Ok(());
    };
    if !state.sandbox.serves(&connection) {
        return Ok(());
    }
    let Some(unstored) = state
        .sandbox
        .open_unless_running(&state.connections)
        .await?
    else {
        return Ok(());
    };
    take_demo_history(state).await;
    unstored.store().await.map(drop)
}

/// Takes the demo's history as Keydesk's own past (see [`recall_demo_history`]) unless every
/// sandbox connection already has a snapshot of its own.
pub async fn take_demo_history(state: &AppState) {
    if demo_history_taken(state.attention.records()) {
        return;
    }
    let Some(history) = state.sandbox.demo_history().await else {
        return;
    };
    let recalled = recall_demo_history(
        &history,
        &state.connections,
        state.attention.records(),
        &state.activity,
    );
    if let Err(error) = recalled {
        tracing::warn!(error = %error.message, "could not take over the demo's history");
    }
}

/// Where the sandbox's port is kept: beside its database.
fn port_path(db_path: &Path) -> PathBuf {
    db_path.with_file_name("port")
}

/// The port stored at `path`; `None` when there is none (or it is not a port).
fn read_port(path: &Path) -> Option<u16> {
    let text = std::fs::read_to_string(path).ok()?;
    text.trim().parse().ok().filter(|port| *port != 0)
}

/// The base URL of a sandbox on `port`.
fn local_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

/// Whether `base_url` is on this machine's loopback at `port`.
fn points_at(base_url: &str, port: u16) -> bool {
    tauri::Url::parse(base_url).is_ok_and(|url| {
        matches!(url.host_str(), Some("127.0.0.1" | "localhost")) && url.port() == Some(port)
    })
}

/// Takes the demo's history as Keydesk's own past, once: its last look becomes each sandbox
/// connection's snapshot and its lost create is logged as orphaned, so the first run's
/// Attention view already shows keys that appeared and disappeared since, and an orphan.
/// A connection with a snapshot of its own (every run after the first) is left alone.
pub fn recall_demo_history(
    history: &DemoHistory,
    registry: &ConnectionRegistry,
    records: &AttentionRecords,
    activity: &ActivityLog,
) -> AppResult<()> {
    let Ok(taken_at) = history.last_look_at.parse::<DateTime<Utc>>() else {
        return Err(AppError::internal("The demo's history has no valid time."));
    };
    for api in &history.apis {
        let Some(provider) = ProviderKind::ALL
            .into_iter()
            .find(|provider| dialect(*provider) == api.dialect)
        else {
            continue;
        };
        let id = connection_id(provider);
        let snapshot = InventorySnapshot {
            taken_at,
            keys: api.listed.iter().map(looked_key).collect(),
            // The demo's look is not a list Keydesk took: a start never shows it.
            complete: false,
        };
        let first_look = records.snapshots.update(|snapshots| {
            let first = !snapshots.contains_key(&id);
            if first {
                snapshots.insert(id.clone(), Arc::new(snapshot));
            }
            first
        })?;
        if !first_look {
            continue;
        }
        let connection = registry.get(&id)?;
        for orphan in &api.orphaned {
            activity.recall(&ActivityEntry {
                at: orphan.at.clone(),
                user: "demo history".to_owned(),
                connection_id: Some(id.clone()),
                connection_name: Some(connection.settings.name.clone()),
                key_id: Some(orphan.key_id.clone()),
                key_name: Some(orphan.key_name.clone()),
                action: "create".to_owned(),
                result: ActivityResult::Orphaned,
                request_id: None,
                error_kind: None,
                operation_id: None,
                subject: None,
                key_masked: None,
                detail: Some(
                    "A create in the demo's history whose answer never arrived.".to_owned(),
                ),
                entry_id: None,
                incident: None,
                leak: None,
            })?;
        }
    }
    Ok(())
}

/// Whether every sandbox connection has a snapshot of its own (every run after the first),
/// so the demo's history is not even read: startup gates the first lists.
pub fn demo_history_taken(records: &AttentionRecords) -> bool {
    records
        .snapshots
        .read(|snapshots| {
            ProviderKind::ALL
                .into_iter()
                .all(|provider| snapshots.contains_key(&connection_id(provider)))
        })
        .unwrap_or(false)
}

/// A key of the demo's last look as a snapshot remembers it. Nothing shows a snapshot's
/// masked form, so none is made up.
fn looked_key(key: &LookedKey) -> Key {
    let status = if key.revoked {
        KeyStatus::Revoked
    } else {
        KeyStatus::Active
    };
    Key::bare(key.id.clone(), key.name.clone(), String::new(), status)
}

/// How to run the embedded sandbox; tests and benchmarks tune it with `KEYDESK_SANDBOX_*`.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// The database file.
    pub db_path: PathBuf,
    /// Data for a fresh database (default: the demo).
    pub seed: Seed,
    /// Documented or deployed API flavour.
    pub variant: Variant,
    /// Fault injection.
    pub chaos: Chaos,
    /// fiskaly access-token lifetime.
    pub token_ttl_secs: u64,
}

impl SandboxOptions {
    /// Defaults for `db_path`, overridden by the `KEYDESK_SANDBOX_*` environment variables:
    /// `SEED` (demo | bulk:N), `VARIANT` (documented | deployed), `TOKEN_TTL` (seconds),
    /// `LATENCY_MS`, `FAIL_RATE` and `DROP_RATE` (0–1), `CHAOS_SEED`.
    pub fn from_env(db_path: PathBuf) -> AppResult<Self> {
        Self::from_vars(db_path, |name| std::env::var(name).ok())
    }

    /// [`Self::from_env`] reading the variables through `lookup`.
    pub fn from_vars(db_path: PathBuf, lookup: impl Fn(&str) -> Option<String>) -> AppResult<Self> {
        let defaults = SandboxConfig::default();
        let var = |name: &str| lookup(&format!("KEYDESK_SANDBOX_{name}"));
        let bad = |name: &str| {
            AppError::internal(format!(
                "KEYDESK_SANDBOX_{name} has a value Keydesk cannot use."
            ))
        };
        let number = |name: &str, default: f64| -> AppResult<f64> {
            var(name).map_or(Ok(default), |text| {
                text.trim().parse().map_err(|_| bad(name))
            })
        };
        let integer = |name: &str, default: u64| -> AppResult<u64> {
            var(name).map_or(Ok(default), |text| {
                text.trim().parse().map_err(|_| bad(name))
            })
        };
        Ok(Self {
            db_path,
            seed: var("SEED")
                .map_or(Ok(Seed::Demo), |text| text.parse().map_err(|_| bad("SEED")))?,
            variant: var("VARIANT").map_or(Ok(defaults.variant), |text| {
                text.parse().map_err(|_| bad("VARIANT"))
            })?,
            chaos: Chaos {
                latency_ms: integer("LATENCY_MS", 0)?,
                fail_rate: number("FAIL_RATE", 0.0)?,
                drop_rate: number("DROP_RATE", 0.0)?,
                seed: integer("CHAOS_SEED", 0)?,
            },
            token_ttl_secs: integer("TOKEN_TTL", defaults.token_ttl_secs)?,
        })
    }
}

/// Starts the sandbox on 127.0.0.1:`port` (seeding a new database), or on a free port when
/// there is no port yet or it is taken. Its folder is private to the user: the database
/// holds the signing secret of the sandbox's tokens.
async fn start(options: &SandboxOptions, port: Option<u16>) -> AppResult<SandboxHandle> {
    if let Some(dir) = options.db_path.parent() {
        keydesk_sandbox::create_private_folder(dir)
            .map_err(|_| AppError::internal("Could not create the sandbox's data folder."))?;
    }
    let config = |port: u16| SandboxConfig {
        storage: Storage::File(options.db_path.clone()),
        port,
        seed: Some(options.seed),
        variant: options.variant,
        chaos: options.chaos,
        token_ttl_secs: options.token_ttl_secs,
        ..SandboxConfig::default()
    };
    let spawned = match port {
        Some(port) => match keydesk_sandbox::spawn(config(port)).await {
            Err(SandboxError::Io(error)) if error.kind() == std::io::ErrorKind::AddrInUse => {
                tracing::info!(port, "the sandbox's port is taken: choosing another");
                keydesk_sandbox::spawn(config(0)).await
            }
            spawned => spawned,
        },
        None => keydesk_sandbox::spawn(config(0)).await,
    };
    spawned.map_err(|error| {
        tracing::warn!(%error, "embedded sandbox did not start");
        AppError::internal("The built-in sandbox could not start.")
    })
}

/// The stable id of the sandbox connection for `provider`.
pub fn connection_id(provider: ProviderKind) -> String {
    format!("sandbox-{}", provider.as_str())
}

/// What a failure to set up the sandbox's connections says: that the sandbox runs, unless
/// the keyring is missing (which has a message of its own).
fn setup_failed(error: AppError) -> AppError {
    if error.kind == ErrorKind::KeychainUnavailable {
        return error;
    }
    AppError {
        message: format!(
            "The built-in sandbox runs, but its connections could not be set up: {}",
            error.message
        ),
        ..error
    }
}

/// The sandbox's connections, saved with clients but with their credentials not yet in the
/// keyring (see [`EmbeddedSandbox::open_unstored`]).
pub struct UnstoredCredentials {
    registry: Arc<ConnectionRegistry>,
    ids: Vec<String>,
    credentials: Vec<(String, CredentialMap)>,
    /// What went wrong before the keyring (minting, validation), reported by `store`.
    failed: Option<AppError>,
}

impl UnstoredCredentials {
    /// Writes the credentials to the keyring, all four at once (each on a blocking thread:
    /// the keyring speaks D-Bus synchronously), and answers the connections as they are
    /// then. A refused write leaves its connection without credentials and is the error.
    pub async fn store(self) -> AppResult<Vec<Connection>> {
        let started = Instant::now();
        let writes = self.credentials.into_iter().map(|(id, credentials)| {
            let registry = self.registry.clone();
            tauri::async_runtime::spawn_blocking(move || {
                registry.store_credentials(&id, &credentials)
            })
        });
        let written = futures::future::join_all(writes).await;
        tracing::debug!(elapsed = ?started.elapsed(), "sandbox credentials stored");
        let mut failed = self.failed;
        for result in written {
            let result = result.map_err(|_| {
                AppError::internal("Keydesk could not store the sandbox's credentials.")
            });
            if let Err(error) = result.and_then(|stored| stored) {
                failed.get_or_insert(error);
            }
        }
        if let Some(error) = failed {
            return Err(setup_failed(error));
        }
        self.ids.iter().map(|id| self.registry.get(id)).collect()
    }
}

/// [`register`], its failure worded by [`setup_failed`], timed.
async fn registered(
    registry: &Arc<ConnectionRegistry>,
    sandbox: &SandboxHandle,
) -> AppResult<UnstoredCredentials> {
    let started = Instant::now();
    let unstored = register(registry, sandbox).await.map_err(setup_failed);
    tracing::debug!(elapsed = ?started.elapsed(), "sandbox connections registered");
    unstored
}

/// Adds (or re-points) the four sandbox connections, each with a client built from freshly
/// minted credentials, and answers the credentials still to be written to the keyring.
/// The settings file is written on a blocking thread.
async fn register(
    registry: &Arc<ConnectionRegistry>,
    sandbox: &SandboxHandle,
) -> AppResult<UnstoredCredentials> {
    let inputs: Vec<AppResult<ConnectionInput>> = ProviderKind::ALL
        .into_iter()
        .map(|provider| input_for(registry, sandbox, provider))
        .collect();
    let registry = registry.clone();
    let saved = tauri::async_runtime::spawn_blocking(move || {
        let mut unstored = UnstoredCredentials {
            registry: registry.clone(),
            ids: Vec::new(),
            credentials: Vec::new(),
            failed: None,
        };
        for input in inputs {
            match input.and_then(|input| registry.save_sandbox_unstored(input)) {
                Ok((connection, credentials)) => {
                    if let Some(credentials) = credentials {
                        unstored
                            .credentials
                            .push((connection.id.clone(), credentials));
                    }
                    unstored.ids.push(connection.id);
                }
                Err(error) => {
                    unstored.failed.get_or_insert(error);
                }
            }
        }
        unstored
    })
    .await;
    saved.map_err(|_| AppError::internal("Keydesk could not register the sandbox's connections."))
}

/// The connection input of the sandbox connection for `provider`, with fresh credentials
/// and what the user changed about it (name, label, colour) kept.
fn input_for(
    registry: &ConnectionRegistry,
    sandbox: &SandboxHandle,
    provider: ProviderKind,
) -> AppResult<ConnectionInput> {
    let dialect = dialect(provider);
    let minted = sandbox.credentials(dialect, None).map_err(|error| {
        tracing::warn!(%error, "sandbox credentials");
        AppError::internal("The built-in sandbox could not issue credentials.")
    })?;
    let text = |name: &str| {
        minted
            .credentials
            .get(name)
            .and_then(|value| value.as_str())
            .map(str::to_owned)
    };
    let mut credentials = CredentialMap::new();
    for name in ["token", "api_key", "api_secret"] {
        if let Some(value) = text(name) {
            credentials.insert(name.to_owned(), SecretString::from(value));
        }
    }
    let id = connection_id(provider);
    let existing = registry.get(&id).ok().map(|old| old.settings);
    Ok(ConnectionInput {
        id: Some(id),
        settings: ConnectionSettings {
            name: existing.as_ref().map_or_else(
                || provider.display_name().to_owned(),
                |old| old.name.clone(),
            ),
            provider,
            base_url: format!("{}{}", sandbox.base_url(), minted.base_path),
            org_id: text("organization_id"),
            project_id: text("project_id"),
            // No label of its own: `sandbox: true` already puts a "Sandbox" badge beside it.
            label: existing.as_ref().and_then(|old| old.label.clone()),
            color: existing.and_then(|old| old.color),
        },
        credentials: Some(credentials),
    })
}

fn dialect(provider: ProviderKind) -> Dialect {
    match provider {
        ProviderKind::Oligon => Dialect::Oligon,
        ProviderKind::Fiskaly => Dialect::Fiskaly,
        ProviderKind::Syncgram => Dialect::Syncgram,
        ProviderKind::Strait => Dialect::Strait,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn options(vars: &[(&str, &str)]) -> AppResult<SandboxOptions> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(name, value)| (format!("KEYDESK_SANDBOX_{name}"), value.to_string()))
            .collect();
        SandboxOptions::from_vars(PathBuf::from("db"), |name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_to_the_demo_without_faults() {
        let options = options(&[]).unwrap();
        assert_eq!(options.seed, Seed::Demo);
        assert!(options.chaos.is_off());
        assert_eq!(
            options.token_ttl_secs,
            SandboxConfig::default().token_ttl_secs
        );
    }

    #[test]
    fn reads_every_variable() {
        let options = options(&[
            ("SEED", "bulk:1000"),
            ("VARIANT", "deployed"),
            ("TOKEN_TTL", "5"),
            ("LATENCY_MS", "20"),
            ("FAIL_RATE", "0.1"),
            ("DROP_RATE", "0.05"),
            ("CHAOS_SEED", "7"),
        ])
        .unwrap();
        assert_eq!(options.seed, Seed::Bulk { keys_per_api: 1000 });
        assert_eq!(options.variant, Variant::Deployed);
        assert_eq!(options.token_ttl_secs, 5);
        assert_eq!((options.chaos.latency_ms, options.chaos.seed), (20, 7));
        assert_eq!(
            (options.chaos.fail_rate, options.chaos.drop_rate),
            (0.1, 0.05)
        );
    }

    #[test]
    fn a_connection_on_the_sandboxs_port_is_served_by_it() {
        assert!(points_at("http://127.0.0.1:4100/oligon/v1", 4100));
        assert!(points_at("http://localhost:4100", 4100));
        assert!(!points_at("http://127.0.0.1:4101/oligon/v1", 4100));
        assert!(!points_at("https://api.example.test:4100", 4100));
        assert!(!points_at("not a url", 4100));
    }

    #[test]
    fn a_stored_port_reads_back_and_anything_else_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = port_path(&dir.path().join("sandbox.sqlite3"));
        assert_eq!(path, dir.path().join("port"));
        assert_eq!(read_port(&path), None);
        for (text, port) in [("4100\n", Some(4100)), ("0", None), ("soon", None)] {
            std::fs::write(&path, text).unwrap();
            assert_eq!(read_port(&path), port, "{text}");
        }
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let error = options(&[("LATENCY_MS", "soon")]).unwrap_err();
        assert!(
            error.message.contains("KEYDESK_SANDBOX_LATENCY_MS"),
            "{}",
            error.message
        );
        assert!(options(&[("SEED", "everything")]).is_err());
    }
}
