//! Timestamps: the storage unit (unix milliseconds), its durations and the RFC 3339 forms
//! the APIs send. A leaf that imports nothing of the crate.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

/// Now, in unix milliseconds (the storage unit of every timestamp).
pub(crate) fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

pub(crate) const DAY_MS: i64 = 24 * 60 * 60 * 1000;
pub(crate) const MINUTE_MS: i64 = 60 * 1000;
pub(crate) const HOUR_MS: i64 = 60 * MINUTE_MS;

/// RFC 3339 with an explicit `+00:00` offset (Oligon's style).
pub(crate) fn rfc3339_offset(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// RFC 3339 with `Z` (SyncgramPay's and Strait's style).
pub(crate) fn rfc3339_z(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An optional timestamp as JSON: a string or null.
pub(crate) fn optional_time(ms: Option<i64>, format: fn(i64) -> String) -> Value {
    ms.map_or(Value::Null, |ms| Value::String(format(ms)))
}

/// RFC 3339 with milliseconds and `Z`.
pub(crate) fn rfc3339_z_millis(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}
