//! The start frame: the HTML of the UI's shell (sidebar and the first connection's keys, as
//! the app showed them), kept in `start-frame.json` so the next start paints it with the
//! window's first frame instead of ≈ 250 ms later, once the bundle has run and asked for the
//! snapshot (issue #18).
//!
//! The UI saves it while the app runs ([`save`]); Rust hands it to the next start's page as a
//! webview initialization script ([`init_script`]), read before the window is built. It holds
//! what the screen showed of metadata the snapshot already holds (names, prefixes, statuses,
//! dates), never a secret: a frame holding a created secret not yet acknowledged is refused.
//!
//! A frame is only as good as what it shows, so it is discarded when that changes without the
//! UI saving a new one: the snapshot of its connection ([`snapshots_changed`], a hook of the
//! snapshots' record file) and the settings file, which holds the connections and the theme
//! ([`settings_changed`], from the settings store).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use keydesk_core::InventorySnapshot;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::attention::records::{AttentionRecords, Snapshots};
use crate::error::{AppError, AppResult};
use crate::keys::last_known::shown_snapshot;
use crate::reveal::RevealVault;
use crate::settings::{SettingsStore, Theme, write_atomically};
use crate::state::AppState;

/// The file's name in the data dir.
pub const FILE_NAME: &str = "start-frame.json";

/// The schema the file is written with; a file of another schema is not shown.
pub const SCHEMA_VERSION: u32 = 1;

/// The most HTML a frame may hold: the shell of a connection with thousands of keys shows
/// only the rows on screen, far less than this.
pub const MAX_HTML_BYTES: usize = 1024 * 1024;

/// What `start-frame.json` holds. The HTML is kept as the JSON string literal the page's
/// script takes (see [`script_literal`]), so a start copies it instead of decoding and
/// encoding it again: the window waits for this read.
#[derive(Serialize, Deserialize)]
struct StoredFrame<'a> {
    schema_version: u32,
    /// The connection whose keys it shows: the first one when it was saved.
    connection_id: String,
    /// When that connection's snapshot was taken: the frame shows its keys "as of" then.
    taken_at: DateTime<Utc>,
    /// The theme it was painted in, so the next start paints it in the same colours.
    theme: Theme,
    /// The shell's HTML.
    #[serde(borrow)]
    html: &'a RawValue,
}

/// The part of the file the snapshots' hook needs: not the HTML.
#[derive(Deserialize)]
struct FrameOf {
    connection_id: String,
}

fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// Saves `html` as the start frame of the first connection, as of its complete snapshot, in
/// the stored theme. With no connection, or none of its lists taken by Keydesk (the rule of
/// `last_inventory`), there is nothing a start could show: any frame is discarded.
pub fn save(state: &AppState, html: &str) -> AppResult<()> {
    save_in(
        &state.data_dir,
        &state.settings,
        state.attention.records(),
        &state.reveals,
        html,
    )
}

fn save_in(
    data_dir: &Path,
    settings: &SettingsStore,
    records: &AttentionRecords,
    reveals: &RevealVault,
    html: &str,
) -> AppResult<()> {
    validate(html, reveals)?;
    let stored = settings.snapshot()?;
    let Some(first) = stored.connections.first() else {
        discard(data_dir);
        return Ok(());
    };
    let Some(snapshot) = records
        .snapshots
        .read(|snapshots| shown_snapshot(snapshots, &first.id).cloned())?
    else {
        discard(data_dir);
        return Ok(());
    };
    let cannot_save = || AppError::internal("Could not save the start frame.");
    let html = script_literal(html).map_err(|_| cannot_save())?;
    let frame = StoredFrame {
        schema_version: SCHEMA_VERSION,
        connection_id: first.id.clone(),
        taken_at: snapshot.taken_at,
        theme: stored.settings.theme,
        html: &html,
    };
    let bytes = serde_json::to_vec(&frame).map_err(|_| cannot_save())?;
    write_atomically(&path(data_dir), &bytes).map_err(|error| {
        tracing::warn!(%error, "could not save the start frame");
        cannot_save()
    })?;
    // A change that came while this was written found no frame to discard (or an older one):
    // the frame goes now instead of showing what no longer is.
    let unchanged = settings.snapshot()? == stored
        && records.snapshots.read(|snapshots| {
            shown_snapshot(snapshots, &first.id).is_some_and(|now| Arc::ptr_eq(now, &snapshot))
        })?;
    if !unchanged {
        discard(data_dir);
    }
    Ok(())
}

/// The rules a frame's HTML must meet before anything is written. The messages never quote
/// the HTML, nor the secret it held.
fn validate(html: &str, reveals: &RevealVault) -> AppResult<()> {
    if html.trim().is_empty() {
        return Err(AppError::validation(
            "html",
            "The start frame must hold the shell's HTML; it was empty.",
        ));
    }
    if html.len() > MAX_HTML_BYTES {
        return Err(AppError::validation(
            "html",
            "The start frame must hold at most 1 MiB of HTML.",
        ));
    }
    // The UI never puts a secret in the shell; this holds even if a dialog's text slipped in.
    if reveals.any_secret_in(html)? {
        return Err(AppError::validation(
            "html",
            "The start frame must not hold a created key's secret; it was not saved.",
        ));
    }
    Ok(())
}

/// Removes the start frame in `data_dir`, if there is one. Never fails: a frame that cannot
/// be removed is logged, and the next start still checks that it is the first connection's.
pub fn discard(data_dir: &Path) {
    match std::fs::remove_file(path(data_dir)) {
        Ok(()) => tracing::debug!("start frame discarded"),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => tracing::debug!(%error, "start frame not discarded"),
    }
}

/// The settings file beside the frame (`settings_file`) changed: connections, names, colours
/// or the theme may look different now.
pub fn settings_changed(settings_file: &Path) {
    if let Some(data_dir) = settings_file.parent() {
        discard(data_dir);
    }
}

/// The snapshots' record file (`snapshots_file`, beside the frame) went from `before` to
/// `after`: a frame of a connection whose snapshot changed shows what no longer is.
pub fn snapshots_changed(snapshots_file: &Path, before: &Snapshots, after: &Snapshots) {
    let Some(data_dir) = snapshots_file.parent() else {
        return;
    };
    let Ok(bytes) = std::fs::read(path(data_dir)) else {
        return;
    };
    let same = |id: &str| match (before.get(id), after.get(id)) {
        (Some(before), Some(after)) => same_snapshot(before, after),
        (None, None) => true,
        _ => false,
    };
    match serde_json::from_slice::<FrameOf>(&bytes) {
        Ok(frame) if same(&frame.connection_id) => {}
        _ => discard(data_dir),
    }
}

/// Unchanged snapshots keep their allocation (a change copies only the one it changes).
fn same_snapshot(before: &Arc<InventorySnapshot>, after: &Arc<InventorySnapshot>) -> bool {
    Arc::ptr_eq(before, after) || before == after
}

/// `html` as a JSON string literal that is also safe in a script: serde_json escapes quotes,
/// backslashes and control characters; this escapes the three it leaves as they are (`<`,
/// which would end an inline <script> at `</script>`, and U+2028/U+2029, which end a line,
/// and so a string literal, in engines older than ES2019). Still JSON for any reader.
fn script_literal(html: &str) -> serde_json::Result<Box<RawValue>> {
    RawValue::from_string(script_safe(&serde_json::to_string(html)?))
}

/// `json` with `<`, U+2028 and U+2029 escaped; they can only be inside its strings.
fn script_safe(json: &str) -> String {
    let mut safe = String::with_capacity(json.len() + json.len() / 8);
    for c in json.chars() {
        match c {
            '<' => safe.push_str("\\u003c"),
            '\u{2028}' => safe.push_str("\\u2028"),
            '\u{2029}' => safe.push_str("\\u2029"),
            c => safe.push(c),
        }
    }
    safe
}

/// The script that hands the start frame to the page before any of its own scripts run:
/// `window.__KEYDESK_START_FRAME__ = {"taken_at", "theme", "html"};`, or `None` when there is
/// no frame of `first_connection_id` (the first connection now) of this schema. A file that
/// cannot be read as a frame is discarded.
///
/// Read before the window is built, so it copies the stored literal instead of decoding and
/// encoding the HTML again: with 200 KB of HTML 0.6 ms instead of 1.3 ms, with the largest
/// (1 MiB, mostly tags) 3 ms instead of 7 (release build, file in the page cache).
pub fn init_script(data_dir: &Path, first_connection_id: &str) -> Option<String> {
    let bytes = match std::fs::read(path(data_dir)) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
        Err(error) => {
            tracing::debug!(%error, "start frame not read");
            return None;
        }
    };
    let frame = match serde_json::from_slice::<StoredFrame<'_>>(&bytes) {
        Ok(frame) if frame.html.get().starts_with('"') => frame,
        _ => {
            discard(data_dir);
            return None;
        }
    };
    let usable = frame.schema_version == SCHEMA_VERSION
        && frame.connection_id == first_connection_id
        && frame.html.get() != "\"\"";
    if !usable {
        return None;
    }
    let html = frame.html.get();
    // A file this Keydesk wrote is script-safe already; one written otherwise is made so.
    let html = if html.contains('<') || html.contains('\u{2028}') || html.contains('\u{2029}') {
        std::borrow::Cow::Owned(script_safe(html))
    } else {
        std::borrow::Cow::Borrowed(html)
    };
    let taken_at = serde_json::to_string(&frame.taken_at).ok()?;
    let theme = serde_json::to_string(&frame.theme).ok()?;
    Some(format!(
        "window.__KEYDESK_START_FRAME__ = {{\"taken_at\":{taken_at},\"theme\":{theme},\"html\":{html}}};"
    ))
}

#[cfg(test)]
mod tests {
    use keydesk_core::{CreatedKey, ErrorKind, Key, KeyStatus, ProviderKind, RevealedSecret};
    use secrecy::SecretString;

    use super::*;
    use crate::settings::{Connection, ConnectionSettings, Settings};

    /// The data dir of a test, with the settings store, the record files and a reveal vault
    /// on it (real files, as the app opens them).
    struct Files {
        dir: tempfile::TempDir,
        settings: SettingsStore,
        records: AttentionRecords,
        reveals: RevealVault,
    }

    impl Files {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let mut notices = Vec::new();
            let settings =
                SettingsStore::open(&dir.path().join("settings.json"), &mut notices).unwrap();
            let records = AttentionRecords::open(dir.path(), &mut notices);
            assert_eq!(notices, Vec::<String>::new());
            Self {
                dir,
                settings,
                records,
                reveals: RevealVault::default(),
            }
        }

        fn data_dir(&self) -> &Path {
            self.dir.path()
        }

        fn save(&self, html: &str) -> AppResult<()> {
            save_in(
                self.data_dir(),
                &self.settings,
                &self.records,
                &self.reveals,
                html,
            )
        }

        fn file(&self) -> PathBuf {
            path(self.data_dir())
        }

        fn stored(&self) -> serde_json::Value {
            serde_json::from_slice(&std::fs::read(self.file()).unwrap()).unwrap()
        }

        /// Adds the connection `id` (after the ones stored) through the settings store.
        fn add_connection(&self, id: &str) {
            let connection = Connection {
                id: id.to_owned(),
                settings: ConnectionSettings {
                    name: format!("Connection {id}"),
                    provider: ProviderKind::ALL[0],
                    base_url: "https://api.example.test".to_owned(),
                    org_id: None,
                    project_id: None,
                    label: None,
                    color: None,
                },
                sandbox: false,
                has_credentials: true,
            };
            self.settings
                .update(|state| {
                    state.connections.push(connection);
                    Ok(())
                })
                .unwrap();
        }

        /// Makes a snapshot of `id` with one key, `complete` or not (the demo's history), as
        /// of `taken_at`.
        fn snapshot(&self, id: &str, taken_at: DateTime<Utc>, complete: bool) {
            let mut snapshot = InventorySnapshot::of(&[key("k1")], taken_at);
            snapshot.complete = complete;
            self.records
                .snapshots
                .update(|all| all.insert(id.to_owned(), Arc::new(snapshot)))
                .unwrap();
            // Written behind the change: on disk before a test looks into the data dir.
            self.records.snapshots.flush().unwrap();
        }
    }

    fn key(id: &str) -> Key {
        Key::bare(
            id.into(),
            format!("key {id}"),
            "sk_…1234".into(),
            KeyStatus::Active,
        )
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    /// Files with connections c1 (listed at 09:00) and c2 (listed too), and a dark theme.
    fn listed() -> Files {
        let files = Files::new();
        files.add_connection("c1");
        files.add_connection("c2");
        files
            .settings
            .update(|state| {
                state.settings.theme = Theme::Dark;
                Ok(())
            })
            .unwrap();
        files.snapshot("c1", at("2026-12-05T09:00:00Z"), true);
        files.snapshot("c2", at("2026-12-05T10:00:00Z"), true);
        files
    }

    const HTML: &str = "<aside>Receipts</aside><table><tr><td>key k1</td></tr></table>";

    #[test]
    fn a_saved_frame_is_the_first_connections_as_of_its_snapshot_in_the_stored_theme() {
        let files = listed();
        files.save(HTML).unwrap();
        assert_eq!(
            files.stored(),
            serde_json::json!({
                "schema_version": SCHEMA_VERSION,
                "connection_id": "c1",
                "taken_at": "2026-12-05T09:00:00Z",
                "theme": "dark",
                "html": HTML,
            })
        );
        // The record files' way of writing: nothing left beside it.
        let temps = std::fs::read_dir(files.data_dir())
            .unwrap()
            .filter(|entry| {
                let name = entry.as_ref().unwrap().file_name();
                name.to_string_lossy().ends_with(".tmp")
            })
            .count();
        assert_eq!(temps, 0);
    }

    #[test]
    fn html_that_is_empty_too_big_or_holds_a_pending_secret_is_refused_before_any_write() {
        let files = listed();
        let secret = "sk_live_startframe_0123456789abcdef";
        let created = CreatedKey {
            key: key("k9"),
            secrets: vec![RevealedSecret {
                label: "API key".into(),
                value: SecretString::from(secret.to_owned()),
            }],
        };
        let reveal = files.reveals.insert("c1", created).unwrap();
        let too_big = "x".repeat(MAX_HTML_BYTES + 1);
        let holding = format!("<td>{secret}</td>");
        for (html, rule) in [
            ("", "empty"),
            (" \n ", "empty"),
            (too_big.as_str(), "at most 1 MiB"),
            (holding.as_str(), "secret"),
        ] {
            let error = files.save(html).unwrap_err();
            assert_eq!(error.kind, ErrorKind::Validation, "{rule}");
            assert_eq!(error.field.as_deref(), Some("html"), "{rule}");
            assert!(error.message.contains(rule), "{}", error.message);
            assert!(!error.message.contains(secret));
            assert!(!files.file().exists(), "{rule}");
        }
        // Exactly 1 MiB is allowed; so is the secret's HTML once it is acknowledged.
        files.save(&"x".repeat(MAX_HTML_BYTES)).unwrap();
        files.reveals.acknowledge(&reveal.reveal_id).unwrap();
        files.save(&holding).unwrap();
        assert_eq!(files.stored()["html"], holding.as_str());
    }

    #[test]
    fn with_nothing_a_start_could_show_any_frame_is_discarded() {
        let files = Files::new();
        std::fs::write(files.file(), b"{}").unwrap();
        // No connection.
        files.save(HTML).unwrap();
        assert!(!files.file().exists());
        // A connection whose only snapshot is the demo's history, not a list Keydesk took.
        files.add_connection("c1");
        files.snapshot("c1", at("2026-12-05T09:00:00Z"), false);
        std::fs::write(files.file(), b"{}").unwrap();
        files.save(HTML).unwrap();
        assert!(!files.file().exists());
        // A list of another connection does not make one.
        files.add_connection("c2");
        files.snapshot("c2", at("2026-12-05T10:00:00Z"), true);
        files.save(HTML).unwrap();
        assert!(!files.file().exists());
    }

    /// The object the script assigns to `window.__KEYDESK_START_FRAME__`.
    fn assigned(script: &str) -> serde_json::Value {
        let json = script
            .strip_prefix("window.__KEYDESK_START_FRAME__ = ")
            .and_then(|rest| rest.strip_suffix(';'))
            .unwrap();
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_init_script_hands_the_first_connections_frame_over_as_a_json_literal() {
        let files = listed();
        let html = "<td title=\"a 'b'\">x\\y</td></script><script>alert(1)</script>\u{2028}\
                    \u{2029}`${z}`<!--";
        files.save(html).unwrap();
        let script = init_script(files.data_dir(), "c1").unwrap();
        assert_eq!(
            assigned(&script),
            serde_json::json!({"taken_at": "2026-12-05T09:00:00Z", "theme": "dark", "html": html})
        );
        // Nothing of the HTML can end the literal or the script it may be inlined in.
        assert!(!script.contains("</script"), "{script}");
        assert!(!script.contains('\u{2028}') && !script.contains('\u{2029}'));
        assert_eq!(script.lines().count(), 1);

        // The file is JSON like any other: the HTML reads back as it was.
        assert_eq!(files.stored()["html"], html);
        // One written by other means (`<` and U+2028 as they are) is made safe all the same.
        std::fs::write(files.file(), files.stored().to_string()).unwrap();
        assert!(
            std::fs::read_to_string(files.file())
                .unwrap()
                .contains("</script")
        );
        let rewritten = init_script(files.data_dir(), "c1").unwrap();
        assert_eq!(rewritten, script);

        // Another first connection, another schema: no frame, and the file stays.
        assert_eq!(init_script(files.data_dir(), "c2"), None);
        let mut other = files.stored();
        other["schema_version"] = serde_json::json!(SCHEMA_VERSION + 1);
        std::fs::write(files.file(), other.to_string()).unwrap();
        assert_eq!(init_script(files.data_dir(), "c1"), None);
        assert!(files.file().exists());

        // A file that is no frame is removed.
        std::fs::write(files.file(), b"{\"schema_version\": 1, \"html").unwrap();
        assert_eq!(init_script(files.data_dir(), "c1"), None);
        assert!(!files.file().exists());
        // No file: nothing to do.
        assert_eq!(init_script(files.data_dir(), "c1"), None);
    }

    #[test]
    fn a_change_of_the_frames_snapshot_discards_it_one_of_another_connection_does_not() {
        let files = listed();
        files.save(HTML).unwrap();
        // Another connection listed again.
        files.snapshot("c2", at("2026-12-05T11:00:00Z"), true);
        assert!(files.file().exists());
        // A change that changes nothing writes nothing, and keeps the frame.
        files.records.snapshots.update(|_| ()).unwrap();
        assert!(files.file().exists());
        // A key of the frame's connection changed (disabled, revoked: same taken_at).
        files
            .records
            .snapshots
            .update(|all| {
                let snapshot = Arc::make_mut(all.get_mut("c1").unwrap());
                let mut disabled = key("k1");
                disabled.status = KeyStatus::Disabled;
                snapshot.keys = vec![disabled];
            })
            .unwrap();
        assert!(!files.file().exists());
        // Listed again.
        files.save(HTML).unwrap();
        files.snapshot("c1", at("2026-12-05T12:00:00Z"), true);
        assert!(!files.file().exists());
        // Forgotten with its connection.
        files.save(HTML).unwrap();
        files
            .records
            .snapshots
            .update(|all| all.remove("c1"))
            .unwrap();
        assert!(!files.file().exists());
    }

    #[test]
    fn a_change_of_the_settings_discards_the_frame_a_save_that_changes_nothing_does_not() {
        let files = listed();
        files.save(HTML).unwrap();
        files.settings.update(|_| Ok(())).unwrap();
        assert!(files.file().exists());
        // The theme, as save_settings stores it.
        files
            .settings
            .update(|state| {
                state.settings = Settings {
                    theme: Theme::Light,
                    ..state.settings.clone()
                };
                Ok(())
            })
            .unwrap();
        assert!(!files.file().exists());
        files.save(HTML).unwrap();
        assert_eq!(files.stored()["theme"], "light");
        // A connection renamed, as the registry saves it.
        files
            .settings
            .update(|state| {
                state.connections[0].settings.name = "Renamed".into();
                Ok(())
            })
            .unwrap();
        assert!(!files.file().exists());
        // A connection deleted: the next frame is the new first connection's.
        files.save(HTML).unwrap();
        files
            .settings
            .update(|state| {
                state.connections.retain(|connection| connection.id != "c1");
                Ok(())
            })
            .unwrap();
        assert!(!files.file().exists());
        files.save(HTML).unwrap();
        assert_eq!(files.stored()["connection_id"], "c2");
        assert_eq!(files.stored()["taken_at"], "2026-12-05T10:00:00Z");
    }
}
