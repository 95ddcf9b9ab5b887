//! SyncgramPay: `/api/v1/auth/api-keys` with a user JWT, one active key per organisation,
//! answers in a `{success, data}` envelope. Keys look like Oligon's (`sk_live_…`); lists show
//! no part of them unless a deployment adds a prefix and last four.

mod capabilities;
mod client;
mod wire;

use capabilities::{capabilities, validate};
use client::SyncgramClient;

use super::definition::Definition;
use super::oligon::SECRET_KEY_SHAPE;
use crate::leak::ListedFragment;

pub(super) static DEFINITION: Definition = Definition::new(
    capabilities,
    validate,
    &wire::FORMAT,
    SyncgramClient::connect,
)
.listed(&[ListedFragment::TypeAndLast4])
.pasted_key(SECRET_KEY_SHAPE);
