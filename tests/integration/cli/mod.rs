//! Integration tests: `keydesk-cli` run as a process against a spawned sandbox: every
//! command, its exit code, its JSON, and that no secret or token reaches stderr.

// Test code: a panic is the failure message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod attention;
mod commands;
mod exit_codes;
mod redirects;
mod saved;
mod untrusted;
