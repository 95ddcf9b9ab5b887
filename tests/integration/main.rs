//! One integration test binary: each module drives one part of Keydesk against real parts
//! (a sandbox server spawned on 127.0.0.1:0, real HTTP, SQLite on disk or in memory).

mod app;
mod cli;
mod core;
mod sandbox;
mod support;
