//! The desktop app (src-tauri): commands through Tauri's mock runtime against spawned
//! sandboxes, the keyring vault against the session's real Secret Service, the clipboard
//! against the real X clipboard. Run inside `scripts/desktop-session`.

// Test code: a panic is the failure message, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod attention;
mod clipboard;
mod commands;
mod incident;
mod journal;
mod keys;
mod leaks;
mod reminders;
mod replace;
mod secrets;
mod shortcut;
mod startup;
mod vault;
