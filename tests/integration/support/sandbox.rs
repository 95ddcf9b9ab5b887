//! Helpers for driving a sandbox spawned on 127.0.0.1:0 over real HTTP.

// Test helpers: a panic is the failure message.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use keydesk_sandbox::{
    CredentialOptions, Dialect, STRAIT_DEPLOYED_WRITES_PER_MINUTE, SandboxConfig, SandboxHandle,
    Storage, Variant, spawn,
};
use serde_json::{Value, json};
use tempfile::TempDir;

/// A running sandbox, an HTTP client, and (for file storage) the directory holding its database.
pub struct Sandbox {
    pub handle: SandboxHandle,
    pub http: reqwest::Client,
    pub dir: Option<TempDir>,
}

/// The bearer token `sandbox` mints for its default admin (org None) or for org/project `org`.
pub fn bearer_token(sandbox: &SandboxHandle, dialect: Dialect, org: Option<&str>) -> String {
    let credentials = sandbox.credentials(dialect, org).unwrap();
    credentials.credentials["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A plain HTTP client: no proxy, so 127.0.0.1 is always reached directly.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// An in-memory sandbox of `variant`.
pub async fn start(variant: Variant) -> Sandbox {
    start_with(SandboxConfig {
        variant,
        ..SandboxConfig::default()
    })
    .await
}

/// The deployed variant with the open-source Strait service's limit on writes, which the
/// binary sets with `--variant deployed` (the library leaves it off).
pub fn deployed_strait_write_limit() -> SandboxConfig {
    SandboxConfig {
        variant: Variant::Deployed,
        strait_writes_per_minute: Some(STRAIT_DEPLOYED_WRITES_PER_MINUTE),
        ..SandboxConfig::default()
    }
}

/// A sandbox with `config`.
pub async fn start_with(config: SandboxConfig) -> Sandbox {
    Sandbox {
        handle: spawn(config).await.unwrap(),
        http: http_client(),
        dir: None,
    }
}

/// A fresh temporary directory and the database path inside it.
pub fn temp_db() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.db");
    (dir, path)
}

/// A sandbox storing its data in a file inside a fresh temporary directory.
pub async fn start_on_file(config: SandboxConfig) -> Sandbox {
    let (dir, path) = temp_db();
    let mut sandbox = start_with(SandboxConfig {
        storage: Storage::File(path),
        ..config
    })
    .await;
    sandbox.dir = Some(dir);
    sandbox
}

impl Sandbox {
    /// Full URL of `path` under `dialect`'s prefix.
    pub fn url(&self, dialect: Dialect, path: &str) -> String {
        format!("{}{}{}", self.handle.base_url(), dialect.base_path(), path)
    }

    /// A GET of `path` under `dialect`'s prefix; add the credentials the case needs.
    pub fn get(&self, dialect: Dialect, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(dialect, path))
    }

    /// A POST of `path` under `dialect`'s prefix; add the credentials the case needs.
    pub fn post(&self, dialect: Dialect, path: &str) -> reqwest::RequestBuilder {
        self.http.post(self.url(dialect, path))
    }

    /// A DELETE of `path` under `dialect`'s prefix; add the credentials the case needs.
    pub fn delete(&self, dialect: Dialect, path: &str) -> reqwest::RequestBuilder {
        self.http.delete(self.url(dialect, path))
    }

    /// The database file, for file-backed sandboxes.
    pub fn db_path(&self) -> PathBuf {
        self.dir.as_ref().unwrap().path().join("sandbox.db")
    }

    /// The bearer token of the default admin (org None) or of org/project `org`.
    pub fn token(&self, dialect: Dialect, org: Option<&str>) -> String {
        bearer_token(&self.handle, dialect, org)
    }

    /// A bearer token with non-default claims.
    pub fn token_with(&self, dialect: Dialect, options: CredentialOptions) -> String {
        let credentials = self.handle.credentials_with(dialect, &options).unwrap();
        credentials.credentials["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// fiskaly: exchange the org's management key for tokens; returns (org id, /auth body).
    pub async fn fiskaly_login(&self, org: Option<&str>) -> (String, Value) {
        let credentials = self
            .handle
            .credentials(Dialect::Fiskaly, org)
            .unwrap()
            .credentials;
        let response = self
            .post(Dialect::Fiskaly, "/auth")
            .json(&json!({
                "api_key": credentials["api_key"],
                "api_secret": credentials["api_secret"],
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let org = credentials["organization_id"].as_str().unwrap().to_owned();
        (org, response.json().await.unwrap())
    }

    /// fiskaly: an access token for the org (default org when None) and its id.
    pub async fn fiskaly_token(&self, org: Option<&str>) -> (String, String) {
        let (org, tokens) = self.fiskaly_login(org).await;
        (org, tokens["access_token"].as_str().unwrap().to_owned())
    }
}

/// Send `request`, return (status, headers, JSON body or Null when empty).
pub async fn send(request: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    (status, headers, body)
}

/// The `keydesk-sandbox` binary, built on first use (cargo builds only libraries of
/// dependencies for a test binary, so the server binary is not there by itself).
pub fn sandbox_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            // `make test` builds every binary first and says where.
            if let Some(path) = std::env::var_os("KEYDESK_SANDBOX_BIN") {
                return path.into();
            }
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            // Run inside the workspace; cargo finds its root from there.
            let status = std::process::Command::new(cargo)
                .args([
                    "build",
                    "--quiet",
                    "-p",
                    "keydesk-sandbox",
                    "--bin",
                    "keydesk-sandbox",
                ])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .status()
                .unwrap();
            assert!(status.success(), "building keydesk-sandbox failed");
            // The test executable lives in target/<profile>/deps/; binaries one level up.
            let exe = std::env::current_exe().unwrap();
            let profile_dir = exe.parent().unwrap().parent().unwrap();
            let binary =
                profile_dir.join(format!("keydesk-sandbox{}", std::env::consts::EXE_SUFFIX));
            assert!(binary.exists(), "no binary at {}", binary.display());
            binary
        })
        .clone()
}

/// The forms in which `secret` could sit in a file, each with a name for the failure message
/// (never the secret): raw, base64 (standard and url-safe, at each of the three byte
/// alignments a secret can have inside a longer encoded buffer), hex (lower and upper
/// case), and a 20-character slice from its middle (a secret stored without its prefix).
pub fn secret_forms(secret: &str) -> Vec<(String, Vec<u8>)> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let bytes = secret.as_bytes();
    let mut forms = vec![("raw".to_owned(), bytes.to_vec())];
    for skip in 0..3 {
        // Whole 3-byte groups only: the characters of a partial group depend on what follows.
        let groups = (bytes.len() - skip) / 3 * 3;
        let aligned = &bytes[skip..skip + groups];
        forms.push((
            format!("base64 at +{skip}"),
            STANDARD_NO_PAD.encode(aligned).into_bytes(),
        ));
        forms.push((
            format!("url-safe base64 at +{skip}"),
            URL_SAFE_NO_PAD.encode(aligned).into_bytes(),
        ));
    }
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    forms.push(("hex".to_owned(), hex.clone().into_bytes()));
    forms.push(("upper-case hex".to_owned(), hex.to_uppercase().into_bytes()));
    let middle = secret.len() / 2;
    forms.push((
        "20-character inner slice".to_owned(),
        secret.as_bytes()[middle - 10..middle + 10].to_vec(),
    ));
    forms
}

/// The names of the forms of `secret` (see [`secret_forms`]) that `haystack` contains.
pub fn secret_forms_in(haystack: &[u8], secret: &str) -> Vec<String> {
    secret_forms(secret)
        .into_iter()
        .filter(|(_, form)| haystack.windows(form.len()).any(|window| window == form))
        .map(|(name, _)| name)
        .collect()
}

/// The JWT `exp` claim of `token` (seconds since the epoch), decoded without verifying.
pub fn jwt_expiry(token: &str) -> i64 {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    claims["exp"].as_i64().unwrap()
}
