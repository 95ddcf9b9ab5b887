//! Incident records: a containment (revoke, disable, rotate or replace of a key found by a
//! leak search or named by an Attention finding) writes ONE activity entry that says which
//! key, what was done, the provider's request ids and when; the incident report gathers a
//! leak search and the containments after it into Markdown and JSON for the ticket. Neither
//! ever holds a secret: keys appear by name, masked form and id.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use keydesk_core::Key;
use serde::{Deserialize, Serialize};

use crate::activity::{Activity, ActivityEntry};
use crate::error::{AppError, AppResult};
use crate::export;
use crate::keys::LeakSearch;
use crate::settings::Connection;
use crate::state::AppState;

/// What a containment was started from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum IncidentContext {
    /// A pasted leaked key's search result.
    Leak,
    /// An Attention finding.
    Attention,
}

/// The containment part of an activity entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Incident {
    /// What it was started from.
    pub context: IncidentContext,
    /// What was done, in one sentence.
    pub done: String,
    /// The request ids of every provider answer, in order.
    pub request_ids: Vec<String>,
    /// When Keydesk sent the first request (RFC 3339, UTC); the entry's `at` is when it ended.
    pub started_at: String,
    /// The key that took over, for a rotate or replace.
    pub successor_key_id: Option<String>,
    /// Its name.
    pub successor_key_name: Option<String>,
}

/// What a leak search found, on its activity entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LeakRecord {
    /// The pasted key, masked (never the key).
    pub pasted_masked: String,
    /// The keys it matched.
    pub matches: Vec<LeakFound>,
}

/// One key a leak search matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LeakFound {
    /// The connection listing it.
    pub connection_id: String,
    /// Its name.
    pub connection_name: String,
    /// The key's id.
    pub key_id: String,
    /// The key's name.
    pub key_name: String,
    /// The key's masked form.
    pub key_masked: String,
}

/// The activity line of a leak search that answered `search` for a key masked as
/// `pasted_masked`: it names what it found (connection, key name, masked), and the one match
/// as its connection and key.
pub fn leak_search_activity(pasted_masked: &str, search: &LeakSearch) -> Activity {
    let matches: Vec<LeakFound> = search
        .matches
        .iter()
        .map(|found| LeakFound {
            connection_id: found.connection_id.clone(),
            connection_name: found.connection_name.clone(),
            key_id: found.key.id.clone(),
            key_name: found.key.name.clone(),
            key_masked: found.key.masked.clone(),
        })
        .collect();
    let named: Vec<String> = matches
        .iter()
        .map(|found| {
            format!(
                "{} / {} ({})",
                found.connection_name, found.key_name, found.key_masked
            )
        })
        .collect();
    let searched = search.searched.len();
    let detail = match named.as_slice() {
        [] => format!("{pasted_masked}: no match in {searched} connection(s)"),
        [one] => format!("{pasted_masked}: found {one}"),
        many => format!(
            "{pasted_masked}: {} matches: {}",
            many.len(),
            many.join("; ")
        ),
    };
    let detail = match search.failed.len() {
        0 => detail,
        failed => format!("{detail}; {failed} connection(s) could not be searched"),
    };
    let only = match matches.as_slice() {
        [only] => Some(only),
        _ => None,
    };
    Activity {
        connection_id: only.map(|found| found.connection_id.clone()),
        connection_name: only.map(|found| found.connection_name.clone()),
        key_id: only.map(|found| found.key_id.clone()),
        key_name: only.map(|found| found.key_name.clone()),
        key_masked: only.map(|found| found.key_masked.clone()),
        detail: Some(detail),
        leak: Some(LeakRecord {
            pasted_masked: pasted_masked.to_owned(),
            matches,
        }),
        ..Activity::default()
    }
}

/// What a containment flow knows once it is over; [`record`] writes it.
pub struct Containment<'a> {
    /// `revoke`, `disable`, `rotate`, `replace`…
    pub action: &'static str,
    /// What it was started from.
    pub context: IncidentContext,
    /// The connection it acted in.
    pub connection: &'a Connection,
    /// The key contained.
    pub key_id: &'a str,
    /// That key as last seen (its name and masked form), when known.
    pub key: Option<Key>,
    /// What was done, in one sentence.
    pub done: String,
    /// The request ids of the provider's answers (see `keydesk_core::collect_request_ids`).
    pub request_ids: Vec<String>,
    /// When the first request went out.
    pub started_at: DateTime<Utc>,
    /// The key that took over (rotate, replace).
    pub successor: Option<&'a Key>,
}

impl Containment<'_> {
    /// The activity line of this containment.
    pub fn into_activity(self) -> Activity {
        Activity {
            action: self.action,
            connection_id: Some(self.connection.id.clone()),
            connection_name: Some(self.connection.settings.name.clone()),
            key_id: Some(self.key_id.to_owned()),
            key_name: self.key.as_ref().map(|key| key.name.clone()),
            key_masked: self.key.as_ref().map(|key| key.masked.clone()),
            request_ids: self.request_ids.clone(),
            detail: Some(self.done.clone()),
            incident: Some(Incident {
                context: self.context,
                done: self.done,
                request_ids: self.request_ids,
                started_at: rfc3339(self.started_at),
                successor_key_id: self.successor.map(|key| key.id.clone()),
                successor_key_name: self.successor.map(|key| key.name.clone()),
            }),
            ..Activity::default()
        }
    }
}

/// Writes the one activity entry of `containment`, ended as `result` says, and hands `result`
/// back.
pub fn record<T>(
    state: &AppState,
    containment: Containment<'_>,
    result: AppResult<T>,
) -> AppResult<T> {
    state.activity.record(containment.into_activity(), result)
}

/// `key_id` of `connection_id` as the last list showed it, for a name and masked form to
/// record before the key changes.
pub fn known_key(state: &AppState, connection_id: &str, key_id: &str) -> Option<Key> {
    state.attention.held_key(connection_id, key_id)
}

/// The incident report: the leak search and what was done after it.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentReport {
    /// When the report was made.
    pub generated_at: String,
    /// Who made it (the OS user).
    pub generated_by: String,
    /// The leak search's entry (the pasted key masked, what matched), when the incident began
    /// with one.
    pub search: Option<ActivityEntry>,
    /// The containments' entries, oldest first.
    pub actions: Vec<ActivityEntry>,
}

/// The report of the incident around the activity entry `entry_id` (a leak search or a
/// containment); without one, around the newest leak search.
pub fn report(state: &AppState, entry_id: Option<&str>) -> AppResult<IncidentReport> {
    let entries = state.activity.read_all()?;
    let is_search = |entry: &ActivityEntry| entry.action == "find_leaked_key";
    let anchor = match entry_id {
        Some(id) => entries
            .iter()
            .rposition(|entry| entry.entry_id.as_deref() == Some(id)),
        None => entries.iter().rposition(is_search),
    }
    .ok_or_else(|| AppError::not_found("There is no incident to report in the activity log."))?;
    let anchored = &entries[anchor];
    let from_leak = is_search(anchored)
        || anchored
            .incident
            .as_ref()
            .is_some_and(|incident| incident.context == IncidentContext::Leak);
    // A leak incident runs from its search to the next one; an Attention one is its entry.
    let search = from_leak
        .then(|| entries[..=anchor].iter().rposition(is_search))
        .flatten();
    let actions: Vec<ActivityEntry> = match search {
        Some(start) => entries[start + 1..]
            .iter()
            .take_while(|entry| !is_search(entry))
            .filter(|entry| entry.incident.is_some())
            .cloned()
            .collect(),
        None if anchored.incident.is_some() => vec![anchored.clone()],
        None => Vec::new(),
    };
    Ok(IncidentReport {
        generated_at: rfc3339(Utc::now()),
        generated_by: state.activity.user().to_owned(),
        search: search.map(|index| entries[index].clone()),
        actions,
    })
}

impl IncidentReport {
    /// The report as Markdown, for pasting into a ticket.
    pub fn markdown(&self) -> String {
        let mut md = String::from("# Keydesk incident report\n\n");
        let _ = writeln!(
            md,
            "- Report made: {} by {}",
            self.generated_at, self.generated_by
        );
        md.push_str("\n## Leak search\n\n");
        match &self.search {
            Some(search) => {
                let leak = search.leak.as_ref();
                let pasted = leak.map_or("(not recorded)", |leak| leak.pasted_masked.as_str());
                let _ = writeln!(md, "- Pasted key (masked): `{pasted}`");
                let _ = writeln!(md, "- Searched: {} by {}", search.at, who(search));
                if let Some(summary) = &search.detail {
                    let _ = writeln!(md, "- Result: {summary}");
                }
                for found in leak.iter().flat_map(|leak| &leak.matches) {
                    let (connection, name) = (&found.connection_name, &found.key_name);
                    let (masked, id) = (&found.key_masked, &found.key_id);
                    let _ = writeln!(
                        md,
                        "- Matched: {connection} / {name} (`{masked}`) id `{id}`"
                    );
                }
            }
            None => md.push_str("No leak search: the incident began elsewhere.\n"),
        }
        md.push_str("\n## What was done\n\n");
        if self.actions.is_empty() {
            md.push_str("Nothing yet.\n");
        }
        for entry in &self.actions {
            action_markdown(&mut md, entry);
        }
        md
    }
}

/// One containment's section of the Markdown report.
fn action_markdown(md: &mut String, entry: &ActivityEntry) {
    let result = match &entry.error_kind {
        Some(kind) => format!("{} ({kind})", entry.result.as_str()),
        None => entry.result.as_str().to_owned(),
    };
    let _ = writeln!(md, "### {} — {}\n", entry.action, result);
    let connection = entry.connection_name.as_deref().unwrap_or("?");
    let name = entry.key_name.as_deref().unwrap_or("(unnamed)");
    let masked = entry.key_masked.as_deref().unwrap_or("?");
    let id = entry.key_id.as_deref().unwrap_or("?");
    let _ = writeln!(md, "- Key: {connection} / {name} (`{masked}`) id `{id}`");
    let request_ids = match &entry.incident {
        Some(incident) => {
            let from = match incident.context {
                IncidentContext::Leak => "the leak search",
                IncidentContext::Attention => "an Attention finding",
            };
            let _ = writeln!(md, "- Done: {} (started from {from})", incident.done);
            let _ = writeln!(md, "- Times: {} → {}", incident.started_at, entry.at);
            if let Some(successor) = &incident.successor_key_id {
                let _ = writeln!(md, "- Successor key id: `{successor}`");
            }
            incident.request_ids.clone()
        }
        None => entry.request_id.iter().cloned().collect(),
    };
    let ids: Vec<String> = request_ids.iter().map(|id| format!("`{id}`")).collect();
    let ids = if ids.is_empty() {
        "none reported".to_owned()
    } else {
        ids.join(", ")
    };
    let _ = writeln!(md, "- Provider request ids: {ids}");
    let _ = writeln!(md, "- Who: {}\n", who(entry));
}

/// The OS user, with the token's subject when there is one.
fn who(entry: &ActivityEntry) -> String {
    match &entry.subject {
        Some(subject) => format!("{} (token subject {subject})", entry.user),
        None => entry.user.clone(),
    }
}

/// Where `export_incident_report` wrote the report.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct IncidentReportFiles {
    /// The Markdown file (the path the user chose, ending in `.md`).
    pub markdown: String,
    /// The JSON file beside it.
    pub json: String,
}

/// Writes `report` as Markdown to `path` (given a `.md` extension) and as JSON beside it,
/// and logs the export; answers both paths.
pub fn write_report(
    state: &AppState,
    report: &IncidentReport,
    path: &Path,
) -> AppResult<IncidentReportFiles> {
    let markdown = path.with_extension("md");
    let json = path.with_extension("json");
    let written = serde_json::to_vec_pretty(report)
        .map_err(|_| AppError::internal("Could not encode the incident report."))
        .and_then(|text| {
            export::write_file(&markdown, report.markdown().as_bytes())?;
            export::write_file(&json, &text)
        })
        .map(|()| IncidentReportFiles {
            markdown: markdown.to_string_lossy().into_owned(),
            json: json.to_string_lossy().into_owned(),
        });
    let record = Activity {
        action: "export_incident_report",
        detail: Some(format!("Wrote {}", markdown.display())),
        ..Activity::default()
    };
    state.activity.record(record, written)
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
