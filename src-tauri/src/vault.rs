//! Connection credentials in the OS keyring, and nowhere else: see [`keydesk_local::vault`],
//! which keydesk-cli reads the same items with.

pub use keydesk_local::vault::{CredentialMap, KeyringVault, SERVICE, label};
