//! Strait project keys: `/v1/api-keys` with an admin token, cursor paging, rotation with a
//! grace period. Keys are `strait_` and 64 hex digits, listed by their first 12 characters.

mod capabilities;
mod client;
mod wire;

use capabilities::{capabilities, validate};
use client::StraitClient;
pub use wire::decode_rotated_key;

use super::definition::Definition;
use crate::leak::{ListedFragment, PastedKeyShape};

pub(super) static DEFINITION: Definition =
    Definition::new(capabilities, validate, &wire::FORMAT, StraitClient::connect)
        .listed(&[ListedFragment::KeyPrefix])
        .pasted_key(PastedKeyShape {
            prefixes: &["strait_"],
            hex_digits: Some(64),
            shown_head: 12,
        });
