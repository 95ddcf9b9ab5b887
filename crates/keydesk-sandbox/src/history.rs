//! The demo's past: what a key console looking at the demo orgs saw at its last look, 30
//! hours before the seeding, and the one create whose answer it lost. A console given this
//! history shows, on its very first run, the findings that need an earlier look: keys made
//! since then outside it (three of them, one a rotation done in Strait's dashboard), a
//! fiskaly key deleted by someone else since, and an orphaned create.
//!
//! It is written once, with the demo seed, into the `meta` table; [`DemoHistory::read`]
//! answers it for the database's lifetime.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::SandboxError;
use crate::config::Dialect;
use crate::credentials::{FISKALY_DEFAULT_ORG, OLIGON_DEFAULT_ORG, STRAIT_DEFAULT_PROJECT};
use crate::db::{Db, SYNCGRAM_DEFAULT_ORG};
use crate::time::{HOUR_MS, rfc3339_z};

/// How long before the seeding the last look happened.
const LAST_LOOK_AGO_MS: i64 = 30 * HOUR_MS;

/// The demo's past, per API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoHistory {
    /// When the last look happened (RFC 3339, UTC).
    pub last_look_at: String,
    /// What each API's default org or project listed then.
    pub apis: Vec<ApiHistory>,
}

/// One API's part of the demo's past.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiHistory {
    /// The API.
    pub dialect: Dialect,
    /// The keys its list showed at the last look.
    pub listed: Vec<LookedKey>,
    /// Keys made by a create whose answer never arrived.
    pub orphaned: Vec<OrphanedCreate>,
}

/// A key as the last look saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookedKey {
    /// The API's id for it.
    pub id: String,
    /// Its name then.
    pub name: String,
    /// Whether it was revoked then.
    pub revoked: bool,
}

/// A create whose answer was lost: the key exists, its secret was never seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrphanedCreate {
    /// The key it made.
    pub key_id: String,
    /// The key's name.
    pub key_name: String,
    /// When the create was sent (RFC 3339, UTC).
    pub at: String,
}

/// The fiskaly key the last look listed and someone deleted since.
const DELETED_FISKALY_KEY: (&str, &str) =
    ("5b0c1e62-3f7d-4d7a-9a41-2d8e6c1f0b93", "pos-cologne-01");

impl DemoHistory {
    /// The history of the demo just seeded at `now` (milliseconds), whose orphaned create is
    /// the Oligon key named `orphan_name`.
    pub(crate) fn of_seed(
        tx: &Transaction<'_>,
        now: i64,
        orphan_name: &str,
    ) -> rusqlite::Result<Self> {
        let last_look = now - LAST_LOOK_AGO_MS;
        let listed = |table: &str, owner: &str, org: &str| -> rusqlite::Result<Vec<LookedKey>> {
            // fiskaly keys are disabled or deleted, never revoked.
            let revoked = if table == "fiskaly_keys" {
                "0"
            } else {
                "revoked_at IS NOT NULL AND revoked_at < ?2"
            };
            let mut statement = tx.prepare(&format!(
                "SELECT id, name, {revoked} FROM {table}
                 WHERE {owner} = ?1 AND created_at < ?2 ORDER BY created_at"
            ))?;
            let rows = statement.query_map(params![org, last_look], |row| {
                Ok(LookedKey {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    revoked: row.get(2)?,
                })
            })?;
            rows.collect()
        };
        let orphan: Option<(String, i64)> = tx
            .query_row(
                "SELECT id, created_at FROM oligon_keys WHERE org = ?1 AND name = ?2",
                params![OLIGON_DEFAULT_ORG, orphan_name],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let mut fiskaly = listed("fiskaly_keys", "org", FISKALY_DEFAULT_ORG)?;
        let (id, name) = DELETED_FISKALY_KEY;
        fiskaly.push(LookedKey {
            id: id.to_owned(),
            name: name.to_owned(),
            revoked: false,
        });
        let without_orphans = |dialect, listed| ApiHistory {
            dialect,
            listed,
            orphaned: Vec::new(),
        };
        Ok(DemoHistory {
            last_look_at: rfc3339_z(last_look),
            apis: vec![
                ApiHistory {
                    dialect: Dialect::Oligon,
                    listed: listed("oligon_keys", "org", OLIGON_DEFAULT_ORG)?,
                    orphaned: orphan
                        .map(|(key_id, created_at)| OrphanedCreate {
                            key_id,
                            key_name: orphan_name.to_owned(),
                            at: rfc3339_z(created_at),
                        })
                        .into_iter()
                        .collect(),
                },
                without_orphans(Dialect::Fiskaly, fiskaly),
                without_orphans(
                    Dialect::Syncgram,
                    listed("syncgram_keys", "org", SYNCGRAM_DEFAULT_ORG)?,
                ),
                without_orphans(
                    Dialect::Strait,
                    listed("strait_keys", "project_id", STRAIT_DEFAULT_PROJECT)?,
                ),
            ],
        })
    }

    /// Writes this history into the database's `meta` table.
    pub(crate) fn store(&self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        let text = serde_json::to_string(self)
            .map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (name, value) VALUES ('demo_history', ?1)",
            params![text],
        )?;
        Ok(())
    }

    /// The history stored with the demo seed; `None` for any other database.
    pub(crate) fn read(db: &Db) -> Result<Option<Self>, SandboxError> {
        let text: Option<String> = db
            .with(|conn| {
                Ok(conn
                    .query_row(
                        "SELECT value FROM meta WHERE name = 'demo_history'",
                        [],
                        |row| row.get(0),
                    )
                    .optional()?)
            })
            .map_err(|failure| SandboxError::InvalidConfig(failure.message))?;
        Ok(text.and_then(|text| serde_json::from_str(&text).ok()))
    }
}
