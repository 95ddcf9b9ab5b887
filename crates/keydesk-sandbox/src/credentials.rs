//! Credentials a client needs to call each API: minted tokens, or fiskaly management keys.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::params;
use serde::Serialize;
use serde_json::json;

use crate::SandboxError;
use crate::config::{Dialect, Storage};
use crate::db::{Db, SYNCGRAM_DEFAULT_ORG};
use crate::secrets::{self, Claims};
use crate::time::now_ms;

/// Default Oligon organisation.
pub const OLIGON_DEFAULT_ORG: &str = "org_acme";
/// Default fiskaly organisation (fiskaly ids are UUIDs).
pub const FISKALY_DEFAULT_ORG: &str = "5f0c2a9e-1b7d-4c3a-9e8f-2d6b4a1c7e90";
/// Default SyncgramPay organisation (payments enabled).
pub const SYNCGRAM_DEFAULT_ORG_ID: &str = SYNCGRAM_DEFAULT_ORG;
/// Default Strait project.
pub const STRAIT_DEFAULT_PROJECT: &str = "proj_acme";
/// Subject of the default admin's tokens.
pub const DEFAULT_USER: &str = "user_admin";
/// All three Oligon key-management permissions.
pub const OLIGON_PERMISSIONS: [&str; 3] = ["apikey:read", "apikey:write", "apikey:revoke"];

/// Lifetime of minted dashboard tokens: 24 hours. A leaked sandbox token stops working by the
/// next day; the embedded sandbox mints fresh ones on every start.
pub const DEFAULT_TOKEN_LIFETIME_SECS: i64 = 24 * 60 * 60;

/// What a client needs to call one API (the `token` CLI prints this object).
#[derive(Debug, Clone, Serialize)]
pub struct DialectCredentials {
    /// "oligon" | "fiskaly" | "syncgram" | "strait".
    pub dialect: String,
    /// Path prefix of the API, e.g. "/fiskaly/api/v0".
    pub base_path: String,
    /// oligon `{token}`, fiskaly `{api_key, api_secret, organization_id}`, syncgram `{token}`,
    /// strait `{token, project_id}`.
    pub credentials: serde_json::Value,
}

/// Non-default credentials, for permission and isolation tests. `Default` = the default admin.
#[derive(Debug, Clone, Default)]
pub struct CredentialOptions {
    /// Org (Oligon, fiskaly, SyncgramPay) or project (Strait); None = the default one. A new
    /// SyncgramPay org is created with payments not enabled.
    pub org: Option<String>,
    /// Oligon only: the `permissions` claim; None = all three.
    pub permissions: Option<Vec<String>>,
    /// The token's user (`sub`); None = "user_admin". SyncgramPay rate-limits creates per user.
    pub user: Option<String>,
    /// SyncgramPay only: a connected account's token, which may not manage keys (403).
    pub connected_account: bool,
    /// Token lifetime from now in seconds; zero or negative mints an already expired token.
    /// None = [`DEFAULT_TOKEN_LIFETIME_SECS`] (24 h). Ignored by fiskaly, whose tokens come from `POST /auth`.
    pub expires_in_secs: Option<i64>,
}

/// Mint credentials for `dialect` with the signing key of `db`.
pub(crate) fn mint(
    db: &Db,
    signing_key: &[u8],
    dialect: Dialect,
    options: &CredentialOptions,
) -> Result<DialectCredentials, SandboxError> {
    let now_secs = now_ms() / 1000;
    let user = options.user.clone().unwrap_or_else(|| DEFAULT_USER.into());
    let base_claims = Claims {
        iss: "keydesk-sandbox".into(),
        aud: dialect.as_str().into(),
        sub: user,
        iat: now_secs,
        exp: now_secs
            + options
                .expires_in_secs
                .unwrap_or(DEFAULT_TOKEN_LIFETIME_SECS),
        jti: secrets::random_lower(16),
        ..Claims::default()
    };
    let credentials = match dialect {
        Dialect::Oligon => {
            let claims = Claims {
                org: Some(org_or(options, OLIGON_DEFAULT_ORG)),
                permissions: options.permissions.clone().unwrap_or_else(|| {
                    OLIGON_PERMISSIONS.iter().map(|p| (*p).to_owned()).collect()
                }),
                ..base_claims
            };
            json!({"token": secrets::sign_jwt(signing_key, &claims)})
        }
        Dialect::Fiskaly => {
            let org = org_or(options, FISKALY_DEFAULT_ORG);
            let (api_key, api_secret) = fiskaly_manager_key(signing_key, &org);
            db.with(|conn| {
                conn.execute(
                    "INSERT OR IGNORE INTO fiskaly_managers (api_key, org, secret_hash) VALUES (?1, ?2, ?3)",
                    params![api_key, org, secrets::digest(&api_secret)],
                )?;
                Ok(())
            })
            .map_err(|_| SandboxError::InvalidConfig("could not store the management key".into()))?;
            json!({"api_key": api_key, "api_secret": api_secret, "organization_id": org})
        }
        Dialect::Syncgram => {
            let org = org_or(options, SYNCGRAM_DEFAULT_ORG);
            db.with(|conn| {
                conn.execute(
                    "INSERT OR IGNORE INTO syncgram_orgs (id, payments_enabled) VALUES (?1, 0)",
                    params![org],
                )?;
                Ok(())
            })
            .map_err(|_| SandboxError::InvalidConfig("could not store the organisation".into()))?;
            let claims = Claims {
                org: Some(org),
                account_type: Some(
                    if options.connected_account {
                        "connected"
                    } else {
                        "standard"
                    }
                    .into(),
                ),
                ..base_claims
            };
            json!({"token": secrets::sign_jwt(signing_key, &claims)})
        }
        Dialect::Strait => {
            let project_id = org_or(options, STRAIT_DEFAULT_PROJECT);
            let claims = Claims {
                project_id: Some(project_id.clone()),
                ..base_claims
            };
            json!({"token": secrets::sign_jwt(signing_key, &claims), "project_id": project_id})
        }
    };
    Ok(DialectCredentials {
        dialect: dialect.as_str().into(),
        base_path: dialect.base_path().into(),
        credentials,
    })
}

/// Credentials from a database file, for a server that may already be running on it.
pub fn credentials_for_db(
    path: &Path,
    dialect: Dialect,
    options: &CredentialOptions,
) -> Result<DialectCredentials, SandboxError> {
    let db = Db::open(&Storage::File(path.to_owned()))?;
    let signing_key = db.jwt_secret()?;
    mint(&db, &signing_key, dialect, options)
}

fn org_or(options: &CredentialOptions, default: &str) -> String {
    options.org.clone().unwrap_or_else(|| default.to_owned())
}

/// fiskaly management key of `org`: derived from the signing key (so every call returns the
/// same pair without the secret ever being stored), registered by its digest.
fn fiskaly_manager_key(signing_key: &[u8], org: &str) -> (String, String) {
    let id = hex::encode(secrets::hmac(
        signing_key,
        &format!("fiskaly-manager-key:{org}"),
    ));
    let secret = URL_SAFE_NO_PAD.encode(secrets::hmac(
        signing_key,
        &format!("fiskaly-manager-secret:{org}"),
    ));
    (format!("mgmt_{}", &id[..24]), secret)
}
