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

/// The last use of a seeded key: how long ago, from where.
struct LastUse {
    ago_ms: i64,
    ip: &'static str,
}

/// One seeded Oligon key; every time is in milliseconds before or after the seeding.
struct OligonSeed {
    name: &'static str,
    live: bool,
    scopes: &'static [&'static str],
    created_ago_ms: i64,
    used: Option<LastUse>,
    revoked_ago_ms: Option<i64>,
    expires_in_ms: Option<i64>,
}

fn demo_oligon(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<()> {
    let keys = [
        OligonSeed {
            name: "Legacy importer",
            live: true,
            scopes: &["extract:write", "admin:write"],
            created_ago_ms: 410 * DAY_MS,
            used: Some(LastUse {
                ago_ms: 190 * DAY_MS,
                ip: "198.51.100.9",
            }),
            revoked_ago_ms: None,
            expires_in_ms: None,
        },
        OligonSeed {
            name: "Old production key",
            live: true,
            scopes: &["extract:read", "extract:write"],
            created_ago_ms: 380 * DAY_MS,
            used: Some(LastUse {
                ago_ms: 301 * DAY_MS,
                ip: "203.0.113.5",
            }),
            revoked_ago_ms: Some(300 * DAY_MS),
            expires_in_ms: None,
        },
        OligonSeed {
            name: "Mobile app backend",
            live: true,
            scopes: &["extract:read"],
            created_ago_ms: 200 * DAY_MS,
            used: Some(LastUse {
                ago_ms: 45 * DAY_MS,
                ip: "203.0.113.77",
            }),
            revoked_ago_ms: None,
            expires_in_ms: None,
        },
        OligonSeed {
            name: "Partner integration (Acme Freight)",
            live: true,
            scopes: &["extract:read"],
            created_ago_ms: 150 * DAY_MS,
            used: Some(LastUse {
                ago_ms: 21 * DAY_MS,
                ip: "192.0.2.201",
            }),
            revoked_ago_ms: Some(20 * DAY_MS),
            expires_in_ms: None,
        },
        OligonSeed {
            name: "Production server",
            live: true,
            scopes: &["extract:read", "extract:write"],
            created_ago_ms: 120 * DAY_MS,
            used: Some(LastUse {
                ago_ms: 3 * MINUTE_MS,
                ip: "203.0.113.5",
            }),
            revoked_ago_ms: None,
            expires_in_ms: None,
        },
        OligonSeed {
            name: "Production worker (eu-west)",
            live: true,
            scopes: &["extract:write"],
            created_ago_ms: 95 * DAY_MS,
            used: Some(LastUse {
                ago_ms: 12 * MINUTE_MS,
                ip: "198.51.100.23",
            }),
            revoked_ago_ms: None,
            expires_in_ms: None,
        },
        OligonSeed {
            name: "Admin automation",
            live: true,
            scopes: &["admin:write"],
            created_ago_ms: 75 * DAY_MS,
            used: Some(LastUse {
                ago_ms: 6 * DAY_MS,
                ip: "192.0.2.10",
            }),
            revoked_ago_ms: None,
            expires_in_ms: None,
        },
        OligonSeed {
            name: "Analytics dashboard",
            live: true,
            scopes: &["analytics:read"],
            created_ago_ms: 60 * DAY_MS,
            used: Some(LastUse {
                ago_ms: 2 * DAY_MS,
                ip: "192.0.2.44",
            }),
            revoked_ago_ms: None,
            expires_in_ms: None,
        },
        OligonSeed {
            name: "Reporting export (never set up)",
            live: true,
            scopes: &["analytics:read"],
            created_ago_ms: 40 * DAY_MS,
            used: None,
            revoked_ago_ms: None,
            expires_in_ms: None,
        },
        OligonSeed {
            name: "Q3 load test",
            live: false,
            scopes: &["extract:write"],
            created_ago_ms: 55 * DAY_MS,
            used: Some(LastUse {
                ago_ms: 40 * DAY_MS,
                ip: "198.51.100.200",
            }),
            revoked_ago_ms: None,
            expires_in_ms: Some(-10 * DAY_MS),
        },
        OligonSeed {
            name: "Staging",
            live: false,
            scopes: &["extract:read", "extract:write"],
            created_ago_ms: 30 * DAY_MS,
            used: Some(LastUse {
                ago_ms: HOUR_MS,
                ip: "198.51.100.61",
            }),
            revoked_ago_ms: None,
            expires_in_ms: None,
        },
        OligonSeed {
            name: "CI pipeline",
            live: false,
            scopes: &["extract:read"],
            created_ago_ms: 14 * DAY_MS,
            used: Some(LastUse {
                ago_ms: 20 * MINUTE_MS,
                ip: "192.0.2.10",
            }),
            revoked_ago_ms: None,
            expires_in_ms: None,
        },
        OligonSeed {
            name: "Contractor access",
            live: true,
            scopes: &["extract:read"],
            created_ago_ms: 9 * DAY_MS,
            used: Some(LastUse {
                ago_ms: DAY_MS,
                ip: "203.0.113.140",
            }),
            revoked_ago_ms: None,
            expires_in_ms: Some(5 * DAY_MS),
        },
        OligonSeed {
            name: "Local dev – Maria",
            live: false,
            scopes: &[],
            created_ago_ms: 3 * DAY_MS,
            used: None,
            revoked_ago_ms: None,
            expires_in_ms: None,
        },
        OligonSeed {
            name: "Backup exporter",
            live: true,
            scopes: &["analytics:read"],
            created_ago_ms: DAY_MS,
            used: None,
            revoked_ago_ms: None,
            expires_in_ms: None,
        },
        OligonSeed {
            name: "Leaked in support ticket #4821",
            live: true,
            scopes: &["extract:read", "extract:write"],
            created_ago_ms: 40 * DAY_MS,
            used: Some(LastUse {
                ago_ms: 3 * HOUR_MS,
                ip: "198.51.100.77",
            }),
            revoked_ago_ms: Some(2 * HOUR_MS),
            expires_in_ms: None,
        },
    ];
    for key in keys {
        let created_at = ago(now, key.created_ago_ms);
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
                key.revoked_ago_ms.map(|ms| ago(now, ms)),
                key.expires_in_ms.map(|ms| now + ms),
                key.used.as_ref().map(|used| ago(now, used.ago_ms)),
                key.used.as_ref().map(|used| used.ip),
            ],
        )?;
    }
    Ok(())
}

/// One seeded fiskaly key; every time is in milliseconds before the seeding.
struct FiskalySeed {
    name: &'static str,
    /// `live` or `test`.
    kind: &'static str,
    /// `enabled` or `disabled`.
    status: &'static str,
    created_ago_ms: i64,
    used_ago_ms: Option<i64>,
    metadata: serde_json::Value,
}

fn demo_fiskaly(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<()> {
    let keys = [
        FiskalySeed {
            name: "pos-berlin-01",
            kind: "live",
            status: "enabled",
            created_ago_ms: 400 * DAY_MS,
            used_ago_ms: Some(2 * MINUTE_MS),
            metadata: json!({"store": "berlin-mitte", "terminal": "01"}),
        },
        FiskalySeed {
            name: "pos-berlin-02",
            kind: "live",
            status: "enabled",
            created_ago_ms: 400 * DAY_MS,
            used_ago_ms: Some(9 * MINUTE_MS),
            metadata: json!({"store": "berlin-mitte", "terminal": "02"}),
        },
        FiskalySeed {
            name: "pos-hamburg-01",
            kind: "live",
            status: "enabled",
            created_ago_ms: 310 * DAY_MS,
            used_ago_ms: Some(HOUR_MS),
            metadata: json!({"store": "hamburg-altona"}),
        },
        FiskalySeed {
            name: "pos-munich-01",
            kind: "live",
            status: "disabled",
            created_ago_ms: 290 * DAY_MS,
            used_ago_ms: Some(62 * DAY_MS),
            metadata: json!({"store": "munich-schwabing", "note": "store closed"}),
        },
        FiskalySeed {
            name: "webshop-checkout",
            kind: "live",
            status: "enabled",
            created_ago_ms: 250 * DAY_MS,
            used_ago_ms: Some(30 * MINUTE_MS),
            metadata: json!({"team": "ecommerce"}),
        },
        FiskalySeed {
            name: "kassensystem-legacy",
            kind: "live",
            status: "disabled",
            created_ago_ms: 700 * DAY_MS,
            used_ago_ms: Some(160 * DAY_MS),
            metadata: json!({}),
        },
        FiskalySeed {
            name: "inventory-sync",
            kind: "live",
            status: "enabled",
            created_ago_ms: 180 * DAY_MS,
            used_ago_ms: Some(3 * DAY_MS),
            metadata: json!({"team": "ops"}),
        },
        FiskalySeed {
            name: "accounting-export",
            kind: "live",
            status: "enabled",
            created_ago_ms: 120 * DAY_MS,
            used_ago_ms: Some(28 * DAY_MS),
            metadata: json!({"team": "finance"}),
        },
        FiskalySeed {
            name: "old-terminal-07",
            kind: "live",
            status: "disabled",
            created_ago_ms: 500 * DAY_MS,
            used_ago_ms: Some(300 * DAY_MS),
            metadata: json!({"replaced_by": "pos-berlin-02"}),
        },
        FiskalySeed {
            name: "test-integration",
            kind: "test",
            status: "enabled",
            created_ago_ms: 90 * DAY_MS,
            used_ago_ms: Some(4 * HOUR_MS),
            metadata: json!({"env": "staging"}),
        },
        FiskalySeed {
            name: "ci-runner",
            kind: "test",
            status: "enabled",
            created_ago_ms: 60 * DAY_MS,
            used_ago_ms: Some(25 * MINUTE_MS),
            metadata: json!({"team": "platform"}),
        },
        FiskalySeed {
            name: "load-test-2026",
            kind: "test",
            status: "disabled",
            created_ago_ms: 45 * DAY_MS,
            used_ago_ms: Some(40 * DAY_MS),
            metadata: json!({}),
        },
        FiskalySeed {
            name: "dev-maria",
            kind: "test",
            status: "enabled",
            created_ago_ms: 7 * DAY_MS,
            used_ago_ms: None,
            metadata: json!({"owner": "maria"}),
        },
        FiskalySeed {
            name: "dev-jonas",
            kind: "test",
            status: "enabled",
            created_ago_ms: 2 * DAY_MS,
            used_ago_ms: None,
            metadata: json!({"owner": "jonas"}),
        },
        FiskalySeed {
            name: "fiscal-audit-tool",
            kind: "live",
            status: "enabled",
            created_ago_ms: DAY_MS,
            used_ago_ms: None,
            metadata: json!({"requested_by": "tax advisor"}),
        },
    ];
    for key in keys {
        tx.execute(
            "INSERT INTO fiskaly_keys (id, org, name, api_key, secret_hash, kind, status, metadata,
             created_at, created_by_user, last_used_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                uuid::Uuid::new_v4().to_string(),
                FISKALY_DEFAULT_ORG,
                key.name,
                format!("{}_{}", key.kind, secrets::random_lower(26)),
                unusable_hash(),
                key.kind,
                key.status,
                key.metadata.to_string(),
                ago(now, key.created_ago_ms),
                DEFAULT_USER,
                key.used_ago_ms.map(|ms| ago(now, ms)),
            ],
        )?;
    }
    Ok(())
}

/// One seeded SyncgramPay key; every time is in milliseconds.
struct SyncgramSeed {
    org: &'static str,
    name: &'static str,
    /// `live` or `test`.
    env: &'static str,
    created_ago_ms: i64,
    /// From creation to expiry.
    lifetime_ms: Option<i64>,
    revoked_ago_ms: Option<i64>,
    used_ago_ms: Option<i64>,
}

fn demo_syncgram(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO syncgram_orgs (id, payments_enabled) VALUES (?1, 0)",
        params![SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS],
    )?;
    let keys = [
        SyncgramSeed {
            org: SYNCGRAM_DEFAULT_ORG,
            name: "Launch key",
            env: "test",
            created_ago_ms: 420 * DAY_MS,
            lifetime_ms: None,
            revoked_ago_ms: Some(400 * DAY_MS),
            used_ago_ms: Some(401 * DAY_MS),
        },
        SyncgramSeed {
            org: SYNCGRAM_DEFAULT_ORG,
            name: "First live key",
            env: "live",
            created_ago_ms: 400 * DAY_MS,
            lifetime_ms: Some(365 * DAY_MS),
            revoked_ago_ms: None,
            used_ago_ms: Some(40 * DAY_MS),
        },
        SyncgramSeed {
            org: SYNCGRAM_DEFAULT_ORG,
            name: "Production key 2025",
            env: "live",
            created_ago_ms: 300 * DAY_MS,
            lifetime_ms: None,
            revoked_ago_ms: Some(200 * DAY_MS),
            used_ago_ms: Some(200 * DAY_MS),
        },
        SyncgramSeed {
            org: SYNCGRAM_DEFAULT_ORG,
            name: "Rotated after audit",
            env: "live",
            created_ago_ms: 200 * DAY_MS,
            lifetime_ms: None,
            revoked_ago_ms: Some(150 * DAY_MS),
            used_ago_ms: Some(151 * DAY_MS),
        },
        SyncgramSeed {
            org: SYNCGRAM_DEFAULT_ORG,
            name: "Black Friday",
            env: "live",
            created_ago_ms: 150 * DAY_MS,
            lifetime_ms: Some(30 * DAY_MS),
            revoked_ago_ms: None,
            used_ago_ms: Some(125 * DAY_MS),
        },
        SyncgramSeed {
            org: SYNCGRAM_DEFAULT_ORG,
            name: "Contractor (Q1)",
            env: "live",
            created_ago_ms: 130 * DAY_MS,
            lifetime_ms: None,
            revoked_ago_ms: Some(100 * DAY_MS),
            used_ago_ms: None,
        },
        SyncgramSeed {
            org: SYNCGRAM_DEFAULT_ORG,
            name: "Leaked in logs",
            env: "live",
            created_ago_ms: 100 * DAY_MS,
            lifetime_ms: None,
            revoked_ago_ms: Some(60 * DAY_MS),
            used_ago_ms: Some(60 * DAY_MS),
        },
        SyncgramSeed {
            org: SYNCGRAM_DEFAULT_ORG,
            name: "Checkout v2",
            env: "live",
            created_ago_ms: 60 * DAY_MS,
            lifetime_ms: None,
            revoked_ago_ms: Some(20 * DAY_MS),
            used_ago_ms: Some(20 * DAY_MS),
        },
        SyncgramSeed {
            org: SYNCGRAM_DEFAULT_ORG,
            name: "Staging smoke test",
            env: "test",
            created_ago_ms: 40 * DAY_MS,
            lifetime_ms: Some(7 * DAY_MS),
            revoked_ago_ms: None,
            used_ago_ms: Some(35 * DAY_MS),
        },
        SyncgramSeed {
            org: SYNCGRAM_DEFAULT_ORG,
            name: "Never used test key",
            env: "test",
            created_ago_ms: 25 * DAY_MS,
            lifetime_ms: None,
            revoked_ago_ms: Some(21 * DAY_MS),
            used_ago_ms: None,
        },
        SyncgramSeed {
            org: SYNCGRAM_DEFAULT_ORG,
            name: "Production key",
            env: "live",
            created_ago_ms: 20 * DAY_MS,
            lifetime_ms: None,
            revoked_ago_ms: None,
            used_ago_ms: Some(5 * MINUTE_MS),
        },
        SyncgramSeed {
            org: SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS,
            name: "Prototype",
            env: "test",
            created_ago_ms: 90 * DAY_MS,
            lifetime_ms: None,
            revoked_ago_ms: Some(30 * DAY_MS),
            used_ago_ms: Some(31 * DAY_MS),
        },
        SyncgramSeed {
            org: SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS,
            name: "Hackathon",
            env: "test",
            created_ago_ms: 50 * DAY_MS,
            lifetime_ms: Some(3 * DAY_MS),
            revoked_ago_ms: None,
            used_ago_ms: Some(48 * DAY_MS),
        },
        SyncgramSeed {
            org: SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS,
            name: "Integration tests",
            env: "test",
            created_ago_ms: 29 * DAY_MS,
            lifetime_ms: None,
            revoked_ago_ms: Some(2 * DAY_MS),
            used_ago_ms: Some(2 * DAY_MS),
        },
        SyncgramSeed {
            org: SYNCGRAM_DEMO_ORG_WITHOUT_PAYMENTS,
            name: "Sandbox checkout",
            env: "test",
            created_ago_ms: 2 * DAY_MS,
            lifetime_ms: None,
            revoked_ago_ms: None,
            used_ago_ms: None,
        },
    ];
    for key in keys {
        let created_at = ago(now, key.created_ago_ms);
        tx.execute(
            "INSERT INTO syncgram_keys (id, org, name, env, key_hash, created_by, created_at,
             expires_at, revoked_at, last_used_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                format!("key_{}", secrets::random_lower(20)),
                key.org,
                key.name,
                key.env,
                unusable_hash(),
                "user_seed",
                created_at,
                key.lifetime_ms.map(|ms| created_at + ms),
                key.revoked_ago_ms.map(|ms| ago(now, ms)),
                key.used_ago_ms.map(|ms| ago(now, ms)),
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

impl StraitSeed<'_> {
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
    let plain = |name, scopes, environment, created_ago_ms, used_ago_ms| StraitSeed {
        name,
        scopes,
        environment,
        created_ago_ms,
        expires_in_ms: None,
        used_ago_ms,
        revoked_ago_ms: None,
        rotation_interval_days: None,
    };
    let keys = [
        StraitSeed {
            revoked_ago_ms: Some(200 * DAY_MS),
            ..plain(
                "Bootstrap admin",
                &["admin"],
                "env_prod",
                500 * DAY_MS,
                Some(201 * DAY_MS),
            )
        },
        plain(
            "Billing worker",
            &["billing:read", "billing:write"],
            "env_prod",
            240 * DAY_MS,
            Some(4 * MINUTE_MS),
        ),
        plain(
            "Search indexer",
            &["search:write"],
            "env_prod",
            180 * DAY_MS,
            Some(2 * HOUR_MS),
        ),
        StraitSeed {
            expires_in_ms: Some(6 * DAY_MS),
            ..plain(
                "Partner API (Globex)",
                &["orders:read"],
                "env_prod",
                359 * DAY_MS,
                Some(3 * DAY_MS),
            )
        },
        StraitSeed {
            expires_in_ms: Some(-12 * DAY_MS),
            ..plain(
                "Summer campaign",
                &["orders:read"],
                "env_prod",
                102 * DAY_MS,
                Some(15 * DAY_MS),
            )
        },
        StraitSeed {
            revoked_ago_ms: Some(9 * DAY_MS),
            ..plain(
                "Leaked CI token",
                &["deploy"],
                "env_staging",
                70 * DAY_MS,
                Some(9 * DAY_MS),
            )
        },
        StraitSeed {
            rotation_interval_days: Some(90),
            ..plain(
                "Payments gateway",
                &["payments:write"],
                "env_prod",
                80 * DAY_MS,
                Some(MINUTE_MS),
            )
        },
        StraitSeed {
            rotation_interval_days: Some(30),
            ..plain(
                "Audit log shipper",
                &["audit:write"],
                "env_prod",
                44 * DAY_MS,
                Some(10 * MINUTE_MS),
            )
        },
        plain(
            "Staging e2e",
            &["orders:read", "orders:write"],
            "env_staging",
            45 * DAY_MS,
            Some(26 * DAY_MS),
        ),
        plain(
            "Reporting (read only)",
            &["reports:read"],
            "env_prod",
            130 * DAY_MS,
            Some(95 * DAY_MS),
        ),
        StraitSeed {
            expires_in_ms: Some(20 * DAY_MS),
            ..plain(
                "Temporary migration",
                &["admin"],
                "env_prod",
                10 * DAY_MS,
                None,
            )
        },
        plain("Mobile app", &["orders:read"], "env_prod", 5 * DAY_MS, None),
        plain(
            "Local dev",
            &["orders:read", "orders:write"],
            "env_dev",
            DAY_MS,
            Some(30 * MINUTE_MS),
        ),
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
    let old = StraitSeed {
        name,
        scopes: &["events:write"],
        environment: "env_prod",
        created_ago_ms,
        expires_in_ms: None,
        used_ago_ms: Some(old_used_ago_ms),
        revoked_ago_ms: None,
        rotation_interval_days: None,
    }
    .insert(tx, now)?;
    let rotated_name = format!("{name} (rotated)");
    let new = StraitSeed {
        name: &rotated_name,
        scopes: &["events:write"],
        environment: "env_prod",
        created_ago_ms: rotated_ago_ms,
        expires_in_ms: None,
        used_ago_ms: Some(rotated_ago_ms / 4),
        revoked_ago_ms: None,
        rotation_interval_days: None,
    }
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
