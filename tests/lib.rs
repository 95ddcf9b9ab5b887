//! Holds no code: the integration tests live in `integration/`.
