//! `keydesk-sandbox`: serve the four key-management APIs on 127.0.0.1, or print credentials
//! for a database a server is (or will be) using.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use keydesk_sandbox::{
    Chaos, CredentialOptions, Dialect, STRAIT_DEPLOYED_WRITES_PER_MINUTE, SandboxConfig,
    SandboxError, Seed, Storage, Variant, credentials_for_db, spawn,
};

/// A local server speaking the Oligon, fiskaly, SyncgramPay and Strait key-management APIs.
#[derive(Parser)]
#[command(name = "keydesk-sandbox", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve on 127.0.0.1; prints `{"base_url": …}` on stdout once it accepts connections.
    Serve {
        /// Port to bind; 0 picks a free one.
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// SQLite database file; `:memory:` keeps everything in memory.
        #[arg(long, default_value = ":memory:")]
        db: String,
        /// `demo` (a realistic org per API) or `bulk:N` (N active keys per API).
        #[arg(long)]
        seed: Option<Seed>,
        /// `documented` or `deployed` (the real-deployment differences).
        #[arg(long, default_value = "documented")]
        variant: Variant,
        /// Delay added to every response, in milliseconds.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// Probability (0–1) of answering 503 before doing anything.
        #[arg(long, default_value_t = 0.0)]
        fail_rate: f64,
        /// Probability (0–1) of doing the work, then dropping the connection unanswered.
        #[arg(long, default_value_t = 0.0)]
        drop_rate: f64,
        /// Seed of the chaos draws, for reproducible runs.
        #[arg(long, default_value_t = 0)]
        chaos_seed: u64,
        /// Lifetime of fiskaly access tokens, in seconds.
        #[arg(long, default_value_t = 300)]
        token_ttl: u64,
    },
    /// Print `{"dialect", "base_path", "credentials"}` for one API.
    Token {
        /// The database file the server uses.
        #[arg(long)]
        db: PathBuf,
        /// oligon | fiskaly | syncgram | strait.
        dialect: Dialect,
        /// Another organisation (or Strait project), created on first use.
        #[arg(long)]
        org: Option<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let result = match Cli::parse().command {
        Command::Serve {
            port,
            db,
            seed,
            variant,
            latency_ms,
            fail_rate,
            drop_rate,
            chaos_seed,
            token_ttl,
        } => {
            serve(SandboxConfig {
                storage: if db == ":memory:" {
                    Storage::Memory
                } else {
                    Storage::File(PathBuf::from(db))
                },
                port,
                seed,
                variant,
                chaos: Chaos {
                    latency_ms,
                    fail_rate,
                    drop_rate,
                    seed: chaos_seed,
                },
                token_ttl_secs: token_ttl,
                // The open-source Strait service limits writes; the documented API names none.
                strait_writes_per_minute: (variant == Variant::Deployed)
                    .then_some(STRAIT_DEPLOYED_WRITES_PER_MINUTE),
                ..SandboxConfig::default()
            })
            .await
        }
        Command::Token { db, dialect, org } => print_token(db, dialect, org),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("keydesk-sandbox: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: SandboxConfig) -> Result<(), SandboxError> {
    let handle = spawn(config).await?;
    let line = serde_json::json!({ "base_url": handle.base_url() });
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()?;
    drop(stdout);
    wait_for_stop_signal().await?;
    tracing::info!("stopping");
    handle.shutdown().await;
    tracing::info!("stopped");
    Ok(())
}

/// SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn wait_for_stop_signal() -> Result<(), SandboxError> {
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result?,
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}

fn print_token(db: PathBuf, dialect: Dialect, org: Option<String>) -> Result<(), SandboxError> {
    if db.as_os_str() == ":memory:" {
        return Err(SandboxError::InvalidConfig(
            "token needs the database file the server uses".into(),
        ));
    }
    let credentials = credentials_for_db(
        &db,
        dialect,
        &CredentialOptions {
            org,
            ..CredentialOptions::default()
        },
    )?;
    let text = serde_json::to_string(&credentials)
        .map_err(|error| SandboxError::InvalidConfig(error.to_string()))?;
    println!("{text}");
    Ok(())
}
