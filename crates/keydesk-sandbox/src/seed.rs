//! Seed data: `demo` (per API a realistic org whose first screen tells a story) and `bulk:N`
//! (N plain keys per API for benchmarks). A database is seeded once; restarts keep its data.

use std::sync::Arc;

use rusqlite::{Transaction, params};
use serde_json::json;

use crate::SandboxError;
use crate::config::Seed;
use crate::credentials::{
    DEFAULT_USER, FISKALY_DEFAULT_ORG, OLIGON_DEFAULT_ORG, STRAIT_DEFAULT_PROJECT,
};
use crate::db::{Db, SYNCGRAM_DEFAULT_ORG};
use crate::history::DemoHistory;
use crate::secrets;
use crate::time::{DAY_MS, HOUR_MS, MINUTE_MS, now_ms};

/// The Oligon key of the demo whose create lost its answer (see [`crate::history`]).
const DEMO_ORPHAN: &str = "Nightly export";

/// The second SyncgramPay org of the demo: payments not enabled yet, so test keys only.
pub(crate) const SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS: &str = "org_globex";

/// Load `seed` unless this database already has seed data.
pub(crate) fn apply(db: &Arc<Db>, seed: Seed) -> Result<(), SandboxError> {
    let label = match seed {
        Seed::Demo => "demo".to_owned(),
        Seed::Bulk { keys_per_api } => format!("bulk:{keys_per_api}"),
    };
    db.with(|conn| {
        let transaction = conn.transaction()?;
        let inserted = transaction.execute(
            "INSERT OR IGNORE INTO meta (name, value) VALUES ('seed', ?1)",
            params![label],
        )?;
        if inserted == 0 {
            return Ok(());
        }
        let now = now_ms();
        match seed {
            Seed::Demo => {
                demo_oligon(&transaction, now)?;
                demo_fiskaly(&transaction, now)?;
                demo_syncgram(&transaction, now)?;
                demo_strait(&transaction, now)?;
                DemoHistory::of_seed(&transaction, now, DEMO_ORPHAN)?.store(&transaction)?;
            }
            Seed::Bulk { keys_per_api } => bulk(&transaction, now, keys_per_api)?,
        }
        transaction.commit()?;
        Ok(())
    })
    .map_err(|failure| SandboxError::InvalidConfig(format!("seeding failed: {}", failure.message)))
}

/// A digest of a fresh random secret that nobody will ever see: seeded keys cannot be used,
/// exactly like keys whose secret was shown once and not kept.
fn unusable_hash() -> Vec<u8> {
    secrets::digest(&secrets::random_base62(32))
}

fn ago(now: i64, ms: i64) -> i64 {
    now - ms
}

/// A seeded Oligon key: name, live (or test), scopes, created, last use (ago, from IP),
/// revoked, expires; every time in milliseconds before (after, for the expiry) the seeding.
type OligonRow = (
    &'static str,
    bool,
    &'static [&'static str],
    i64,
    Option<(i64, &'static str)>,
    Option<i64>,
    Option<i64>,
);

fn demo_oligon(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<()> {
    const LIVE: bool = true;
    const TEST: bool = false;
    #[rustfmt::skip]
    let keys: &[OligonRow] = &[
        ("Legacy importer", LIVE, &["extract:write", "admin:write"], 410 * DAY_MS, Some((190 * DAY_MS, "198.51.100.9")), None, None),
        ("Old production key", LIVE, &["extract:read", "extract:write"], 380 * DAY_MS, Some((301 * DAY_MS, "203.0.113.5")), Some(300 * DAY_MS), None),
        ("Mobile app backend", LIVE, &["extract:read"], 200 * DAY_MS, Some((45 * DAY_MS, "203.0.113.77")), None, None),
        ("Partner integration (Acme Freight)", LIVE, &["extract:read"], 150 * DAY_MS, Some((21 * DAY_MS, "192.0.2.201")), Some(20 * DAY_MS), None),
        ("Production server", LIVE, &["extract:read", "extract:write"], 120 * DAY_MS, Some((3 * MINUTE_MS, "203.0.113.5")), None, None),
        ("Production worker (eu-west)", LIVE, &["extract:write"], 95 * DAY_MS, Some((12 * MINUTE_MS, "198.51.100.23")), None, None),
        ("Admin automation", LIVE, &["admin:write"], 75 * DAY_MS, Some((6 * DAY_MS, "192.0.2.10")), None, None),
        ("Analytics dashboard", LIVE, &["analytics:read"], 60 * DAY_MS, Some((2 * DAY_MS, "192.0.2.44")), None, None),
        ("Reporting export (never set up)", LIVE, &["analytics:read"], 40 * DAY_MS, None, None, None),
        ("Q3 load test", TEST, &["extract:write"], 55 * DAY_MS, Some((40 * DAY_MS, "198.51.100.200")), None, Some(-10 * DAY_MS)),
        ("Staging", TEST, &["extract:read", "extract:write"], 30 * DAY_MS, Some((HOUR_MS, "198.51.100.61")), None, None),
        ("CI pipeline", TEST, &["extract:read"], 14 * DAY_MS, Some((20 * MINUTE_MS, "192.0.2.10")), None, None),
        ("Contractor access", LIVE, &["extract:read"], 9 * DAY_MS, Some((DAY_MS, "203.0.113.140")), None, Some(5 * DAY_MS)),
        ("Local dev – Maria", TEST, &[], 3 * DAY_MS, None, None, None),
        ("Backup exporter", LIVE, &["analytics:read"], DAY_MS, None, None, None),
        (DEMO_ORPHAN, LIVE, &["extract:read"], 2 * DAY_MS, None, None, None),
        ("Leaked in support ticket #4821", LIVE, &["extract:read", "extract:write"], 40 * DAY_MS, Some((3 * HOUR_MS, "198.51.100.77")), Some(2 * HOUR_MS), None),
    ];
    for &(name, live, scopes, created_ago_ms, used, revoked_ago_ms, expires_in_ms) in keys {
        let created_at = ago(now, created_ago_ms);
        tx.execute(
            "INSERT INTO oligon_keys (id, org, name, scopes, is_live, key_hash, last4, created_at,
             revoked_at, expires_at, last_used_at, last_used_ip)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                secrets::ulid(created_at),
                OLIGON_DEFAULT_ORG,
                name,
                json!(scopes).to_string(),
                live,
                unusable_hash(),
                secrets::random_base62(4),
                created_at,
                revoked_ago_ms.map(|ms| ago(now, ms)),
                expires_in_ms.map(|ms| now + ms),
                used.map(|(ago_ms, _)| ago(now, ago_ms)),
                used.map(|(_, ip)| ip),
            ],
        )?;
    }
    Ok(())
}

/// A seeded fiskaly key: name, kind (`live` or `test`), status (`enabled` or `disabled`),
/// created, last used (milliseconds before the seeding), metadata.
type FiskalyRow = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<i64>,
    serde_json::Value,
);

fn demo_fiskaly(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<()> {
    #[rustfmt::skip]
    let keys: &[FiskalyRow] = &[
        ("pos-berlin-01", "live", "enabled", 400 * DAY_MS, Some(2 * MINUTE_MS), json!({"store": "berlin-mitte", "terminal": "01"})),
        ("pos-berlin-02", "live", "enabled", 400 * DAY_MS, Some(9 * MINUTE_MS), json!({"store": "berlin-mitte", "terminal": "02"})),
        ("pos-hamburg-01", "live", "enabled", 310 * DAY_MS, Some(HOUR_MS), json!({"store": "hamburg-altona"})),
        ("pos-munich-01", "live", "disabled", 290 * DAY_MS, Some(62 * DAY_MS), json!({"store": "munich-schwabing", "note": "store closed"})),
        ("webshop-checkout", "live", "enabled", 250 * DAY_MS, Some(30 * MINUTE_MS), json!({"team": "ecommerce"})),
        ("kassensystem-legacy", "live", "disabled", 700 * DAY_MS, Some(160 * DAY_MS), json!({})),
        ("inventory-sync", "live", "enabled", 180 * DAY_MS, Some(3 * DAY_MS), json!({"team": "ops"})),
        ("accounting-export", "live", "enabled", 120 * DAY_MS, Some(28 * DAY_MS), json!({"team": "finance"})),
        ("old-terminal-07", "live", "disabled", 500 * DAY_MS, Some(300 * DAY_MS), json!({"replaced_by": "pos-berlin-02"})),
        ("test-integration", "test", "enabled", 90 * DAY_MS, Some(4 * HOUR_MS), json!({"env": "staging"})),
        ("ci-runner", "test", "enabled", 60 * DAY_MS, Some(25 * MINUTE_MS), json!({"team": "platform"})),
        ("load-test-2026", "test", "disabled", 45 * DAY_MS, Some(40 * DAY_MS), json!({})),
        ("dev-maria", "test", "enabled", 7 * DAY_MS, None, json!({"owner": "maria"})),
        ("dev-jonas", "test", "enabled", 2 * DAY_MS, None, json!({"owner": "jonas"})),
        ("fiscal-audit-tool", "live", "enabled", DAY_MS, None, json!({"requested_by": "tax advisor"})),
    ];
    for (name, kind, status, created_ago_ms, used_ago_ms, metadata) in keys {
        tx.execute(
            "INSERT INTO fiskaly_keys (id, org, name, api_key, secret_hash, kind, status, metadata,
             created_at, created_by_user, last_used_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                uuid::Uuid::new_v4().to_string(),
                FISKALY_DEFAULT_ORG,
                name,
                format!("{kind}_{}", secrets::random_lower(26)),
                unusable_hash(),
                kind,
                status,
                metadata.to_string(),
                ago(now, *created_ago_ms),
                DEFAULT_USER,
                used_ago_ms.map(|ms| ago(now, ms)),
            ],
        )?;
    }
    Ok(())
}

/// A seeded SyncgramPay key: org, name, env (`live` or `test`), created, lifetime (from
/// creation to expiry), revoked, last used; every time in milliseconds.
type SyncgramRow = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

fn demo_syncgram(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO syncgram_orgs (id, payments_enabled) VALUES (?1, 0)",
        params![SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS],
    )?;
    #[rustfmt::skip]
    let keys: &[SyncgramRow] = &[
        (SYNCGRAM_DEFAULT_ORG, "Launch key", "test", 420 * DAY_MS, None, Some(400 * DAY_MS), Some(401 * DAY_MS)),
        (SYNCGRAM_DEFAULT_ORG, "First live key", "live", 400 * DAY_MS, Some(365 * DAY_MS), None, Some(40 * DAY_MS)),
        (SYNCGRAM_DEFAULT_ORG, "Production key 2025", "live", 300 * DAY_MS, None, Some(200 * DAY_MS), Some(200 * DAY_MS)),
        (SYNCGRAM_DEFAULT_ORG, "Rotated after audit", "live", 200 * DAY_MS, None, Some(150 * DAY_MS), Some(151 * DAY_MS)),
        (SYNCGRAM_DEFAULT_ORG, "Black Friday", "live", 150 * DAY_MS, Some(30 * DAY_MS), None, Some(125 * DAY_MS)),
        (SYNCGRAM_DEFAULT_ORG, "Contractor (Q1)", "live", 130 * DAY_MS, None, Some(100 * DAY_MS), None),
        (SYNCGRAM_DEFAULT_ORG, "Leaked in logs", "live", 100 * DAY_MS, None, Some(60 * DAY_MS), Some(60 * DAY_MS)),
        (SYNCGRAM_DEFAULT_ORG, "Checkout v2", "live", 60 * DAY_MS, None, Some(20 * DAY_MS), Some(20 * DAY_MS)),
        (SYNCGRAM_DEFAULT_ORG, "Staging smoke test", "test", 40 * DAY_MS, Some(7 * DAY_MS), None, Some(35 * DAY_MS)),
        (SYNCGRAM_DEFAULT_ORG, "Never used test key", "test", 25 * DAY_MS, None, Some(21 * DAY_MS), None),
        (SYNCGRAM_DEFAULT_ORG, "Production key", "live", 20 * DAY_MS, None, None, Some(5 * MINUTE_MS)),
        (SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS, "Prototype", "test", 90 * DAY_MS, None, Some(30 * DAY_MS), Some(31 * DAY_MS)),
        (SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS, "Hackathon", "test", 50 * DAY_MS, Some(3 * DAY_MS), None, Some(48 * DAY_MS)),
        (SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS, "Integration tests", "test", 29 * DAY_MS, None, Some(2 * DAY_MS), Some(2 * DAY_MS)),
        (SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS, "Sandbox checkout", "test", 2 * DAY_MS, None, None, None),
    ];
    for &(org, name, env, created_ago_ms, lifetime_ms, revoked_ago_ms, used_ago_ms) in keys {
        let created_at = ago(now, created_ago_ms);
        tx.execute(
            "INSERT INTO syncgram_keys (id, org, name, env, key_hash, created_by, created_at,
             expires_at, revoked_at, last_used_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                format!("key_{}", secrets::random_lower(20)),
                org,
                name,
                env,
                unusable_hash(),
                "user_seed",
                created_at,
                lifetime_ms.map(|ms| created_at + ms),
                revoked_ago_ms.map(|ms| ago(now, ms)),
                used_ago_ms.map(|ms| ago(now, ms)),
            ],
        )?;
    }
    Ok(())
}

/// One seeded Strait key; every time is in milliseconds before or after the seeding.
struct StraitSeed<'a> {
    name: &'a str,
    scopes: &'static [&'static str],
    environment: &'static str,
    created_ago_ms: i64,
    expires_in_ms: Option<i64>,
    used_ago_ms: Option<i64>,
    revoked_ago_ms: Option<i64>,
    /// Days, as the API takes it.
    rotation_interval_days: Option<i64>,
}

impl<'a> StraitSeed<'a> {
    /// A key without expiry, revocation or automatic rotation.
    fn new(
        name: &'a str,
        scopes: &'static [&'static str],
        environment: &'static str,
        created_ago_ms: i64,
        used_ago_ms: Option<i64>,
    ) -> Self {
        StraitSeed {
            name,
            scopes,
            environment,
            created_ago_ms,
            expires_in_ms: None,
            used_ago_ms,
            revoked_ago_ms: None,
            rotation_interval_days: None,
        }
    }

    fn revoked(self, ago_ms: i64) -> Self {
        StraitSeed {
            revoked_ago_ms: Some(ago_ms),
            ..self
        }
    }

    fn expires_in(self, ms: i64) -> Self {
        StraitSeed {
            expires_in_ms: Some(ms),
            ..self
        }
    }

    fn rotating_every(self, days: i64) -> Self {
        StraitSeed {
            rotation_interval_days: Some(days),
            ..self
        }
    }

    fn insert(&self, tx: &Transaction<'_>, now: i64) -> rusqlite::Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let created_at = ago(now, self.created_ago_ms);
        let webhook = self
            .rotation_interval_days
            .map(|_| "https://hooks.acme.example/strait-rotation");
        tx.execute(
            "INSERT INTO strait_keys (id, project_id, name, key_prefix, key_hash, scopes,
             environment_id, created_at, expires_at, revoked_at, last_used_at,
             rotation_interval_days, next_rotation_at, rotation_webhook_url, webhook_secret_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                id,
                STRAIT_DEFAULT_PROJECT,
                self.name,
                format!("strait_{}", &secrets::random_hex(3)[..5]),
                unusable_hash(),
                json!(self.scopes).to_string(),
                self.environment,
                created_at,
                self.expires_in_ms.map(|ms| now + ms),
                self.revoked_ago_ms.map(|ms| ago(now, ms)),
                self.used_ago_ms.map(|ms| ago(now, ms)),
                self.rotation_interval_days,
                self.rotation_interval_days
                    .map(|days| created_at + days * DAY_MS),
                webhook,
                webhook.map(|_| unusable_hash()),
            ],
        )?;
        Ok(id)
    }
}

fn demo_strait(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<()> {
    let key = StraitSeed::new;
    // One key a row: name, scopes, environment, created, last used; then what sets it apart.
    #[rustfmt::skip]
    let keys = [
        key("Bootstrap admin", &["admin"], "env_prod", 500 * DAY_MS, Some(201 * DAY_MS)).revoked(200 * DAY_MS),
        key("Billing worker", &["billing:read", "billing:write"], "env_prod", 240 * DAY_MS, Some(4 * MINUTE_MS)),
        key("Search indexer", &["search:write"], "env_prod", 180 * DAY_MS, Some(2 * HOUR_MS)),
        key("Partner API (Globex)", &["orders:read"], "env_prod", 359 * DAY_MS, Some(3 * DAY_MS)).expires_in(6 * DAY_MS),
        key("Summer campaign", &["orders:read"], "env_prod", 102 * DAY_MS, Some(15 * DAY_MS)).expires_in(-12 * DAY_MS),
        key("Leaked CI token", &["deploy"], "env_staging", 70 * DAY_MS, Some(9 * DAY_MS)).revoked(9 * DAY_MS),
        key("Payments gateway", &["payments:write"], "env_prod", 80 * DAY_MS, Some(MINUTE_MS)).rotating_every(90),
        key("Audit log shipper", &["audit:write"], "env_prod", 44 * DAY_MS, Some(10 * MINUTE_MS)).rotating_every(30),
        key("Staging e2e", &["orders:read", "orders:write"], "env_staging", 45 * DAY_MS, Some(26 * DAY_MS)),
        key("Reporting (read only)", &["reports:read"], "env_prod", 130 * DAY_MS, Some(95 * DAY_MS)),
        key("Temporary migration", &["admin"], "env_prod", 10 * DAY_MS, None).expires_in(20 * DAY_MS),
        key("Mobile app", &["orders:read"], "env_prod", 5 * DAY_MS, None),
        key("Local dev", &["orders:read", "orders:write"], "env_dev", DAY_MS, Some(30 * MINUTE_MS)),
    ];
    for key in &keys {
        key.insert(tx, now)?;
    }
    // A rotation in progress: the old key still works for 40 more minutes, and a client
    // still used it 5 minutes ago, after the rotation (grace_ending).
    rotation(
        tx,
        now,
        "Webhook signer",
        Rotated {
            created_ago_ms: 150 * DAY_MS,
            rotated_ago_ms: 20 * MINUTE_MS,
            grace_in_ms: 40 * MINUTE_MS,
            old_used_ago_ms: 5 * MINUTE_MS,
        },
    )?;
    // A finished rotation: the old key's grace ended 30 days ago.
    rotation(
        tx,
        now,
        "Warehouse sync",
        Rotated {
            created_ago_ms: 300 * DAY_MS,
            rotated_ago_ms: 31 * DAY_MS,
            grace_in_ms: -30 * DAY_MS,
            old_used_ago_ms: 31 * DAY_MS / 2,
        },
    )?;
    Ok(())
}

/// The times of a seeded rotation, in milliseconds before or after the seeding.
struct Rotated {
    /// When the old key was created.
    created_ago_ms: i64,
    /// When it was rotated (and so its successor created).
    rotated_ago_ms: i64,
    /// When the old key's grace ends (negative: it has ended).
    grace_in_ms: i64,
    /// When the old key was last used.
    old_used_ago_ms: i64,
}

/// An old key rotated into "<name> (rotated)" at the times of `times`.
fn rotation(tx: &Transaction<'_>, now: i64, name: &str, times: Rotated) -> rusqlite::Result<()> {
    let Rotated {
        created_ago_ms,
        rotated_ago_ms,
        grace_in_ms,
        old_used_ago_ms,
    } = times;
    let old = StraitSeed::new(
        name,
        &["events:write"],
        "env_prod",
        created_ago_ms,
        Some(old_used_ago_ms),
    )
    .insert(tx, now)?;
    let rotated_name = format!("{name} (rotated)");
    let new = StraitSeed::new(
        &rotated_name,
        &["events:write"],
        "env_prod",
        rotated_ago_ms,
        Some(rotated_ago_ms / 4),
    )
    .insert(tx, now)?;
    tx.execute(
        "UPDATE strait_keys SET replaced_by_key_id = ?1, grace_expires_at = ?2 WHERE id = ?3",
        params![new, now + grace_in_ms, old],
    )?;
    Ok(())
}

/// `count` plain active keys per API in the default org, in one transaction.
fn bulk(tx: &Transaction<'_>, now: i64, count: usize) -> rusqlite::Result<()> {
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    let mut oligon = tx.prepare(
        "INSERT INTO oligon_keys (id, org, name, scopes, is_live, key_hash, last4, created_at)
         VALUES (?1, ?2, ?3, '[\"extract:read\"]', ?4, ?5, ?6, ?7)",
    )?;
    let mut fiskaly = tx.prepare(
        "INSERT INTO fiskaly_keys (id, org, name, api_key, secret_hash, kind, status, metadata,
         created_at, created_by_user) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'enabled', '{}', ?7, ?8)",
    )?;
    let mut syncgram = tx.prepare(
        "INSERT INTO syncgram_keys (id, org, name, env, key_hash, created_by, created_at, revoked_at)
         VALUES (?1, ?2, ?3, 'live', ?4, 'user_seed', ?5, ?6)",
    )?;
    let mut strait = tx.prepare(
        "INSERT INTO strait_keys (id, project_id, name, key_prefix, key_hash, scopes, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, '[\"read\"]', ?6)",
    )?;
    for i in 0..count {
        // Oldest first, one second apart, so "newest first" lists have a clear order.
        let created_at = now - (count - i) * 1000;
        let live = i % 2 == 0;
        oligon.execute(params![
            secrets::ulid(created_at),
            OLIGON_DEFAULT_ORG,
            format!("Bulk key {i:05}"),
            live,
            unusable_hash(),
            secrets::random_base62(4),
            created_at
        ])?;
        let kind = if live { "live" } else { "test" };
        fiskaly.execute(params![
            uuid::Uuid::new_v4().to_string(),
            FISKALY_DEFAULT_ORG,
            format!("bulk-{i:05}"),
            format!("{kind}_{}", secrets::random_lower(26)),
            unusable_hash(),
            kind,
            created_at,
            DEFAULT_USER
        ])?;
        // SyncgramPay allows one active key per org: all but the newest are revoked.
        let revoked_at = (i + 1 < count).then_some(created_at + 500);
        syncgram.execute(params![
            format!("key_{}", secrets::random_lower(20)),
            SYNCGRAM_DEFAULT_ORG,
            format!("Bulk key {i:05}"),
            unusable_hash(),
            created_at,
            revoked_at
        ])?;
        strait.execute(params![
            uuid::Uuid::new_v4().to_string(),
            STRAIT_DEFAULT_PROJECT,
            format!("Bulk key {i:05}"),
            format!("strait_{}", &secrets::random_hex(3)[..5]),
            unusable_hash(),
            created_at
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Storage;

    #[test]
    fn a_seeded_rotation_names_the_new_key_after_the_old_one() {
        let db = Db::open(&Storage::Memory).unwrap();
        let names = db
            .with(|conn| {
                let transaction = conn.transaction()?;
                rotation(
                    &transaction,
                    now_ms(),
                    "Nightly export",
                    Rotated {
                        created_ago_ms: DAY_MS,
                        rotated_ago_ms: MINUTE_MS,
                        grace_in_ms: MINUTE_MS,
                        old_used_ago_ms: MINUTE_MS,
                    },
                )?;
                let names = crate::db::rows(
                    &transaction,
                    "SELECT name FROM strait_keys ORDER BY created_at",
                    [],
                    |row| row.get::<_, String>(0),
                )?;
                Ok(names)
            })
            .unwrap();
        assert_eq!(names, ["Nightly export", "Nightly export (rotated)"]);
    }
}
