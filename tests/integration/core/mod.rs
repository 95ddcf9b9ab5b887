//! Integration tests: keydesk-core against a spawned sandbox, the documents' samples, and
//! property tests of the decoders and validation.

// Test code: a panic is the failure message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod faults;
mod fiskaly;
mod fixtures;
mod gateway;
pub(crate) mod hostile;
mod leaks;
mod oligon;
mod props;
mod strait;
mod syncgram;
