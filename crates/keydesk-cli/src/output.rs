//! What the CLI prints: JSON in the shapes the issue fixes, or readable tables.

use chrono::{DateTime, Utc};
use keydesk_core::{CreatedKey, ExposeSecret, Key, ProviderKind};
use serde_json::{Value, json};

/// The list: JSON array of keys, or a table.
pub fn print_keys(provider: ProviderKind, keys: &[Key], as_json: bool) {
    if as_json {
        println!("{}", to_json(&keys));
        return;
    }
    if keys.is_empty() {
        println!("No keys.");
        return;
    }
    print!("{}", table(provider, keys));
}

/// One key after an action.
pub fn print_key(provider: ProviderKind, key: &Key, as_json: bool) {
    if as_json {
        println!("{}", to_json(key));
    } else {
        print!("{}", table(provider, std::slice::from_ref(key)));
    }
}

/// A created or rotated key with its secrets: the only place a secret is printed, on stdout.
pub fn print_created(provider: ProviderKind, created: &CreatedKey, as_json: bool) {
    if as_json {
        let secrets: Vec<Value> = created
            .secrets
            .iter()
            .map(|secret| json!({"label": secret.label, "value": secret.value.expose_secret()}))
            .collect();
        println!("{}", json!({"key": created.key, "secrets": secrets}));
        return;
    }
    print!("{}", table(provider, std::slice::from_ref(&created.key)));
    println!();
    println!("This is the only time this secret will be shown. Store it now.");
    for secret in &created.secrets {
        println!("{}: {}", secret.label, secret.value.expose_secret());
    }
}

/// A create whose answer was lost: the key exists but its secret never arrived.
pub fn print_orphan(key: Option<&Key>, as_json: bool) {
    if as_json {
        println!("{}", json!({"orphaned": true, "key": key}));
    }
    match key {
        Some(key) => eprintln!(
            "keydesk-cli: A key was created, but its secret never arrived: {} ({}). Revoke it with `revoke {}`.",
            key.id, key.masked, key.id
        ),
        None => eprintln!(
            "keydesk-cli: A key was created, but its secret never arrived, and it could not be identified; list the keys and revoke the new one."
        ),
    }
}

/// The outcome of a leaked-key search.
pub fn print_leak(
    provider: ProviderKind,
    masked: &str,
    matches: &[Key],
    ambiguous: bool,
    blind: bool,
    as_json: bool,
) {
    if as_json {
        println!(
            "{}",
            json!({"searched": masked, "matches": matches, "ambiguous": ambiguous,
                   "searchable": !blind})
        );
        return;
    }
    if matches.is_empty() && blind {
        println!(
            "{} lists no part of its keys, so {masked} cannot be matched here. If it may be this \
             organisation's key, revoke its active key.",
            provider.capabilities().display_name
        );
        return;
    }
    if matches.is_empty() {
        println!("No key of this connection matches {masked}.");
        return;
    }
    if ambiguous {
        println!(
            "{} keys match {masked}; check which one leaked before revoking:",
            matches.len()
        );
    } else {
        println!("{masked} is this key:");
    }
    print!("{}", table(provider, matches));
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Serializing our own model cannot fail; fall back to `null` rather than panic.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

fn time(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| at.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".to_owned())
}

fn table(provider: ProviderKind, keys: &[Key]) -> String {
    let caps = provider.capabilities();
    let last_used = |key: &Key| {
        if !caps.tracks_last_used {
            return "not tracked".to_owned();
        }
        match (key.last_used_at, &key.last_used_ip) {
            (None, _) => "never".to_owned(),
            (Some(at), Some(ip)) => format!("{} from {ip}", time(Some(at))),
            (Some(at), None) => time(Some(at)),
        }
    };
    let mut rows = vec![[
        "ID".to_owned(),
        "NAME".to_owned(),
        "KEY".to_owned(),
        "ENV".to_owned(),
        "STATUS".to_owned(),
        "CREATED".to_owned(),
        "LAST USED".to_owned(),
        "EXPIRES".to_owned(),
    ]];
    for key in keys {
        let status = match key
            .rotation
            .as_ref()
            .and_then(|rotation| rotation.grace_expires_at)
        {
            Some(until) if key.status == keydesk_core::KeyStatus::Rotating => {
                format!("rotating until {}", time(Some(until)))
            }
            _ => key.status.as_str().to_owned(),
        };
        rows.push([
            key.id.clone(),
            key.name.clone(),
            key.masked.clone(),
            key.environment
                .map_or("-", |environment| environment.as_str())
                .to_owned(),
            status,
            time(key.created_at),
            last_used(key),
            time(key.expires_at),
        ]);
    }
    let mut widths = [0usize; 8];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}
