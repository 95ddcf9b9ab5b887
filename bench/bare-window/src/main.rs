//! The floor for Keydesk's benchmarks: one Tauri 2 window showing a static page, built with
//! the same toolchain, Tauri version and release profile as the app. `make bench` measures
//! its first paint, idle memory and `.deb` size beside Keydesk's.

// No console window on Windows release builds, as in the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(error) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("bare-window: {error}");
        std::process::exit(1);
    }
}
