//! The commands the UI calls (docs/IPC.md). Each one resolves state, calls one function of
//! the app or of keydesk-core, records the action where it is one, and maps the error.

pub mod attention;
pub mod connections;
pub mod keys;
mod names;
pub mod reveal;
pub mod settings;

pub use names::COMMANDS;

use tauri::Runtime;
use tauri_specta::{collect_commands, collect_events};

use crate::clipboard::ClipboardChange;
use crate::reminders::{AttentionChecked, OpenFinding};
use crate::shortcut::OpenLeakedKey;
use crate::state::InventoryProgress;

/// Every command and event, for the invoke handler and for the generated bindings.
pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
    tauri_specta::Builder::<R>::new()
        .commands(collect_commands![
            connections::provider_capabilities,
            connections::list_connections,
            connections::save_connection,
            connections::delete_connection,
            connections::test_connection,
            connections::start_sandbox,
            keys::list_keys,
            keys::key_details,
            keys::last_inventory,
            keys::save_start_frame,
            keys::create_key,
            keys::rotate_key,
            keys::replace_key,
            keys::scheduled_revokes,
            keys::cancel_scheduled_revoke,
            keys::revoke_key,
            keys::delete_key,
            keys::set_key_enabled,
            keys::cancel_operation,
            keys::unfinished_creates,
            keys::check_unfinished_create,
            keys::find_leaked_key,
            keys::copy_text,
            keys::export_inventory,
            reveal::pending_reveals,
            reveal::reveal_secret,
            reveal::copy_secret,
            reveal::acknowledge_reveal,
            settings::get_settings,
            settings::save_settings,
            settings::list_activity,
            settings::export_activity,
            settings::save_activity_export,
            settings::export_incident_report,
            settings::startup_notices,
            attention::attention,
            attention::key_annotations,
            attention::set_annotation,
            attention::dismiss_finding,
        ])
        .events(collect_events![
            ClipboardChange,
            InventoryProgress,
            crate::keys::ReplaceProgress,
            AttentionChecked,
            OpenFinding,
            OpenLeakedKey
        ])
        // One TypeScript type per Rust type: the UI reads the JSON shapes, not serde phases.
        .disable_serde_phases()
}

/// Where the generated TypeScript bindings live, relative to this crate.
pub const BINDINGS_PATH: &str = "../ui/src/lib/ipc/bindings.ts";

/// Renders the TypeScript bindings of every command, event and type into `path`.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    let typescript = specta_typescript::Typescript::default().header(
        "// generated, do not edit: `UPDATE_BINDINGS=1 cargo test -p keydesk-app bindings` \
         rewrites this file from the Rust types in src-tauri.",
    );
    specta_builder::<tauri::Wry>()
        .export(typescript, path)
        .map_err(|error| error.to_string())
}

/// Where the generated capabilities of the four providers live, relative to this crate: the
/// mock backend and the UI tests read them (through `capabilities.ts`, which types them), so
/// they cannot drift from keydesk-core's.
pub const CAPABILITIES_PATH: &str = "../ui/src/lib/ipc/capabilities.generated.json";

/// What the generated capabilities file holds, in this order.
#[derive(serde::Serialize)]
struct GeneratedCapabilities {
    /// JSON has no comments: the "generated, do not edit" header is a field.
    #[serde(rename = "$comment")]
    comment: &'static str,
    /// What `provider_capabilities` answers.
    capabilities: Vec<keydesk_core::Capabilities>,
    /// The seconds `save_settings` accepts for `clipboard_clear_secs` (when not off).
    clipboard_clear_secs: Bounds,
    /// The minutes `save_settings` accepts for `reminder_minutes` (when not off).
    reminder_minutes: Bounds,
    /// The limits `set_annotation` checks (keydesk-core's `Annotation::validate`).
    annotation: AnnotationLimits,
    /// The thresholds of keydesk-core's attention rules (the mock backend judges with them).
    attention: AttentionThresholds,
}

/// keydesk-core's attention thresholds, as the UI reads them.
#[derive(serde::Serialize)]
struct AttentionThresholds {
    expires_soon_high_days: i64,
    expires_soon_medium_days: i64,
    never_used_after_days: i64,
    grace_ending_hours: i64,
    stale_after_days: u32,
}

/// keydesk-core's annotation limits, as the UI reads them.
#[derive(serde::Serialize)]
struct AnnotationLimits {
    owner_chars: usize,
    note_chars: usize,
    tags: usize,
    tag_chars: usize,
}

/// Inclusive bounds, as the UI reads them.
#[derive(serde::Serialize)]
struct Bounds {
    min: u32,
    max: u32,
}

impl From<std::ops::RangeInclusive<u32>> for Bounds {
    fn from(range: std::ops::RangeInclusive<u32>) -> Self {
        Bounds {
            min: *range.start(),
            max: *range.end(),
        }
    }
}

/// Renders what `provider_capabilities` answers, as pretty JSON, into `path`, with the
/// clipboard auto-clear and reminder bounds the settings accept and the annotation limits
/// (the UI and the mock backend check them before saving).
pub fn export_capabilities(path: &std::path::Path) -> Result<(), String> {
    let generated = GeneratedCapabilities {
        comment: "generated, do not edit: `UPDATE_BINDINGS=1 cargo test -p keydesk-app \
                  bindings` rewrites this file from keydesk-core's provider capabilities and \
                  the app's settings.",
        capabilities: connections::provider_capabilities(),
        clipboard_clear_secs: crate::settings::CLIPBOARD_CLEAR_SECS.into(),
        reminder_minutes: crate::settings::REMINDER_MINUTES.into(),
        annotation: AnnotationLimits {
            owner_chars: keydesk_core::MAX_OWNER_CHARS,
            note_chars: keydesk_core::MAX_NOTE_CHARS,
            tags: keydesk_core::MAX_TAGS,
            tag_chars: keydesk_core::MAX_TAG_CHARS,
        },
        attention: AttentionThresholds {
            expires_soon_high_days: keydesk_core::EXPIRES_SOON_HIGH_DAYS,
            expires_soon_medium_days: keydesk_core::EXPIRES_SOON_MEDIUM_DAYS,
            never_used_after_days: keydesk_core::NEVER_USED_AFTER_DAYS,
            grace_ending_hours: keydesk_core::GRACE_ENDING_HOURS,
            stale_after_days: keydesk_core::DEFAULT_STALE_AFTER_DAYS,
        },
    };
    let json = serde_json::to_string_pretty(&generated).map_err(|error| error.to_string())?;
    std::fs::write(path, json + "\n").map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// What `export` writes now, read back from a temporary file named after `name`.
    fn generated(name: &str, export: fn(&Path) -> Result<(), String>) -> String {
        let fresh = std::env::temp_dir().join(format!("keydesk-{name}-{}", std::process::id()));
        export(&fresh).unwrap();
        let generated = std::fs::read_to_string(&fresh).unwrap();
        std::fs::remove_file(&fresh).unwrap();
        generated
    }

    /// The bindings as the Rust types generate them now.
    fn generated_bindings(name: &str) -> String {
        generated(name, export_bindings)
    }

    /// Fails when the file at `relative` (to this crate) differs from `generated`; with
    /// `UPDATE_BINDINGS=1` set, rewrites it first.
    fn assert_current(relative: &str, generated: &str) {
        let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&committed, generated).unwrap();
        }
        let current = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            current == generated,
            "{} is stale: run `UPDATE_BINDINGS=1 cargo test -p keydesk-app bindings` and commit it",
            committed.display()
        );
    }

    /// Fails when the committed bindings differ from what the Rust types generate. Run with
    /// `UPDATE_BINDINGS=1` to rewrite them.
    #[test]
    fn bindings_are_current() {
        let generated = generated_bindings("bindings");
        assert_current(BINDINGS_PATH, &generated);
        assert!(generated.starts_with("// generated, do not edit"));
        assert!(
            !generated.contains("bigint"),
            "64-bit integers must stay out of IPC types"
        );
    }

    /// Fails when the committed capabilities differ from what keydesk-core declares. Run with
    /// `UPDATE_BINDINGS=1` to rewrite them (the same command as for the bindings).
    #[test]
    fn capabilities_bindings_are_current() {
        let generated = generated("capabilities", export_capabilities);
        assert_current(CAPABILITIES_PATH, &generated);
        let json: serde_json::Value = serde_json::from_str(&generated).unwrap();
        assert!(
            json["$comment"]
                .as_str()
                .unwrap()
                .starts_with("generated, do not edit")
        );
        for provider in keydesk_core::ProviderKind::ALL {
            assert!(
                generated.contains(&format!("\"provider\": \"{provider}\"")),
                "{provider} is missing from the generated capabilities"
            );
        }
        for (field, bounds) in [
            (
                "clipboard_clear_secs",
                crate::settings::CLIPBOARD_CLEAR_SECS,
            ),
            ("reminder_minutes", crate::settings::REMINDER_MINUTES),
        ] {
            assert_eq!(
                json[field],
                serde_json::json!({"min": bounds.start(), "max": bounds.end()}),
                "the {field} bounds are missing from the generated capabilities"
            );
        }
        assert_eq!(
            json["annotation"],
            serde_json::json!({
                "owner_chars": keydesk_core::MAX_OWNER_CHARS,
                "note_chars": keydesk_core::MAX_NOTE_CHARS,
                "tags": keydesk_core::MAX_TAGS,
                "tag_chars": keydesk_core::MAX_TAG_CHARS,
            }),
            "the annotation limits are missing from the generated capabilities"
        );
        assert_eq!(
            json["attention"]["stale_after_days"],
            keydesk_core::DEFAULT_STALE_AFTER_DAYS,
            "the attention thresholds are missing from the generated capabilities"
        );
    }

    /// The invoke handler and `COMMANDS` (which build.rs gates in the app manifest) name the
    /// same commands, and the capability file grants exactly these: the window gets nothing
    /// else but event listening and its title.
    #[test]
    fn every_command_is_gated_and_granted() {
        let bindings = generated_bindings("commands");
        let mut handled: Vec<&str> = bindings
            .split("__TAURI_INVOKE")
            .skip(2) // the import, then one call per command
            .filter_map(|call| call.split('"').nth(1))
            .collect();
        let mut listed = COMMANDS.to_vec();
        handled.sort_unstable();
        listed.sort_unstable();
        assert_eq!(handled, listed);

        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../../capabilities/default.json")).unwrap();
        let granted: Vec<&str> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        let mut expected: Vec<String> = COMMANDS
            .iter()
            .map(|command| format!("allow-{}", command.replace('_', "-")))
            .collect();
        // Events for the clipboard countdown and inventory progress; the title for
        // "Keydesk — <connection>".
        expected.extend([
            "core:event:allow-listen".into(),
            "core:event:allow-unlisten".into(),
            "core:window:allow-set-title".into(),
        ]);
        let mut granted_sorted: Vec<String> = granted.iter().map(|p| p.to_string()).collect();
        granted_sorted.sort();
        expected.sort();
        assert_eq!(granted_sorted, expected);
        assert_eq!(capability["windows"], serde_json::json!(["main"]));
    }
}
