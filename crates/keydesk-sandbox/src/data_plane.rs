//! What every data-plane endpoint checks before it serves a request made with a key: the key
//! is known, its digest matches, and it is neither revoked nor expired. Every refusal is the
//! same 401, so a caller cannot tell an unknown key from a revoked one.

use rusqlite::{Connection, OptionalExtension as _, Row, params};

use crate::failure::Failure;
use crate::secrets;

/// The refusal of a key that is unknown or not usable.
pub(crate) fn invalid_key() -> Failure {
    Failure::unauthorized("invalid API key")
}

/// Find `key` in `table` (one of the `*_keys` tables) and accept it only if it is usable at
/// `now`. Returns its id and what `read` takes from `extra_columns` (read them by name).
pub(crate) fn accept_key<T>(
    conn: &Connection,
    table: &str,
    extra_columns: &[&str],
    key: &str,
    now: i64,
    read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<(String, T), Failure> {
    let more_columns: String = extra_columns
        .iter()
        .map(|column| format!(", {column}"))
        .collect();
    let (id, hash, revoked_at, expires_at, extra) = conn
        .query_row(
            &format!(
                "SELECT id, key_hash, revoked_at, expires_at{more_columns} FROM {table}
                 WHERE key_hash = ?1"
            ),
            params![secrets::digest(key)],
            |row| {
                Ok((
                    row.get::<_, String>("id")?,
                    row.get::<_, Vec<u8>>("key_hash")?,
                    row.get::<_, Option<i64>>("revoked_at")?,
                    row.get::<_, Option<i64>>("expires_at")?,
                    read(row)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(invalid_key)?;
    if !secrets::matches(key, &hash)
        || revoked_at.is_some()
        || expires_at.is_some_and(|expiry| expiry <= now)
    {
        return Err(invalid_key());
    }
    Ok((id, extra))
}
