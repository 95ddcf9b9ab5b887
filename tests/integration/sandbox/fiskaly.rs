//! fiskaly
