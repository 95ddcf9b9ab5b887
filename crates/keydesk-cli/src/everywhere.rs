//! Commands over every saved connection at once: `inventory` and `find-leaked` without a
//! connection. A connection that cannot be listed is one line on stderr (with its request
//! id); the others are still printed, and the exit code is that of the first failure.

use std::process::ExitCode;

use keydesk_core::{Error, FoundBy, Key, LeakFingerprint};
use keydesk_local::export::{ANNOTATIONS_FILE, Annotations};
use keydesk_local::files::read_records;
use keydesk_local::settings::Connection;

use crate::saved::{Saved, local};
use crate::{output, report, report_about};

/// Prints the keys of `connections` in the app's export format (`json` or `csv`), or as a
/// table per connection.
pub async fn inventory(
    saved: &Saved,
    connections: &[Connection],
    json: bool,
    csv: bool,
) -> Result<ExitCode, Error> {
    let (listed, failed) = listed(saved, connections).await;
    let annotations = annotations(saved);
    if json {
        let document = keydesk_local::export::InventoryJson {
            inventory: &listed,
            annotations: &annotations,
        };
        output::print_pretty_json(&document).map_err(|_| Error::Internal {
            message: "Could not write the inventory to stdout.".to_owned(),
        })?;
    } else if csv {
        print!(
            "{}",
            keydesk_local::export::inventory_csv(&listed, &annotations)
        );
    } else {
        output::print_inventory(&listed);
    }
    Ok(failed)
}

/// Searches every saved connection's keys, and the fingerprints of the keys the app created,
/// for the `pasted` leaked key.
pub async fn find_leaked(saved: &Saved, pasted: &str, json: bool) -> Result<ExitCode, Error> {
    let fingerprint = LeakFingerprint::parse(pasted)?;
    let (listed, failed) = listed(saved, &saved.connections).await;
    let remembered = match keydesk_local::fingerprints::for_search(&saved.data_dir, &saved.vault) {
        Ok(remembered) => remembered,
        Err(error) => {
            // The listed fragments are still searched; say what could not be.
            report(&local(error));
            None
        }
    };
    let found = keydesk_local::leak::search(&fingerprint, &listed, remembered.as_ref());
    let matches: Vec<output::LeakMatch<'_>> = found
        .matches
        .into_iter()
        .filter_map(|found| {
            let connections: Vec<&Connection> = found
                .connections
                .iter()
                .map(|index| &listed[*index].0)
                .collect();
            connections.first()?;
            Some(output::LeakMatch {
                connections,
                secret_field: match found.found_by {
                    FoundBy::Listed => None,
                    FoundBy::Fingerprint { field } => Some(field),
                },
                key: found.key,
                listed: found.listed,
            })
        })
        .collect();
    let blind: Vec<&Connection> = found.blind.iter().map(|i| &listed[*i].0).collect();
    output::print_leak_everywhere(
        fingerprint.masked(),
        &matches,
        found.ambiguous,
        &blind,
        listed.len(),
        json,
    );
    Ok(failed)
}

/// The keys of every connection of `connections` that could be listed, and the exit code:
/// success, or that of the first connection that failed (each failure is reported).
async fn listed(
    saved: &Saved,
    connections: &[Connection],
) -> (Vec<(Connection, Vec<Key>)>, ExitCode) {
    let mut listed = Vec::new();
    let mut code = None;
    for (connection, keys) in saved.list_all(connections).await {
        match keys {
            Ok(keys) => listed.push((connection, keys)),
            Err(error) => {
                let code_of_this = report_about(Some(&connection.settings.name), &error);
                code.get_or_insert(code_of_this);
            }
        }
    }
    (listed, code.unwrap_or(ExitCode::SUCCESS))
}

/// The owner, note and tags the app keeps; none (with a line on stderr) when the file cannot
/// be read.
fn annotations(saved: &Saved) -> Annotations {
    match read_records(&saved.data_dir.join(ANNOTATIONS_FILE)) {
        Ok(annotations) => annotations.unwrap_or_default(),
        Err(problem) => {
            eprintln!("keydesk-cli: The file of annotations {problem}; exported without them.");
            Annotations::default()
        }
    }
}
