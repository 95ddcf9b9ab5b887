//! The attention service: what needs an admin now across every connection (core's
//! `attention` over the lists the app holds), and the admin's annotations, snoozes and
//! reviews, kept in local record files ([`records`]).

pub mod held;
pub mod records;
pub mod tracking;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use futures::future::join_all;
use keydesk_core::{
    Annotation, AttentionConfig, AttentionInput, ConnectionInventory, Dismissal, ErrorKind,
    Finding, OrphanReport, ProviderKind, Rule,
};
use serde::Serialize;

use crate::activity::{Activity, ActivityResult};
use crate::error::{AppError, AppResult};
use crate::settings::Connection;
use crate::state::AppState;
use held::HeldList;

/// The days a finding may be snoozed for.
pub const SNOOZE_DAYS: [u32; 2] = [7, 30];

/// One finding as the Attention view shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AttentionItem {
    /// What core found.
    pub finding: Finding,
    /// The name of the finding's connection.
    pub connection_name: String,
    /// The connection's provider.
    pub provider: ProviderKind,
    /// The key's last use, when its provider tracks use.
    pub last_used_at: Option<DateTime<Utc>>,
    /// The key's owner annotation.
    pub owner: Option<String>,
}

/// What the Attention view shows.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AttentionReport {
    /// Every finding, high first (core's order).
    pub items: Vec<AttentionItem>,
    /// When the oldest inventory behind these findings was listed; null when none was.
    pub checked_at: Option<DateTime<Utc>>,
    /// Connections that could not be listed, and why (their findings are missing).
    pub failures: Vec<AttentionFailure>,
}

/// A connection whose keys could not be listed.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AttentionFailure {
    /// The connection.
    pub connection_id: String,
    /// Its name.
    pub connection_name: String,
    /// Why its keys could not be listed.
    pub error: AppError,
}

/// The findings over every connection. With `refresh` every connection is listed again
/// first; without, only those the app holds no list of yet. Cancellable as `operation_id`.
pub async fn attention(
    state: &AppState,
    refresh: bool,
    operation_id: Option<&str>,
) -> AppResult<AttentionReport> {
    // First, so a Cancel that arrives while this waits for startup still stops it.
    let operation = state.operations.register(operation_id)?;
    state.startup.ready().await;
    let connections = state.connections.list()?;
    let now = Utc::now();
    let waits = &state.attention.waits;
    let held = |connection: &Connection| state.attention.lists.holds(&connection.id);
    let lists = connections
        .iter()
        .filter(|connection| waits.until(&connection.id, now).is_none())
        .filter(|connection| refresh || !held(connection))
        .map(|connection| async move {
            let listed = crate::keys::list_keys(state, &connection.id, None).await;
            (connection, listed.err())
        });
    let listing = async { Ok(join_all(lists).await) };
    let mut failures: Vec<AttentionFailure> = operation
        .run(listing)
        .await?
        .into_iter()
        .filter_map(|(connection, error)| {
            let error = error?;
            waits.note(&connection.id, &error, now);
            Some(failure(connection, error))
        })
        .collect();
    // A connection told to wait that was never listed has nothing to judge: say so.
    let waiting: Vec<AttentionFailure> = connections
        .iter()
        .filter(|connection| !held(connection))
        .filter(|connection| {
            !failures
                .iter()
                .any(|failed| failed.connection_id == connection.id)
        })
        .filter_map(|connection| {
            let until = waits.until(&connection.id, now)?;
            let error = AppError::new(
                ErrorKind::RateLimited,
                format!(
                    "{} asked Keydesk to wait; its keys are checked again after {}.",
                    connection.settings.provider.display_name(),
                    until.format("%H:%M UTC")
                ),
            );
            Some(failure(connection, error))
        })
        .collect();
    failures.extend(waiting);
    // Every connection with a list is judged: one whose refresh failed keeps the findings of
    // its last list (the report's time says how old), so a passing failure does not make
    // them vanish and come back as new.
    let all: Vec<&Connection> = connections.iter().collect();
    let mut report = judge(state, &all)?;
    report.failures = failures;
    Ok(report)
}

fn failure(connection: &Connection, error: AppError) -> AttentionFailure {
    AttentionFailure {
        connection_id: connection.id.clone(),
        connection_name: connection.settings.name.clone(),
        error,
    }
}

/// Core's findings over the held lists of `connections`.
fn judge(state: &AppState, connections: &[&Connection]) -> AppResult<AttentionReport> {
    let records = state.attention.records();
    let annotations = records.annotations.get()?;
    let dismissals = records.dismissals.get()?;
    let changes = records.changes.get()?;
    let orphans = orphan_reports(state)?;
    let lists = state.attention.lists.lock()?;
    let no_annotations = BTreeMap::new();
    let held: Vec<(&Connection, &HeldList)> = connections
        .iter()
        .filter_map(|connection| Some((*connection, lists.get(&connection.id)?)))
        .collect();
    let inventories: Vec<ConnectionInventory<'_>> = held
        .iter()
        .map(|(connection, list)| ConnectionInventory {
            connection_id: &connection.id,
            provider: connection.settings.provider,
            keys: &list.keys,
            changes: changes
                .get(&connection.id)
                .map(Vec::as_slice)
                .unwrap_or_default(),
            // Known for every connection: a key nobody annotated is unowned.
            annotations: Some(annotations.get(&connection.id).unwrap_or(&no_annotations)),
            orphans: orphans
                .get(&connection.id)
                .map(Vec::as_slice)
                .unwrap_or_default(),
        })
        .collect();
    let findings = keydesk_core::attention(&AttentionInput {
        connections: &inventories,
        dismissals: &dismissals,
        now: Utc::now(),
        config: AttentionConfig::default(),
    });
    // By id: a look-up per finding, not a scan of 10,000 keys.
    let last_used: HashMap<(&str, &str), Option<DateTime<Utc>>> = held
        .iter()
        .flat_map(|(connection, list)| {
            list.keys
                .iter()
                .map(|key| ((connection.id.as_str(), key.id.as_str()), key.last_used_at))
        })
        .collect();
    let items = findings
        .into_iter()
        .filter_map(|finding| {
            let connection = connections
                .iter()
                .find(|connection| connection.id == finding.connection_id)?;
            let owner = annotations
                .get(&connection.id)
                .and_then(|keys| keys.get(&finding.key_id))
                .and_then(|annotation| annotation.owner().map(str::to_owned));
            let last_used_at = last_used
                .get(&(finding.connection_id.as_str(), finding.key_id.as_str()))
                .copied()
                .flatten();
            Some(AttentionItem {
                connection_name: connection.settings.name.clone(),
                provider: connection.settings.provider,
                last_used_at,
                owner,
                finding,
            })
        })
        .collect();
    Ok(AttentionReport {
        items,
        checked_at: held.iter().map(|(_, list)| list.taken_at).min(),
        failures: Vec::new(),
    })
}

/// The orphans the activity log reports (creates whose secret never arrived), by
/// connection id. Core leaves out those revoked or no longer listed: that resolves them.
fn orphan_reports(state: &AppState) -> AppResult<BTreeMap<String, Vec<OrphanReport>>> {
    let mut orphans: BTreeMap<String, Vec<OrphanReport>> = BTreeMap::new();
    for entry in state.activity.list(u32::MAX)? {
        if entry.result != ActivityResult::Orphaned {
            continue;
        }
        let (Some(connection_id), Some(key_id), Ok(reported_at)) = (
            entry.connection_id,
            entry.key_id,
            entry.at.parse::<DateTime<Utc>>(),
        ) else {
            continue;
        };
        orphans
            .entry(connection_id)
            .or_default()
            .push(OrphanReport {
                key_id,
                reported_at,
            });
    }
    Ok(orphans)
}

/// Every annotation of `connection_id`, by key id.
pub fn key_annotations(
    state: &AppState,
    connection_id: &str,
) -> AppResult<BTreeMap<String, Annotation>> {
    state
        .attention
        .records()
        .annotations
        .read(|annotations| annotations.get(connection_id).cloned().unwrap_or_default())
}

/// Sets the annotation of `key_id` (logged as `annotate`) and answers it as stored (blank
/// owner and note left out); an empty one removes it.
pub async fn set_annotation(
    state: &AppState,
    connection_id: &str,
    key_id: &str,
    annotation: Annotation,
) -> AppResult<Annotation> {
    annotation.validate()?;
    let connection = connection(state, connection_id).await?;
    let blank_to_none = |text: Option<String>| {
        text.map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty())
    };
    let annotation = Annotation {
        owner: blank_to_none(annotation.owner),
        note: blank_to_none(annotation.note),
        tags: annotation.tags,
    };
    let stored = state.attention.records().annotations.update(|annotations| {
        let keys = annotations.entry(connection_id.to_owned()).or_default();
        if annotation == Annotation::default() {
            keys.remove(key_id);
        } else {
            keys.insert(key_id.to_owned(), annotation.clone());
        }
        if keys.is_empty() {
            annotations.remove(connection_id);
        }
    });
    let record = activity("annotate", state, &connection, key_id);
    state.activity.record(record, stored.map(|()| annotation))
}

/// Snoozes the finding `rule` of `key_id` for `snooze_days` (7 or 30), or with `None` marks
/// it reviewed for good; logged as `snooze` or `review`.
pub async fn dismiss_finding(
    state: &AppState,
    connection_id: &str,
    key_id: &str,
    rule: Rule,
    snooze_days: Option<u32>,
) -> AppResult<()> {
    if let Some(days) = snooze_days
        && !SNOOZE_DAYS.contains(&days)
    {
        return Err(AppError::validation(
            "snooze_days",
            "Snooze a finding for 7 or 30 days, or mark it reviewed.",
        ));
    }
    let connection = connection(state, connection_id).await?;
    let now = Utc::now();
    let action = if snooze_days.is_some() {
        "snooze"
    } else {
        "review"
    };
    let record = activity(action, state, &connection, key_id);
    // A reviewed change is done with: it goes, so the same key appearing or disappearing
    // again is told again.
    if snooze_days.is_none() && matches!(rule, Rule::Appeared | Rule::Disappeared) {
        let stored = tracking::reviewed_change(state, connection_id, key_id, rule);
        return state.activity.record(record, stored);
    }
    let dismissal = Dismissal {
        connection_id: connection_id.to_owned(),
        key_id: key_id.to_owned(),
        rule,
        until: snooze_days.map(|days| now + Duration::days(i64::from(days))),
    };
    let stored = state.attention.records().dismissals.update(|dismissals| {
        // Dismissals that no longer hold hide nothing: they go, as does the one replaced.
        dismissals.retain(|kept| {
            kept.holds_at(now)
                && (kept.connection_id.as_str(), kept.key_id.as_str(), kept.rule)
                    != (connection_id, key_id, rule)
        });
        dismissals.push(dismissal);
    });
    state.activity.record(record, stored)
}

/// The connection `connection_id`, once startup has registered the connections.
async fn connection(state: &AppState, connection_id: &str) -> AppResult<Connection> {
    state.startup.ready().await;
    state
        .connections
        .list()?
        .into_iter()
        .find(|connection| connection.id == connection_id)
        .ok_or_else(|| AppError::not_found("This connection no longer exists."))
}

/// The activity line of `action` on `key_id`, named as the held list last saw it.
fn activity(
    action: &'static str,
    state: &AppState,
    connection: &Connection,
    key_id: &str,
) -> Activity {
    let key_name = state
        .attention
        .held_list(&connection.id)
        .and_then(|list| Some(list.key(key_id)?.name.clone()));
    Activity {
        action,
        connection_id: Some(connection.id.clone()),
        connection_name: Some(connection.settings.name.clone()),
        key_id: Some(key_id.to_owned()),
        key_name,
        operation_id: None,
        ..Activity::default()
    }
}
