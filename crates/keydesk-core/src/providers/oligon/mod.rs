//! Oligon Receipts: `/v1/api-keys` with a dashboard JWT. Keys are `sk_live_…`/`sk_test_…`
//! and listed with their type prefix and last four characters.

mod capabilities;
mod client;
mod wire;

use capabilities::{capabilities, validate};
use client::OligonClient;

use super::definition::Definition;
use crate::leak::{ListedFragment, PastedKeyShape};

/// `sk_live_…` / `sk_test_…`, shown as the type prefix and the last four.
pub(super) const SECRET_KEY_SHAPE: PastedKeyShape = PastedKeyShape {
    prefixes: &["sk_live_", "sk_test_"],
    hex_digits: None,
    shown_head: 8,
};

pub(super) static DEFINITION: Definition =
    Definition::new(capabilities, validate, &wire::FORMAT, OligonClient::connect)
        .listed(&[ListedFragment::TypeAndLast4])
        .pasted_key(SECRET_KEY_SHAPE);
