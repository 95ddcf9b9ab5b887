//! keydesk-core: the key-management client library behind Keydesk.
//!
//! It speaks the management APIs of Oligon Receipts, fiskaly, SyncgramPay and Strait and
//! hands its callers one normalized model of API keys. It knows nothing of Tauri, so the
//! desktop app, the CLI and the tests all share it.
#![deny(missing_docs)]
