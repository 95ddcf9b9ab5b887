//! Configuration types: where data lives, which API variant to serve, fault injection, seeding.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::SandboxError;

/// Where the sandbox keeps its SQLite database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// A private in-memory database that disappears with the server.
    Memory,
    /// A database file (created if missing, opened in WAL mode), shareable with the `token` CLI.
    File(PathBuf),
}

/// Which flavour of each API to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Variant {
    /// Exactly what `api-docs/` describe.
    #[default]
    Documented,
    /// The real-deployment differences listed in DESIGN.md ("Real deployments differ").
    Deployed,
}

impl FromStr for Variant {
    type Err = SandboxError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "documented" => Ok(Self::Documented),
            "deployed" => Ok(Self::Deployed),
            other => Err(SandboxError::InvalidConfig(format!(
                "unknown variant {other:?} (expected documented or deployed)"
            ))),
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Documented => "documented",
            Self::Deployed => "deployed",
        })
    }
}

/// One of the four key-management APIs the sandbox speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// Oligon Receipts (`/oligon`).
    Oligon,
    /// fiskaly Management (`/fiskaly/api/v0`).
    Fiskaly,
    /// SyncgramPay (`/syncgram`).
    Syncgram,
    /// Strait project keys (`/strait`).
    Strait,
}

impl Dialect {
    /// All four dialects, in a stable order.
    pub const ALL: [Dialect; 4] = [Self::Oligon, Self::Fiskaly, Self::Syncgram, Self::Strait];

    /// The path prefix this API is served under.
    pub fn base_path(self) -> &'static str {
        match self {
            Self::Oligon => "/oligon",
            Self::Fiskaly => "/fiskaly/api/v0",
            Self::Syncgram => "/syncgram",
            Self::Strait => "/strait",
        }
    }

    /// The lowercase name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oligon => "oligon",
            Self::Fiskaly => "fiskaly",
            Self::Syncgram => "syncgram",
            Self::Strait => "strait",
        }
    }
}

impl FromStr for Dialect {
    type Err = SandboxError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|dialect| dialect.as_str() == text)
            .ok_or_else(|| {
                SandboxError::InvalidConfig(format!(
                    "unknown dialect {text:?} (expected oligon, fiskaly, syncgram or strait)"
                ))
            })
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Fault injection, applied to every request. All zero = off.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Chaos {
    /// Delay added before every response, in milliseconds.
    pub latency_ms: u64,
    /// Probability (0–1) of answering 503 before doing anything.
    pub fail_rate: f64,
    /// Probability (0–1) of performing the action, then closing the connection without an answer.
    pub drop_rate: f64,
    /// Seed of the random draws, so a run of requests fails the same way every time.
    pub seed: u64,
}

impl Chaos {
    /// True when no fault is injected at all.
    pub fn is_off(&self) -> bool {
        self.latency_ms == 0 && self.fail_rate <= 0.0 && self.drop_rate <= 0.0
    }

    pub(crate) fn validate(&self) -> Result<(), SandboxError> {
        for (name, rate) in [("fail-rate", self.fail_rate), ("drop-rate", self.drop_rate)] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(SandboxError::InvalidConfig(format!(
                    "{name} must be between 0 and 1"
                )));
            }
        }
        Ok(())
    }
}

/// Data to load into a fresh database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// Per API a realistic organisation with ~15 keys in every state, for the first-run demo.
    Demo,
    /// N plain active keys per API in the default org, for benchmarks (SyncgramPay: only the
    /// newest is active, the rest revoked, because it allows one active key per org).
    Bulk {
        /// How many keys each API gets.
        keys_per_api: usize,
    },
}

impl FromStr for Seed {
    type Err = SandboxError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "demo" {
            return Ok(Self::Demo);
        }
        text.strip_prefix("bulk:")
            .and_then(|count| count.parse().ok())
            .map(|keys_per_api| Self::Bulk { keys_per_api })
            .ok_or_else(|| {
                SandboxError::InvalidConfig(format!(
                    "unknown seed {text:?} (expected demo or bulk:N)"
                ))
            })
    }
}

/// Everything `spawn` needs.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where the database lives.
    pub storage: Storage,
    /// Port on 127.0.0.1; 0 picks any free port.
    pub port: u16,
    /// Data loaded at start (once per database: a seeded file is not seeded again).
    pub seed: Option<Seed>,
    /// Documented or deployed flavour of the APIs.
    pub variant: Variant,
    /// Fault injection.
    pub chaos: Chaos,
    /// Lifetime of fiskaly access tokens (refresh tokens live twice as long in `Deployed`).
    pub token_ttl_secs: u64,
    /// How long a connection may take to send a request's headers, idle keep-alive time
    /// included; a client that connects and sends nothing is dropped after it.
    pub header_read_timeout: Duration,
    /// Connections served at once; further ones wait (unaccepted) until one closes.
    pub max_connections: usize,
    /// Creates, rotations and revocations one client address may send Strait per minute in
    /// `Deployed` before a plain-text 429 ([`STRAIT_DEPLOYED_WRITES_PER_MINUTE`] in the
    /// open-source service); `None` for no limit. The binary sets it with `--variant deployed`.
    pub strait_writes_per_minute: Option<u32>,
}

/// Strait writes per client address and minute that the open-source service allows.
pub const STRAIT_DEPLOYED_WRITES_PER_MINUTE: u32 = 10;

/// The default [`SandboxConfig::header_read_timeout`]: longer than the 90 s an HTTP client
/// pool (reqwest's default) keeps an idle connection, so such a client always closes first
/// and never sends on a connection the server is closing.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(100);

/// The default [`SandboxConfig::max_connections`]: far above what Keydesk's concurrent
/// paging opens, low enough that a flood of idle sockets cannot exhaust the process.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            storage: Storage::Memory,
            port: 0,
            seed: None,
            variant: Variant::Documented,
            chaos: Chaos::default(),
            token_ttl_secs: 300,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            strait_writes_per_minute: None,
        }
    }
}
