//! strait
