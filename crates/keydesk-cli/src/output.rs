//! What the CLI prints: JSON in the shapes the issue fixes, or readable tables.

use std::fmt::Write as _;
use std::io::Write as _;

use chrono::{DateTime, Utc};
use keydesk_core::{CreatedKey, ExposeSecret, Finding, Key, ProviderKind, is_control_or_bidi};
use keydesk_local::settings::Connection;
use serde_json::{Value, json};

/// The most characters a key's name takes in a table; longer ones are cut with "…".
const NAME_CHARS: usize = 48;
/// The most characters any other table cell takes (ids, masked keys, "last used" with an IP).
const CELL_CHARS: usize = 80;

/// The list: JSON array of keys, or a table.
pub fn print_keys(provider: ProviderKind, keys: &[Key], as_json: bool) {
    if as_json {
        println!(
            "{}",
            to_json(&keys.iter().map(Key::with_raw).collect::<Vec<_>>())
        );
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
        println!("{}", to_json(&key.with_raw()));
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
        println!(
            "{}",
            json!({"key": created.key.with_raw(), "secrets": secrets})
        );
        return;
    }
    print!("{}", table(provider, std::slice::from_ref(&created.key)));
    println!();
    println!("This is the only time this secret will be shown. Store it now.");
    for secret in &created.secrets {
        // A real key holds no control character, so escaping changes none; a server's
        // forged one cannot drive the terminal.
        println!(
            "{}: {}",
            secret.label,
            escaped(secret.value.expose_secret())
        );
    }
}

/// A create whose answer was lost: the key exists but its secret never arrived.
pub fn print_orphan(key: Option<&Key>, as_json: bool) {
    if as_json {
        println!(
            "{}",
            json!({"orphaned": true, "key": key.map(Key::with_raw)})
        );
    }
    match key {
        Some(key) => eprintln!(
            "keydesk-cli: A key was created, but its secret never arrived: \"{}\" ({}, {}). Revoke it with `revoke {}`.",
            shown(&key.name, NAME_CHARS),
            shown(&key.id, CELL_CHARS),
            shown(&key.masked, CELL_CHARS),
            escaped(&key.id)
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
        let matches: Vec<_> = matches.iter().map(Key::with_raw).collect();
        println!(
            "{}",
            json!({"searched": masked, "matches": matches, "ambiguous": ambiguous,
                   "searchable": !blind})
        );
        return;
    }
    let masked = shown(masked, CELL_CHARS);
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
    print_match_heading(matches.len(), &masked, ambiguous);
    print!("{}", table(provider, matches));
}

/// The line above the keys a leaked-key search matched.
fn print_match_heading(count: usize, masked: &str, ambiguous: bool) {
    if ambiguous {
        println!("{count} keys match {masked}; check which one leaked before revoking:");
    } else {
        println!("{masked} is this key:");
    }
}

/// Attention findings: a JSON array of findings, or a table of severity, key, rule and reason.
pub fn print_findings(findings: &[Finding], as_json: bool) {
    if as_json {
        println!("{}", to_json(&findings));
        return;
    }
    if findings.is_empty() {
        println!("Nothing needs attention.");
        return;
    }
    let mut rows = vec![[
        "SEVERITY".to_owned(),
        "KEY".to_owned(),
        "NAME".to_owned(),
        "RULE".to_owned(),
        "REASON".to_owned(),
    ]];
    for finding in findings {
        rows.push([
            finding.severity.as_str().to_owned(),
            shown(&finding.key_id, CELL_CHARS),
            shown(&finding.key_name, NAME_CHARS),
            finding.rule.as_str().to_owned(),
            escaped(&finding.reason),
        ]);
    }
    print!("{}", columns(&rows));
}

/// The app's saved connections: a JSON array (id, name, provider, base URL, org, project,
/// label, sandbox, has_credentials: never a credential), or a table.
pub fn print_connections(connections: &[Connection], as_json: bool) {
    let header = ["NAME", "PROVIDER", "BASE URL", "ID"].map(str::to_owned);
    let text = match (as_json, connections) {
        (true, _) => to_json(&connections) + "\n",
        (false, []) => "No connection is saved in Keydesk.\n".to_owned(),
        (false, connections) => columns(
            &std::iter::once(header)
                .chain(connections.iter().map(|connection| {
                    [
                        shown(&connection.settings.name, NAME_CHARS),
                        connection.settings.provider.as_str().to_owned(),
                        shown(&connection.settings.base_url, CELL_CHARS),
                        shown(&connection.id, CELL_CHARS),
                    ]
                }))
                .collect::<Vec<_>>(),
        ),
    };
    print!("{text}");
}

/// A document the app would write to a file, as the file holds it.
pub fn print_pretty_json(value: &impl serde::Serialize) -> std::io::Result<()> {
    // Written as it is serialized, through one buffer: an export of 40,000 keys is tens of
    // megabytes that need not be held as one string first.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Each connection's name and provider, then its keys as a table.
pub fn print_inventory(inventory: &[(Connection, Vec<Key>)]) {
    for (index, (connection, keys)) in inventory.iter().enumerate() {
        if index > 0 {
            println!();
        }
        let provider = connection.settings.provider;
        println!(
            "{} ({}, {} keys)",
            shown(&connection.settings.name, NAME_CHARS),
            provider.as_str(),
            keys.len()
        );
        if keys.is_empty() {
            println!("No keys.");
        } else {
            print!("{}", table(provider, keys));
        }
    }
}

/// A key matching a leaked one, with the saved connections listing it.
pub struct LeakMatch<'a> {
    /// Every connection listing it (the same account), the first one where to act.
    pub connections: Vec<&'a Connection>,
    /// The key.
    pub key: Key,
    /// Which secret a fingerprint match is; `None` for a listed fragment.
    pub secret_field: Option<String>,
    /// Whether its connection lists it now.
    pub listed: bool,
}

/// The outcome of a leaked-key search over every saved connection (`searched` of them
/// listed).
pub fn print_leak_everywhere(
    masked: &str,
    matches: &[LeakMatch<'_>],
    ambiguous: bool,
    blind: &[&Connection],
    searched: usize,
    as_json: bool,
) {
    if as_json {
        let matches: Vec<Value> = matches
            .iter()
            .map(|found| {
                json!({
                    "connection_id": found.connections.first().map(|c| &c.id),
                    "connection_name": found.connections.first().map(|c| &c.settings.name),
                    "connections": found.connections.iter().map(|c| &c.id).collect::<Vec<_>>(),
                    "key": found.key.with_raw(),
                    "found_by": if found.secret_field.is_some() { "fingerprint" } else { "listed" },
                    "secret_field": found.secret_field,
                    "listed": found.listed,
                })
            })
            .collect();
        let unsearchable: Vec<&str> = blind.iter().map(|c| c.id.as_str()).collect();
        println!(
            "{}",
            json!({"searched": masked, "matches": matches, "ambiguous": ambiguous,
                   "unsearchable": unsearchable})
        );
        return;
    }
    let masked = shown(masked, CELL_CHARS);
    if matches.is_empty() {
        println!("No key of the {searched} connections searched matches {masked}.");
        for connection in blind {
            println!(
                "{} lists no part of its keys, so {masked} cannot be matched there.",
                shown(&connection.settings.name, NAME_CHARS)
            );
        }
        return;
    }
    print_match_heading(matches.len(), &masked, ambiguous);
    for found in matches {
        let Some(first) = found.connections.first() else {
            continue;
        };
        let names: Vec<String> = found
            .connections
            .iter()
            .map(|c| shown(&c.settings.name, NAME_CHARS))
            .collect();
        println!();
        println!(
            "In {} (--connection {}){}:",
            names.join(", "),
            shown(&first.id, CELL_CHARS),
            if found.listed {
                ""
            } else {
                ", no longer listed"
            }
        );
        print!(
            "{}",
            table(first.settings.provider, std::slice::from_ref(&found.key))
        );
    }
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
            shown(&key.id, CELL_CHARS),
            shown(&key.name, NAME_CHARS),
            shown(&key.masked, CELL_CHARS),
            key.environment
                .map_or("-", |environment| environment.as_str())
                .to_owned(),
            status,
            time(key.created_at),
            shown(&last_used(key), CELL_CHARS),
            time(key.expires_at),
        ]);
    }
    columns(&rows)
}

/// `rows` as aligned columns, two spaces apart; the first row is the header.
fn columns<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    // Padded by hand: a width from a server's text never reaches a format width (over
    // 65,535 that panics), and every cell is cut and escaped before it is measured.
    let mut text = String::new();
    for row in rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            if !line.is_empty() {
                line.push_str("  ");
            }
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// `text` as it may reach a terminal: every character [`is_control_or_bidi`] picks written
/// as an escape (`\x1b`, `\r`, `\u{202e}`), so a server's text cannot forge rows, move the
/// cursor or retitle the window.
pub fn escaped(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => safe.push_str("\\n"),
            '\r' => safe.push_str("\\r"),
            '\t' => safe.push_str("\\t"),
            c if is_control_or_bidi(c) && u32::from(c) <= 0xff => {
                let _ = write!(safe, "\\x{:02x}", u32::from(c));
            }
            c if is_control_or_bidi(c) => {
                let _ = write!(safe, "\\u{{{:04x}}}", u32::from(c));
            }
            c => safe.push(c),
        }
    }
    safe
}

/// `text` escaped and cut to at most `max_chars` characters (by characters, not bytes), the
/// cut marked with "…".
fn shown(text: &str, max_chars: usize) -> String {
    let safe = escaped(text);
    if safe.chars().count() <= max_chars {
        return safe;
    }
    let mut cut: String = safe.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_direction_marks_are_escaped() {
        assert_eq!(
            escaped("a\u{1b}]0;pwned\u{7}\r\nb\u{202e}c\u{9b}"),
            "a\\x1b]0;pwned\\x07\\r\\nb\\u{202e}c\\x9b"
        );
        assert_eq!(escaped("Zürich – CI ✓"), "Zürich – CI ✓");
    }

    #[test]
    fn long_cells_are_cut_by_characters() {
        assert_eq!(shown("ééééé", 3), "éé…");
        assert_eq!(shown("abc", 3), "abc");
        assert_eq!(shown("\u{1b}\u{1b}", 5), "\\x1b…");
    }
}
