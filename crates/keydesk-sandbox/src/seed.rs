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
use crate::secrets;
use crate::time::{DAY_MS, MINUTE_MS, now_ms};

/// The second SyncgramPay org of the demo: payments not enabled yet, so test keys only.
pub(crate) const SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS: &str = "org_globex";

const HOUR_MS: i64 = 60 * MINUTE_MS;

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

struct OligonSeed {
    name: &'static str,
    live: bool,
    scopes: &'static [&'static str],
    created_days_ago: i64,
    used: Option<(i64, &'static str)>,
    revoked_ago: Option<i64>,
    expires_in: Option<i64>,
}

fn demo_oligon(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<()> {
    let keys = [
        OligonSeed {
            name: "Legacy importer",
            live: true,
            scopes: &["extract:write", "admin:write"],
            created_days_ago: 410,
            used: Some((190 * DAY_MS, "198.51.100.9")),
            revoked_ago: None,
            expires_in: None,
        },
        OligonSeed {
            name: "Old production key",
            live: true,
            scopes: &["extract:read", "extract:write"],
            created_days_ago: 380,
            used: Some((301 * DAY_MS, "203.0.113.5")),
            revoked_ago: Some(300 * DAY_MS),
            expires_in: None,
        },
        OligonSeed {
            name: "Mobile app backend",
            live: true,
            scopes: &["extract:read"],
            created_days_ago: 200,
            used: Some((45 * DAY_MS, "203.0.113.77")),
            revoked_ago: None,
            expires_in: None,
        },
        OligonSeed {
            name: "Partner integration (Acme Freight)",
            live: true,
            scopes: &["extract:read"],
            created_days_ago: 150,
            used: Some((21 * DAY_MS, "192.0.2.201")),
            revoked_ago: Some(20 * DAY_MS),
            expires_in: None,
        },
        OligonSeed {
            name: "Production server",
            live: true,
            scopes: &["extract:read", "extract:write"],
            created_days_ago: 120,
            used: Some((3 * MINUTE_MS, "203.0.113.5")),
            revoked_ago: None,
            expires_in: None,
        },
        OligonSeed {
            name: "Production worker (eu-west)",
            live: true,
            scopes: &["extract:write"],
            created_days_ago: 95,
            used: Some((12 * MINUTE_MS, "198.51.100.23")),
            revoked_ago: None,
            expires_in: None,
        },
        OligonSeed {
            name: "Admin automation",
            live: true,
            scopes: &["admin:write"],
            created_days_ago: 75,
            used: Some((6 * DAY_MS, "192.0.2.10")),
            revoked_ago: None,
            expires_in: None,
        },
        OligonSeed {
            name: "Analytics dashboard",
            live: true,
            scopes: &["analytics:read"],
            created_days_ago: 60,
            used: Some((2 * DAY_MS, "192.0.2.44")),
            revoked_ago: None,
            expires_in: None,
        },
        OligonSeed {
            name: "Q3 load test",
            live: false,
            scopes: &["extract:write"],
            created_days_ago: 55,
            used: Some((40 * DAY_MS, "198.51.100.200")),
            revoked_ago: None,
            expires_in: Some(-10 * DAY_MS),
        },
        OligonSeed {
            name: "Staging",
            live: false,
            scopes: &["extract:read", "extract:write"],
            created_days_ago: 30,
            used: Some((HOUR_MS, "198.51.100.61")),
            revoked_ago: None,
            expires_in: None,
        },
        OligonSeed {
            name: "CI pipeline",
            live: false,
            scopes: &["extract:read"],
            created_days_ago: 14,
            used: Some((20 * MINUTE_MS, "192.0.2.10")),
            revoked_ago: None,
            expires_in: None,
        },
        OligonSeed {
            name: "Contractor access",
            live: true,
            scopes: &["extract:read"],
            created_days_ago: 9,
            used: Some((DAY_MS, "203.0.113.140")),
            revoked_ago: None,
            expires_in: Some(5 * DAY_MS),
        },
        OligonSeed {
            name: "Local dev – Maria",
            live: false,
            scopes: &[],
            created_days_ago: 3,
            used: None,
            revoked_ago: None,
            expires_in: None,
        },
        OligonSeed {
            name: "Backup exporter",
            live: true,
            scopes: &["analytics:read"],
            created_days_ago: 1,
            used: None,
            revoked_ago: None,
            expires_in: None,
        },
        OligonSeed {
            name: "Leaked in support ticket #4821",
            live: true,
            scopes: &["extract:read", "extract:write"],
            created_days_ago: 40,
            used: Some((3 * HOUR_MS, "198.51.100.77")),
            revoked_ago: Some(2 * HOUR_MS),
            expires_in: None,
        },
    ];
    for key in keys {
        let created_at = ago(now, key.created_days_ago * DAY_MS);
        tx.execute(
            "INSERT INTO oligon_keys (id, org, name, scopes, is_live, key_hash, last4, created_at,
             revoked_at, expires_at, last_used_at, last_used_ip)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                secrets::ulid(created_at),
                OLIGON_DEFAULT_ORG,
                key.name,
                json!(key.scopes).to_string(),
                key.live,
                unusable_hash(),
                secrets::random_base62(4),
                created_at,
                key.revoked_ago.map(|ms| ago(now, ms)),
                key.expires_in.map(|ms| now + ms),
                key.used.map(|(ms, _)| ago(now, ms)),
                key.used.map(|(_, ip)| ip),
            ],
        )?;
    }
    Ok(())
}

/// (name, kind, status, created days ago, last used ago, metadata).
type FiskalySeed = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<i64>,
    serde_json::Value,
);

fn demo_fiskaly(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<()> {
    let keys: [FiskalySeed; 15] = [
        (
            "pos-berlin-01",
            "live",
            "enabled",
            400,
            Some(2 * MINUTE_MS),
            json!({"store": "berlin-mitte", "terminal": "01"}),
        ),
        (
            "pos-berlin-02",
            "live",
            "enabled",
            400,
            Some(9 * MINUTE_MS),
            json!({"store": "berlin-mitte", "terminal": "02"}),
        ),
        (
            "pos-hamburg-01",
            "live",
            "enabled",
            310,
            Some(HOUR_MS),
            json!({"store": "hamburg-altona"}),
        ),
        (
            "pos-munich-01",
            "live",
            "disabled",
            290,
            Some(62 * DAY_MS),
            json!({"store": "munich-schwabing", "note": "store closed"}),
        ),
        (
            "webshop-checkout",
            "live",
            "enabled",
            250,
            Some(30 * MINUTE_MS),
            json!({"team": "ecommerce"}),
        ),
        (
            "kassensystem-legacy",
            "live",
            "disabled",
            700,
            Some(160 * DAY_MS),
            json!({}),
        ),
        (
            "inventory-sync",
            "live",
            "enabled",
            180,
            Some(3 * DAY_MS),
            json!({"team": "ops"}),
        ),
        (
            "accounting-export",
            "live",
            "enabled",
            120,
            Some(28 * DAY_MS),
            json!({"team": "finance"}),
        ),
        (
            "old-terminal-07",
            "live",
            "disabled",
            500,
            Some(300 * DAY_MS),
            json!({"replaced_by": "pos-berlin-02"}),
        ),
        (
            "test-integration",
            "test",
            "enabled",
            90,
            Some(4 * HOUR_MS),
            json!({"env": "staging"}),
        ),
        (
            "ci-runner",
            "test",
            "enabled",
            60,
            Some(25 * MINUTE_MS),
            json!({"team": "platform"}),
        ),
        (
            "load-test-2026",
            "test",
            "disabled",
            45,
            Some(40 * DAY_MS),
            json!({}),
        ),
        (
            "dev-maria",
            "test",
            "enabled",
            7,
            None,
            json!({"owner": "maria"}),
        ),
        (
            "dev-jonas",
            "test",
            "enabled",
            2,
            None,
            json!({"owner": "jonas"}),
        ),
        (
            "fiscal-audit-tool",
            "live",
            "enabled",
            1,
            None,
            json!({"requested_by": "tax advisor"}),
        ),
    ];
    for (name, kind, status, created_days_ago, used_ago, metadata) in keys {
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
                ago(now, created_days_ago * DAY_MS),
                DEFAULT_USER,
                used_ago.map(|ms| ago(now, ms)),
            ],
        )?;
    }
    Ok(())
}

/// (org, name, env, created days ago, lifetime in days, revoked ago, last used ago).
type SyncgramSeed = (
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
    let keys: [SyncgramSeed; 15] = [
        (
            SYNCGRAM_DEFAULT_ORG,
            "Launch key",
            "test",
            420,
            None,
            Some(400 * DAY_MS),
            Some(401 * DAY_MS),
        ),
        (
            SYNCGRAM_DEFAULT_ORG,
            "First live key",
            "live",
            400,
            Some(365),
            None,
            Some(40 * DAY_MS),
        ),
        (
            SYNCGRAM_DEFAULT_ORG,
            "Production key 2025",
            "live",
            300,
            None,
            Some(200 * DAY_MS),
            Some(200 * DAY_MS),
        ),
        (
            SYNCGRAM_DEFAULT_ORG,
            "Rotated after audit",
            "live",
            200,
            None,
            Some(150 * DAY_MS),
            Some(151 * DAY_MS),
        ),
        (
            SYNCGRAM_DEFAULT_ORG,
            "Black Friday",
            "live",
            150,
            Some(30),
            None,
            Some(125 * DAY_MS),
        ),
        (
            SYNCGRAM_DEFAULT_ORG,
            "Contractor (Q1)",
            "live",
            130,
            None,
            Some(100 * DAY_MS),
            None,
        ),
        (
            SYNCGRAM_DEFAULT_ORG,
            "Leaked in logs",
            "live",
            100,
            None,
            Some(60 * DAY_MS),
            Some(60 * DAY_MS),
        ),
        (
            SYNCGRAM_DEFAULT_ORG,
            "Checkout v2",
            "live",
            60,
            None,
            Some(20 * DAY_MS),
            Some(20 * DAY_MS),
        ),
        (
            SYNCGRAM_DEFAULT_ORG,
            "Staging smoke test",
            "test",
            40,
            Some(7),
            None,
            Some(35 * DAY_MS),
        ),
        (
            SYNCGRAM_DEFAULT_ORG,
            "Never used test key",
            "test",
            25,
            None,
            Some(21 * DAY_MS),
            None,
        ),
        (
            SYNCGRAM_DEFAULT_ORG,
            "Production key",
            "live",
            20,
            Some(365),
            None,
            Some(5 * MINUTE_MS),
        ),
        (
            SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS,
            "Prototype",
            "test",
            90,
            None,
            Some(30 * DAY_MS),
            Some(31 * DAY_MS),
        ),
        (
            SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS,
            "Hackathon",
            "test",
            50,
            Some(3),
            None,
            Some(48 * DAY_MS),
        ),
        (
            SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS,
            "Integration tests",
            "test",
            29,
            None,
            Some(2 * DAY_MS),
            Some(2 * DAY_MS),
        ),
        (
            SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS,
            "Sandbox checkout",
            "test",
            2,
            None,
            None,
            None,
        ),
    ];
    for (org, name, env, created_days_ago, lifetime_days, revoked_ago, used_ago) in keys {
        let created_at = ago(now, created_days_ago * DAY_MS);
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
                lifetime_days.map(|days| created_at + days * DAY_MS),
                revoked_ago.map(|ms| ago(now, ms)),
                used_ago.map(|ms| ago(now, ms)),
            ],
        )?;
    }
    Ok(())
}

/// One seeded Strait key.
struct StraitSeed {
    name: &'static str,
    scopes: &'static [&'static str],
    environment: &'static str,
    created_ago: i64,
    expires_in: Option<i64>,
    used_ago: Option<i64>,
    revoked_ago: Option<i64>,
    rotation_days: Option<i64>,
}

impl StraitSeed {
    fn insert(&self, tx: &Transaction<'_>, now: i64) -> rusqlite::Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let created_at = ago(now, self.created_ago);
        let webhook = self
            .rotation_days
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
                self.expires_in.map(|ms| now + ms),
                self.revoked_ago.map(|ms| ago(now, ms)),
                self.used_ago.map(|ms| ago(now, ms)),
                self.rotation_days,
                self.rotation_days.map(|days| created_at + days * DAY_MS),
                webhook,
                webhook.map(|_| unusable_hash()),
            ],
        )?;
        Ok(id)
    }
}

fn demo_strait(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<()> {
    let plain = |name, scopes, environment, created_days: i64, used_ago| StraitSeed {
        name,
        scopes,
        environment,
        created_ago: created_days * DAY_MS,
        expires_in: None,
        used_ago,
        revoked_ago: None,
        rotation_days: None,
    };
    let keys = [
        StraitSeed {
            revoked_ago: Some(200 * DAY_MS),
            ..plain(
                "Bootstrap admin",
                &["admin"],
                "env_prod",
                500,
                Some(201 * DAY_MS),
            )
        },
        plain(
            "Billing worker",
            &["billing:read", "billing:write"],
            "env_prod",
            240,
            Some(4 * MINUTE_MS),
        ),
        plain(
            "Search indexer",
            &["search:write"],
            "env_prod",
            180,
            Some(2 * HOUR_MS),
        ),
        StraitSeed {
            expires_in: Some(6 * DAY_MS),
            ..plain(
                "Partner API (Globex)",
                &["orders:read"],
                "env_prod",
                359,
                Some(3 * DAY_MS),
            )
        },
        StraitSeed {
            expires_in: Some(-12 * DAY_MS),
            ..plain(
                "Summer campaign",
                &["orders:read"],
                "env_prod",
                102,
                Some(15 * DAY_MS),
            )
        },
        StraitSeed {
            revoked_ago: Some(9 * DAY_MS),
            ..plain(
                "Leaked CI token",
                &["deploy"],
                "env_staging",
                70,
                Some(9 * DAY_MS),
            )
        },
        StraitSeed {
            rotation_days: Some(90),
            ..plain(
                "Payments gateway",
                &["payments:write"],
                "env_prod",
                80,
                Some(MINUTE_MS),
            )
        },
        plain(
            "Staging e2e",
            &["orders:read", "orders:write"],
            "env_staging",
            45,
            Some(26 * DAY_MS),
        ),
        plain(
            "Reporting (read only)",
            &["reports:read"],
            "env_prod",
            130,
            Some(95 * DAY_MS),
        ),
        StraitSeed {
            expires_in: Some(20 * DAY_MS),
            ..plain("Temporary migration", &["admin"], "env_prod", 10, None)
        },
        plain("Mobile app", &["orders:read"], "env_prod", 5, None),
        plain(
            "Local dev",
            &["orders:read", "orders:write"],
            "env_dev",
            1,
            Some(30 * MINUTE_MS),
        ),
    ];
    for key in &keys {
        key.insert(tx, now)?;
    }
    // A rotation in progress: the old key still works for 40 more minutes.
    rotation(
        tx,
        now,
        "Webhook signer",
        150,
        20 * MINUTE_MS,
        40 * MINUTE_MS,
    )?;
    // A finished rotation: the old key's grace ended 30 days ago.
    rotation(tx, now, "Warehouse sync", 300, 31 * DAY_MS, -30 * DAY_MS)?;
    Ok(())
}

/// An old key rotated `rotated_ago` into "<name> (rotated)", with grace ending `grace_in` from now.
fn rotation(
    tx: &Transaction<'_>,
    now: i64,
    name: &'static str,
    created_days: i64,
    rotated_ago: i64,
    grace_in: i64,
) -> rusqlite::Result<()> {
    let old = StraitSeed {
        name,
        scopes: &["events:write"],
        environment: "env_prod",
        created_ago: created_days * DAY_MS,
        expires_in: None,
        used_ago: Some(rotated_ago.min(25 * MINUTE_MS).max(rotated_ago / 2)),
        revoked_ago: None,
        rotation_days: None,
    }
    .insert(tx, now)?;
    let rotated_name: &'static str = if grace_in > 0 {
        "Webhook signer (rotated)"
    } else {
        "Warehouse sync (rotated)"
    };
    let new = StraitSeed {
        name: rotated_name,
        scopes: &["events:write"],
        environment: "env_prod",
        created_ago: rotated_ago,
        expires_in: None,
        used_ago: Some(rotated_ago / 4),
        revoked_ago: None,
        rotation_days: None,
    }
    .insert(tx, now)?;
    tx.execute(
        "UPDATE strait_keys SET replaced_by_key_id = ?1, grace_expires_at = ?2 WHERE id = ?3",
        params![new, now + grace_in, old],
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
