//! `keydesk-cli`: manage API keys from a terminal through keydesk-core.
//!
//! Credentials come from the environment (`KEYDESK_TOKEN`, or `KEYDESK_API_KEY` +
//! `KEYDESK_API_SECRET` for fiskaly), so they never show up in shell history or in `ps`, or
//! from the keyring items of a connection saved in the Keydesk app (`--connection`).

mod everywhere;
mod output;
mod replace;
mod saved;

use std::collections::BTreeMap;
use std::io::Read as _;
use std::process::ExitCode;

use chrono::Utc;
use clap::{CommandFactory, Parser, Subcommand};
use keydesk_core::{
    AttentionConfig, AttentionInput, ConnectionConfig, ConnectionInventory, CreateOutcome,
    Credentials, Environment, Error, ErrorKind, KeyDraft, LeakFingerprint, MAX_PASTED_KEY_BYTES,
    Provider, ProviderKind, ReplaceOptions, SecretString, Severity, attention, connect,
    find_leaked,
};
use zeroize::Zeroizing;

use crate::saved::Saved;

const AFTER_HELP: &str = "\
Which API (either one):
  --connection NAME|ID                a connection saved in the Keydesk app, with the
                                      credentials the app keeps in the system keyring
  --provider and --base-url           any API, with credentials from the environment:
  KEYDESK_TOKEN                       bearer token for oligon, syncgram and strait
  KEYDESK_API_KEY, KEYDESK_API_SECRET fiskaly API key and secret

Every option above can also be set as KEYDESK_PROVIDER, KEYDESK_BASE_URL, KEYDESK_ORG and
KEYDESK_PROJECT. The base URL must be https:// unless it points at this machine. With
--connection, whatever is set in the environment (or given as an option) wins over the saved
connection's value, credentials included. `connections`, `inventory` and `find-leaked`
without --provider or --connection work on every saved connection.

The app's data are found where the app keeps them (KEYDESK_DATA_DIR, else
$XDG_DATA_HOME/dev.keydesk.app, with a `debug` folder for debug builds); its keyring items
under the service dev.keydesk (dev.keydesk.debug for debug builds, or KEYDESK_KEYRING_SERVICE).
Nothing is read from or written to any other file.

Exit codes: 0 ok, 1 API or network error, or a create whose key was made but whose secret
never arrived (the orphan is named on stderr: revoke it), 2 usage or validation error (an
unknown --connection included), 3 authentication or permission error, or the system keyring
cannot be used (keychain_unavailable), 5 `attention --fail-on` found a finding at or above
that severity. Errors go to stderr as one sentence plus the provider's request id; a
connection `inventory` or `find-leaked` could not list is one such line, named, while the
others are still printed, and the exit code is that of the first failure.

Examples:
  keydesk-cli connections
  keydesk-cli --connection Receipts list --json
  keydesk-cli inventory --csv > keys.csv
  pbpaste | keydesk-cli find-leaked
  KEYDESK_TOKEN=... keydesk-cli --provider oligon --base-url https://api.example.com list --json
  keydesk-cli --provider strait --base-url URL --project proj_1 rotate KEY_ID --grace-minutes 30
  keydesk-cli --provider oligon --base-url URL replace KEY_ID --json
  keydesk-cli --provider syncgram --base-url URL attention --fail-on high";

/// Manage the API keys of Oligon Receipts, fiskaly, SyncgramPay and Strait.
#[derive(Debug, Parser)]
#[command(name = "keydesk-cli", version, after_help = AFTER_HELP)]
struct Cli {
    /// A connection saved in the Keydesk app, by name or id (see `connections`); its
    /// credentials come from the system keyring.
    #[arg(long, value_name = "NAME|ID")]
    connection: Option<String>,
    /// Which API to talk to: oligon, fiskaly, syncgram or strait (needed without
    /// --connection).
    #[arg(long, env = "KEYDESK_PROVIDER", value_parser = parse_provider)]
    provider: Option<ProviderKind>,
    /// The API's base URL, e.g. http://127.0.0.1:8080/oligon for a local sandbox (needed
    /// without --connection).
    #[arg(long, env = "KEYDESK_BASE_URL")]
    base_url: Option<String>,
    /// fiskaly: the organisation whose keys to manage.
    #[arg(long, env = "KEYDESK_ORG")]
    org: Option<String>,
    /// Strait: the project whose keys to manage.
    #[arg(long, env = "KEYDESK_PROJECT")]
    project: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the connections saved in the Keydesk app: name, provider, base URL and id (never
    /// a credential).
    Connections {
        /// Print JSON (an array of connections) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List the keys of every saved connection (or only --connection's), all at once, in the
    /// app's export format.
    Inventory {
        /// Print the JSON export: one object per connection with its keys.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print the CSV export: one row per key.
        #[arg(long)]
        csv: bool,
    },
    /// List every key (all pages).
    List {
        /// Print JSON (an array of keys) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Create a key and print its secret(s) once.
    Create {
        /// The key's name.
        #[arg(long)]
        name: String,
        /// A scope to grant (repeatable).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// Make a live (production) key instead of a test key.
        #[arg(long)]
        live: bool,
        /// Lifetime in days (SyncgramPay, Strait).
        #[arg(long)]
        expires_in_days: Option<u32>,
        /// Metadata entry as key=value (fiskaly, repeatable).
        #[arg(long = "metadata", value_parser = parse_metadata)]
        metadata: Vec<(String, String)>,
        /// Automatic rotation period in days (Strait).
        #[arg(long)]
        rotation_interval_days: Option<u32>,
        /// Webhook told about rotations (Strait).
        #[arg(long)]
        rotation_webhook_url: Option<String>,
        /// Print JSON: {"key": {...}, "secrets": [{"label", "value"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key for good.
    Revoke {
        /// The key's id.
        id: String,
        /// Print the key as JSON when the provider returns it.
        #[arg(long)]
        json: bool,
    },
    /// Delete a key's record.
    Delete {
        /// The key's id.
        id: String,
    },
    /// Switch a disabled key back on (fiskaly).
    Enable {
        /// The key's id.
        id: String,
        /// Print the key as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Switch a key off without deleting it (fiskaly).
    Disable {
        /// The key's id.
        id: String,
        /// Print the key as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Replace a key with a new one; the old one keeps working during the grace period (Strait).
    Rotate {
        /// The key's id.
        id: String,
        /// Minutes the old key stays valid (default 60, at most 10080).
        #[arg(long)]
        grace_minutes: Option<u32>,
        /// Print JSON: {"key": {...}, "secrets": [{"label", "value"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Replace a key with a new one of the same settings, then retire the old one the
    /// provider's way: Strait rotates, Oligon revokes, fiskaly disables, SyncgramPay revokes
    /// first (waiting out its create limit) and then creates.
    Replace {
        /// The key's id.
        id: String,
        /// Strait: minutes the old key stays valid (0 = at once; default 60).
        #[arg(long)]
        grace_minutes: Option<u32>,
        /// Oligon: leave the old key active, to revoke once its users have the new one.
        #[arg(long)]
        keep_old: bool,
        /// Print JSON: {"key": {...}, "secrets": [{"label", "value"}]}.
        #[arg(long)]
        json: bool,
    },
    /// List what needs an admin now: expired, expiring, overdue, stale or never-used keys.
    ///
    /// Judged from the provider's list alone: the app's owner annotations, last snapshot
    /// and orphan reports are not read, so `unowned`, `appeared`, `disappeared` and
    /// `orphan` do not fire here.
    Attention {
        /// Print JSON (an array of findings) instead of a table.
        #[arg(long)]
        json: bool,
        /// Exit with code 5 when a finding of this severity or higher exists: high, medium
        /// or low.
        #[arg(long, value_parser = parse_severity)]
        fail_on: Option<Severity>,
    },
    /// Read a leaked key from stdin and find it among this connection's keys, or, without
    /// --provider and --connection, among every saved connection's (and the keys the app
    /// created, by their fingerprints).
    FindLeaked {
        /// Print JSON: {"matches": [...], "ambiguous": bool, ...}.
        #[arg(long)]
        json: bool,
    },
}

fn parse_provider(text: &str) -> Result<ProviderKind, String> {
    text.parse()
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    text.parse()
}

fn parse_metadata(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .ok_or_else(|| format!("expected key=value, got {text:?}"))
}

/// The exit code of `attention --fail-on`, when a finding at or above its severity exists.
const FINDINGS_EXIT_CODE: u8 = 5;

/// Exit codes the issue fixes, by error kind.
fn exit_code(error: &Error) -> u8 {
    match error.kind() {
        ErrorKind::Validation | ErrorKind::Unsupported => 2,
        ErrorKind::Unauthorized | ErrorKind::Forbidden | ErrorKind::KeychainUnavailable => 3,
        _ => 1,
    }
}

fn report(error: &Error) -> ExitCode {
    report_about(None, error)
}

/// Reports `error` on stderr, after the name of the connection it is about, if any.
fn report_about(connection: Option<&str>, error: &Error) -> ExitCode {
    let mut line = match connection {
        Some(name) => format!("keydesk-cli: {name:?}: {error}"),
        None => format!("keydesk-cli: {error}"),
    };
    if let Some(request_id) = error.request_id() {
        line.push_str(&format!(" (request id: {request_id})"));
    }
    // Messages carry servers' text: printed escaped, like every table cell.
    eprintln!("{}", output::escaped(&line));
    ExitCode::from(exit_code(error))
}

/// The credentials the environment holds for `provider`.
fn credentials(provider: ProviderKind) -> Result<Credentials, Error> {
    let read = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|value| !value.trim().is_empty())
            .map(SecretString::from)
    };
    let missing = |field: &str, message: &str| Error::Validation {
        field: field.to_owned(),
        message: message.to_owned(),
    };
    match provider {
        ProviderKind::Fiskaly => match (read("KEYDESK_API_KEY"), read("KEYDESK_API_SECRET")) {
            (Some(api_key), Some(api_secret)) => Ok(Credentials::FiskalyKey {
                api_key,
                api_secret,
            }),
            _ => Err(missing(
                "api_key",
                "Set KEYDESK_API_KEY and KEYDESK_API_SECRET in the environment for fiskaly.",
            )),
        },
        _ => read("KEYDESK_TOKEN")
            .map(Credentials::Bearer)
            .ok_or_else(|| missing("token", "Set KEYDESK_TOKEN in the environment.")),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(error) => report(&error),
    }
}

async fn run(cli: Cli) -> Result<ExitCode, Error> {
    // No connection named at all: `find-leaked` searches every saved one.
    let everywhere = cli.connection.is_none() && cli.provider.is_none() && cli.base_url.is_none();
    match cli.command {
        Command::Connections { json } => {
            output::print_connections(&Saved::open()?.connections, json);
            return Ok(ExitCode::SUCCESS);
        }
        Command::Inventory { json, csv } => {
            let saved = Saved::open()?;
            let connections = match &cli.connection {
                Some(wanted) => vec![saved.find(wanted)?.clone()],
                None => saved.connections.clone(),
            };
            return everywhere::inventory(&saved, &connections, json, csv).await;
        }
        Command::FindLeaked { json } if everywhere => {
            let pasted = read_pasted()?;
            return everywhere::find_leaked(&Saved::open()?, &pasted, json).await;
        }
        _ => {}
    }
    let (config, credentials) = match cli.connection.as_deref() {
        Some(wanted) => on_saved(wanted, cli.provider, cli.base_url, cli.org, cli.project)?,
        None => {
            let (Some(provider), Some(base_url)) = (cli.provider, cli.base_url) else {
                Cli::command()
                    .error(
                        clap::error::ErrorKind::MissingRequiredArgument,
                        "give --connection NAME|ID, or --provider and --base-url (or \
                         KEYDESK_PROVIDER and KEYDESK_BASE_URL)",
                    )
                    .exit()
            };
            let config = ConnectionConfig {
                provider,
                base_url,
                org_id: cli.org,
                project_id: cli.project,
            };
            (config, credentials(provider)?)
        }
    };
    let provider = connect(config, credentials)?;
    execute(provider.as_ref(), cli.command).await
}

/// The saved connection `wanted` with its keyring credentials; what the options or the
/// environment set wins over the saved values, credentials included (the keyring is then not
/// read).
fn on_saved(
    wanted: &str,
    provider: Option<ProviderKind>,
    base_url: Option<String>,
    org: Option<String>,
    project: Option<String>,
) -> Result<(ConnectionConfig, Credentials), Error> {
    let saved = Saved::open()?;
    let connection = saved.find(wanted)?;
    let stored = connection.config();
    let config = ConnectionConfig {
        provider: provider.unwrap_or(stored.provider),
        base_url: base_url.unwrap_or(stored.base_url),
        org_id: org.or(stored.org_id),
        project_id: project.or(stored.project_id),
    };
    let credentials = match credentials(config.provider) {
        Ok(from_env) => from_env,
        Err(_) => saved.credentials(connection)?,
    };
    Ok((config, credentials))
}

/// The leaked key pasted on stdin.
fn read_pasted() -> Result<Zeroizing<String>, Error> {
    // One byte past the cap is enough for the parser to refuse an oversized paste.
    let mut pasted = Zeroizing::new(Vec::new());
    std::io::stdin()
        .take(MAX_PASTED_KEY_BYTES as u64 + 1)
        .read_to_end(&mut pasted)
        .map_err(|_| Error::Validation {
            field: "pasted".to_owned(),
            message: "Could not read the key from stdin.".to_owned(),
        })?;
    Ok(Zeroizing::new(
        String::from_utf8_lossy(&pasted).into_owned(),
    ))
}

async fn execute(provider: &dyn Provider, command: Command) -> Result<ExitCode, Error> {
    let kind = provider.kind();
    match command {
        Command::List { json } => {
            let keys = provider.list_keys(None).await?;
            output::print_keys(kind, &keys, json);
        }
        Command::Create {
            name,
            scopes,
            live,
            expires_in_days,
            metadata,
            rotation_interval_days,
            rotation_webhook_url,
            json,
        } => {
            // fiskaly needs a kind; test unless --live, like the other providers' default.
            let environment = match (live, kind) {
                (true, _) => Some(Environment::Live),
                (false, ProviderKind::Fiskaly) => Some(Environment::Test),
                (false, _) => None,
            };
            let draft = KeyDraft {
                name,
                scopes,
                environment,
                expires_in_days,
                metadata: metadata.into_iter().collect::<BTreeMap<_, _>>(),
                kind: None,
                rotation_interval_days,
                rotation_webhook_url,
            };
            match provider.create_key(&draft).await? {
                CreateOutcome::Created(created) => output::print_created(kind, &created, json),
                CreateOutcome::Orphaned { key } => {
                    output::print_orphan(key.as_ref(), json);
                    return Ok(ExitCode::from(1));
                }
            }
        }
        Command::Revoke { id, json } => {
            let key = provider.revoke_key(&id).await?;
            match key {
                Some(key) => output::print_key(kind, &key, json),
                None if json => println!("{}", serde_json::json!({"id": id, "status": "revoked"})),
                None => println!("Revoked {}.", output::escaped(&id)),
            }
        }
        Command::Delete { id } => {
            provider.delete_key(&id).await?;
            println!("Deleted {}.", output::escaped(&id));
        }
        Command::Enable { id, json } => {
            let key = provider.set_key_enabled(&id, true).await?;
            output::print_key(kind, &key, json);
        }
        Command::Disable { id, json } => {
            let key = provider.set_key_enabled(&id, false).await?;
            output::print_key(kind, &key, json);
        }
        Command::Rotate {
            id,
            grace_minutes,
            json,
        } => {
            let created = provider.rotate_key(&id, grace_minutes).await?;
            output::print_created(kind, &created, json);
        }
        Command::Replace {
            id,
            grace_minutes,
            keep_old,
            json,
        } => {
            // A one-shot command cannot revoke later: no `revoke_after_minutes` here.
            let options = ReplaceOptions {
                grace_minutes,
                keep_old,
                ..ReplaceOptions::default()
            };
            let replaced = replace::replace(provider, &id, options).await?;
            match replaced.outcome {
                CreateOutcome::Created(created) => output::print_created(kind, &created, json),
                CreateOutcome::Orphaned { key } => {
                    output::print_orphan(key.as_ref(), json);
                    return Ok(ExitCode::from(1));
                }
            }
            if let Some(error) = replaced.retire_error {
                eprintln!("The new key was created, but the old key was not retired:");
                return Ok(report(&error));
            }
        }
        Command::Attention { json, fail_on } => {
            let keys = provider.list_keys(None).await?;
            let connections = [ConnectionInventory {
                connection_id: kind.as_str(),
                provider: kind,
                keys: &keys,
                changes: &[],
                annotations: None,
                orphans: &[],
            }];
            let findings = attention(&AttentionInput {
                connections: &connections,
                dismissals: &[],
                now: Utc::now(),
                config: AttentionConfig::default(),
            });
            output::print_findings(&findings, json);
            if let Some(threshold) = fail_on {
                if findings.iter().any(|finding| finding.severity >= threshold) {
                    return Ok(ExitCode::from(FINDINGS_EXIT_CODE));
                }
            }
        }
        Command::FindLeaked { json } => {
            let pasted = read_pasted()?;
            let fingerprint = LeakFingerprint::parse(&pasted)?;
            let keys = provider.list_keys(None).await?;
            let result = find_leaked(&fingerprint, &[((), keys.as_slice())]);
            let matches: Vec<_> = result.matches.into_iter().map(|found| found.key).collect();
            let blind = !result.blind.is_empty();
            output::print_leak(
                kind,
                fingerprint.masked(),
                &matches,
                result.ambiguous,
                blind,
                json,
            );
        }
        // Answered in `run`, before any connection is made.
        Command::Connections { .. } | Command::Inventory { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn exit_codes_follow_the_error_kind() {
        let validation = Error::Validation {
            field: "name".into(),
            message: "m".into(),
        };
        assert_eq!(exit_code(&validation), 2);
        let network = Error::Network {
            message: "m".into(),
        };
        assert_eq!(exit_code(&network), 1);
        let unauthorized = Error::Api {
            kind: ErrorKind::Unauthorized,
            status: Some(401),
            message: "m".into(),
            request_id: None,
            field: None,
            retry_after: None,
        };
        assert_eq!(exit_code(&unauthorized), 3);
    }

    #[test]
    fn metadata_needs_an_equals_sign() {
        assert_eq!(
            parse_metadata("team=payments").unwrap(),
            ("team".into(), "payments".into())
        );
        assert_eq!(parse_metadata("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert!(parse_metadata("team").is_err());
    }
}
