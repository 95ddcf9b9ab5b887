//! Shared helpers for the integration tests.

pub mod sandbox;

pub mod core;

pub mod gateway;

pub mod local_server;

pub mod app;

pub use keydesk_tests::notifications;
