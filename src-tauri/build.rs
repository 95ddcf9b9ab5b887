// The app's own commands go through the ACL like plugin commands: each one gets an
// `allow-<command>` permission, and capabilities/default.json grants exactly these.
include!("src/commands/names.rs");

fn main() {
    // tauri-build names the files it watches, so cargo would not rerun this for the list.
    println!("cargo:rerun-if-changed=src/commands/names.rs");
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {error:#}");
    }
}
