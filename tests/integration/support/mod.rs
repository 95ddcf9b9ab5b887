//! Shared helpers for the integration tests.

pub mod sandbox;

pub mod core;

pub mod app;
