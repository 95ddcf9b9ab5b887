//! Seed data. (Filled in below.)

use std::sync::Arc;

use crate::SandboxError;
use crate::config::Seed;
use crate::db::Db;

pub(crate) fn apply(_db: &Arc<Db>, _seed: Seed) -> Result<(), SandboxError> {
    Ok(())
}
