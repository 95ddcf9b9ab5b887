//! The Keydesk desktop app: builds the Tauri application and wires its state and commands.

/// Starts Keydesk and blocks until its last window closes.
pub fn run() {
    let result = tauri::Builder::default().run(tauri::generate_context!());
    if let Err(err) = result {
        eprintln!("Keydesk could not start: {err}");
        std::process::exit(1);
    }
}
