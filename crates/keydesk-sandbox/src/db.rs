//! SQLite storage: one connection behind a mutex, used only from blocking threads.

use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension as _, Params, Row, params};

use crate::config::Storage;
use crate::failure::Failure;
use crate::{SandboxError, secrets};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    api TEXT NOT NULL, org TEXT NOT NULL, actor TEXT NOT NULL,
    action TEXT NOT NULL, key_id TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS oligon_keys (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE, org TEXT NOT NULL, name TEXT NOT NULL, scopes TEXT NOT NULL,
    is_live INTEGER NOT NULL, key_hash BLOB NOT NULL UNIQUE, last4 TEXT NOT NULL,
    created_at INTEGER NOT NULL, revoked_at INTEGER, expires_at INTEGER,
    last_used_at INTEGER, last_used_ip TEXT);
CREATE INDEX IF NOT EXISTS oligon_keys_by_org ON oligon_keys (org, created_at);
CREATE TABLE IF NOT EXISTS fiskaly_keys (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE, org TEXT NOT NULL, name TEXT NOT NULL,
    api_key TEXT NOT NULL UNIQUE, secret_hash BLOB NOT NULL, kind TEXT NOT NULL,
    status TEXT NOT NULL, metadata TEXT NOT NULL, created_at INTEGER NOT NULL,
    created_by_user TEXT NOT NULL, last_used_at INTEGER,
    UNIQUE (org, name));
CREATE INDEX IF NOT EXISTS fiskaly_keys_by_org ON fiskaly_keys (org, created_at);
CREATE TABLE IF NOT EXISTS fiskaly_managers (
    api_key TEXT PRIMARY KEY, org TEXT NOT NULL, secret_hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS syncgram_orgs (id TEXT PRIMARY KEY, payments_enabled INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS syncgram_keys (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE, org TEXT NOT NULL, name TEXT NOT NULL, env TEXT NOT NULL,
    key_hash BLOB NOT NULL UNIQUE, created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
    expires_at INTEGER, revoked_at INTEGER, last_used_at INTEGER);
CREATE INDEX IF NOT EXISTS syncgram_keys_by_org ON syncgram_keys (org, created_at);
CREATE TABLE IF NOT EXISTS strait_keys (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE, project_id TEXT NOT NULL, name TEXT NOT NULL,
    key_prefix TEXT NOT NULL, key_hash BLOB NOT NULL UNIQUE, scopes TEXT NOT NULL,
    environment_id TEXT, created_at INTEGER NOT NULL, expires_at INTEGER, revoked_at INTEGER,
    last_used_at INTEGER, replaced_by_key_id TEXT, grace_expires_at INTEGER,
    rotation_interval_days INTEGER, next_rotation_at INTEGER, rotation_webhook_url TEXT,
    webhook_secret_hash BLOB);
-- Lists and cursor pages go by creation time, newest first (until 2026-12-06 this index was
-- by seq, and every page sorted the whole project).
DROP INDEX IF EXISTS strait_keys_by_project;
CREATE INDEX IF NOT EXISTS strait_keys_by_project_created ON strait_keys (project_id, created_at);
"#;

/// Every row `sql` selects, read by `read`.
pub(crate) fn rows<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, Failure> {
    Ok(conn
        .prepare(sql)?
        .query_map(params, read)?
        .collect::<rusqlite::Result<_>>()?)
}

/// The one key row `sql` selects, or 404 "API key not found".
pub(crate) fn key_row<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<T, Failure> {
    conn.query_row(sql, params, read)
        .optional()?
        .ok_or_else(|| Failure::not_found("API key not found"))
}

/// One entry of the audit trail: `actor` did `action` to key `key_id` of `org` at `at`.
pub(crate) struct AuditEvent<'a> {
    /// "oligon", "fiskaly" or "syncgram".
    pub api: &'a str,
    pub org: &'a str,
    pub actor: &'a str,
    /// `api_key.revoked`, `api_key.deleted`, …
    pub action: &'a str,
    pub key_id: &'a str,
    pub at: i64,
}

/// Record `event` and make the `change` it describes in one transaction, so the trail never
/// names a change that did not happen nor misses one that did. The event goes in first;
/// a failed `change` takes it back.
pub(crate) fn with_audit<T>(
    conn: &mut Connection,
    event: &AuditEvent<'_>,
    change: impl FnOnce(&Connection) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let transaction = conn.transaction()?;
    transaction.execute(
        "INSERT INTO audit_events (api, org, actor, action, key_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![event.api, event.org, event.actor, event.action, event.key_id, event.at],
    )?;
    let answer = change(&transaction)?;
    transaction.commit()?;
    Ok(answer)
}

/// Revokes the key `id` of `scope` (an org or a project) in `table`, whose scope column is
/// `scope_column`. Idempotent: a second revoke keeps the first `revoked_at`. A key that is not
/// there (or is another scope's) is `not_found`, with the API's own words.
pub(crate) fn revoke_row(
    conn: &Connection,
    (table, scope_column): (&str, &str),
    id: &str,
    scope: &str,
    now: i64,
    not_found: &str,
) -> Result<(), Failure> {
    let changed = conn.execute(
        &format!(
            "UPDATE {table} SET revoked_at = COALESCE(revoked_at, ?1) WHERE id = ?2 AND {scope_column} = ?3"
        ),
        params![now, id, scope],
    )?;
    if changed == 0 {
        return Err(Failure::not_found(not_found));
    }
    Ok(())
}

/// The default organisation of SyncgramPay; it has payments enabled.
pub(crate) const SYNCGRAM_DEFAULT_ORG: &str = "org_acme";

/// The database, shared by all requests.
pub(crate) struct Db {
    conn: Mutex<Connection>,
}

impl Db {
    /// Open (or create) the database and make sure the schema and the signing secret exist.
    pub(crate) fn open(storage: &Storage) -> Result<Arc<Self>, SandboxError> {
        let conn = match storage {
            Storage::Memory => Connection::open_in_memory()?,
            Storage::File(path) => {
                private::prepare(path)?;
                let conn = Connection::open(path)?;
                // WAL lets the `token` CLI read and write while a server holds the file.
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                // SQLite gives new -wal/-shm files the database's mode; older ones are
                // tightened here.
                private::restrict_companions(path)?;
                conn
            }
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        conn.execute(
            "INSERT OR IGNORE INTO meta (name, value) VALUES ('jwt_secret', ?1)",
            params![secrets::random_hex(32)],
        )?;
        conn.execute(
            "INSERT OR IGNORE INTO syncgram_orgs (id, payments_enabled) VALUES (?1, 1)",
            params![SYNCGRAM_DEFAULT_ORG],
        )?;
        Ok(Arc::new(Self {
            conn: Mutex::new(conn),
        }))
    }

    /// Run `work` with the connection. Blocking: call from `spawn_blocking` or sync code.
    pub(crate) fn with<T>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let mut conn = self.conn.lock().map_err(|_| Failure::internal())?;
        work(&mut conn)
    }

    /// The HS256 signing secret (hex in the `meta` table).
    pub(crate) fn jwt_secret(&self) -> Result<Vec<u8>, SandboxError> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| SandboxError::InvalidConfig("database lock poisoned".into()))?;
        let value: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE name = 'jwt_secret'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        value
            .and_then(|hex_text| hex::decode(hex_text).ok())
            .ok_or_else(|| SandboxError::InvalidConfig("database has no signing secret".into()))
    }
}

/// The database holds the JWT signing secret: its folder (when the sandbox creates it) is
/// the owner's only (0700), and the database with its `-wal`, `-shm` and `-journal` files is
/// readable by the owner only (0600). An existing folder is left as it is: `--db demo.db`
/// may live in any directory.
pub(crate) mod private {
    use std::path::Path;

    const SUFFIXES: [&str; 3] = ["-wal", "-shm", "-journal"];

    /// Create the missing folders above `path` (0700) and the file itself (0600), or
    /// tighten an existing file to 0600.
    pub(crate) fn prepare(path: &Path) -> std::io::Result<()> {
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            create_folder(parent)?;
        }
        create_file(path)
    }

    /// Create `folder` and its missing parents, each only the owner's (0700); an existing
    /// folder is left as it is.
    #[cfg(unix)]
    pub(crate) fn create_folder(folder: &Path) -> std::io::Result<()> {
        use std::os::unix::fs::DirBuilderExt as _;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder)
    }

    #[cfg(unix)]
    fn create_file(path: &Path) -> std::io::Result<()> {
        use std::os::unix::fs::OpenOptionsExt as _;
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)?;
        restrict(path)
    }

    /// Tighten the database's companion files that exist to 0600.
    #[cfg(unix)]
    pub(crate) fn restrict_companions(path: &Path) -> std::io::Result<()> {
        for suffix in SUFFIXES {
            let mut companion = path.as_os_str().to_owned();
            companion.push(suffix);
            let companion = Path::new(&companion);
            if companion.exists() {
                restrict(companion)?;
            }
        }
        Ok(())
    }

    #[cfg(unix)]
    fn restrict(path: &Path) -> std::io::Result<()> {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
    }

    /// Elsewhere folders and files are created as usual; the user's profile is private.
    #[cfg(not(unix))]
    pub(crate) fn create_folder(folder: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(folder)
    }

    #[cfg(not(unix))]
    fn create_file(_path: &Path) -> std::io::Result<()> {
        Ok(())
    }

    #[cfg(not(unix))]
    pub(crate) fn restrict_companions(_path: &Path) -> std::io::Result<()> {
        let _ = SUFFIXES;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit_rows(conn: &Connection) -> i64 {
        conn.query_row("SELECT COUNT(*) FROM audit_events", [], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn an_audited_change_and_its_event_happen_together_or_not_at_all() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        let event = AuditEvent {
            api: "oligon",
            org: "org_1",
            actor: "user_1",
            action: "api_key.revoked",
            key_id: "key_1",
            at: 1,
        };
        let refused: Result<(), Failure> = with_audit(&mut conn, &event, |_| {
            Err(Failure::not_found("API key not found"))
        });
        assert_eq!(refused.unwrap_err().code, "not_found");
        assert_eq!(audit_rows(&conn), 0);
        let answer = with_audit(&mut conn, &event, |_| Ok("done")).unwrap();
        assert_eq!(answer, "done");
        let (action, key_id): (String, String) = conn
            .query_row("SELECT action, key_id FROM audit_events", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .unwrap();
        assert_eq!(
            (action.as_str(), key_id.as_str()),
            ("api_key.revoked", "key_1")
        );
    }
}
