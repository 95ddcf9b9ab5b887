//! The four providers, each in its own module that owns everything core knows about it (its
//! client, wire format, capabilities and field specs, extra draft rules, leaked-key shape,
//! connection and auth). They sit above the generic machinery: [`dispatch`] is the one
//! place that picks a provider by [`ProviderKind`](crate::ProviderKind), and [`calls`] the
//! request plumbing their clients share.

mod calls;
pub mod decode;
mod definition;
mod dispatch;
mod fiskaly;
mod oligon;
mod strait;
mod syncgram;

#[cfg(test)]
mod tests;

pub use dispatch::{connect, connect_with, lists_fragment, validate_draft, validate_grace};
