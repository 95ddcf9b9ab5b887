//! Integration tests: the sandbox server, over real HTTP to a spawned instance.

// Helpers outside #[test] fns unwrap too: a panic is the failure message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod binary;
mod chaos;
mod common;
mod embedded;
mod fiskaly;
mod oligon;
mod seed;
mod server;
mod strait;
mod syncgram;

/// Run an `async fn(Variant)` test body once per API variant, as two named tests.
macro_rules! both_variants {
    ($body:ident) => {
        mod $body {
            #[tokio::test]
            async fn documented() {
                super::$body(keydesk_sandbox::Variant::Documented).await;
            }

            #[tokio::test]
            async fn deployed() {
                super::$body(keydesk_sandbox::Variant::Deployed).await;
            }
        }
    };
}
pub(crate) use both_variants;
