//! Attention commands: the findings across every connection, annotations, snoozes and
//! reviews, each one call of the attention service ([`crate::attention`]).

use std::collections::BTreeMap;

use keydesk_core::{Annotation, Rule};
use tauri::State;

use crate::attention::{self, AttentionReport};
use crate::error::AppResult;
use crate::state::AppState;

/// What needs an admin now across every connection. With `refresh` every connection is
/// listed again first; without, the app's last list of each is judged. Cancellable as
/// `operation_id`.
#[tauri::command]
#[specta::specta]
pub async fn attention(
    state: State<'_, AppState>,
    refresh: bool,
    operation_id: Option<String>,
) -> AppResult<AttentionReport> {
    attention::attention(&state, refresh, operation_id.as_deref()).await
}

/// Every annotation of a connection, by key id.
#[tauri::command]
#[specta::specta]
pub fn key_annotations(
    state: State<'_, AppState>,
    connection_id: String,
) -> AppResult<BTreeMap<String, Annotation>> {
    attention::key_annotations(&state, &connection_id)
}

/// Sets a key's owner, note and tags (an empty annotation removes them); answers what was
/// stored.
#[tauri::command]
#[specta::specta]
pub async fn set_annotation(
    state: State<'_, AppState>,
    connection_id: String,
    key_id: String,
    annotation: Annotation,
) -> AppResult<Annotation> {
    attention::set_annotation(&state, &connection_id, &key_id, annotation).await
}

/// Snoozes a finding for 7 or 30 days, or (`snooze_days` null) marks it reviewed for good.
#[tauri::command]
#[specta::specta]
pub async fn dismiss_finding(
    state: State<'_, AppState>,
    connection_id: String,
    key_id: String,
    rule: Rule,
    snooze_days: Option<u32>,
) -> AppResult<()> {
    attention::dismiss_finding(&state, &connection_id, &key_id, rule, snooze_days).await
}
