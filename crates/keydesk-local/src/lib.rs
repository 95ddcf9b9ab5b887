//! What Keydesk keeps on this machine, readable without Tauri: the connections of the
//! settings file, the JSON record files beside it, and the keyring items holding the
//! connections' credentials. The desktop app writes them; `keydesk-cli` reads them to work on
//! the app's connections.

pub mod error;
pub mod export;
pub mod files;
pub mod fingerprints;
pub mod leak;
pub mod paths;
pub mod settings;
pub mod vault;

pub use error::{Error, Result};
