//! The sandbox as the app embeds it: what the app is given and what it leaves on disk.
//! Needs the desktop session's keyring (`scripts/desktop-session`).

use keydesk_app::SandboxMode;
use secrecy::ExposeSecret as _;
use serde_json::json;

use crate::support::app::{AppDirs, TestApp};
use crate::support::sandbox::jwt_expiry;

#[test]
fn the_app_gets_embedded_sandbox_tokens_that_expire_within_a_day_in_a_private_folder() {
    let app = TestApp::start_in(AppDirs::new(), SandboxMode::Always);
    // The sandbox registers its connections behind the open window: wait for them.
    app.call("list_connections", json!({}));
    let vault = keydesk_app::vault::KeyringVault::new(app.dirs.service.clone());
    let now = chrono::Utc::now().timestamp();
    for provider in ["oligon", "syncgram", "strait"] {
        let stored = vault.read(&format!("sandbox-{provider}")).unwrap().unwrap();
        let expiry = jwt_expiry(stored["token"].expose_secret());
        assert!(expiry > now, "{provider}: already expired");
        assert!(
            expiry <= now + 24 * 60 * 60 + 5,
            "{provider}: the token lives {} h",
            (expiry - now) / 3600
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let folder = app.dirs.data_dir().join("sandbox");
        let mode =
            |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700, "{}", folder.display());
        let db = folder.join("sandbox.sqlite3");
        for file in [
            db.clone(),
            folder.join("sandbox.sqlite3-wal"),
            folder.join("sandbox.sqlite3-shm"),
        ] {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
    app.quit();
}
