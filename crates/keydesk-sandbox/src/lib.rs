//! keydesk-sandbox: a local server that speaks the key-management APIs of Oligon Receipts,
//! fiskaly, SyncgramPay and Strait, with SQLite storage. It has its own wire structs and does
//! not depend on keydesk-core, so a client bug and a server bug cannot agree with each other.
