//! What the integration tests (in `integration/`) and the end-to-end suite share: a stand-in
//! for the desktop's notification service, used in-process by the integration tests and as
//! the `fake-notifications` binary by the end-to-end specs.

pub mod notifications;
