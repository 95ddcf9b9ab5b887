// The app's own commands go through the ACL like plugin commands: each one gets an
// `allow-<command>` permission, and capabilities/default.json grants exactly these.
// Keep this list equal to `commands::COMMANDS` (a test checks it).
const COMMANDS: &[&str] = &[
    "provider_capabilities",
    "list_connections",
    "save_connection",
    "delete_connection",
    "test_connection",
    "list_keys",
    "create_key",
    "rotate_key",
    "revoke_key",
    "delete_key",
    "set_key_enabled",
    "find_leaked_key",
    "export_inventory",
    "pending_reveals",
    "reveal_secret",
    "copy_secret",
    "acknowledge_reveal",
    "get_settings",
    "save_settings",
    "list_activity",
    "export_activity",
    "startup_notices",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {error:#}");
    }
}
