// The name of every command, in one list for two readers: build.rs `include!`s this file to
// gate each command in the app manifest (an `allow-<command>` permission each), and
// `commands::COMMANDS` is this list for the tests. capabilities/default.json grants them.
// No inner doc comments here: build.rs pastes the file in among its own items.

/// The command names, as the app manifest and the capability file grant them.
pub const COMMANDS: &[&str] = &[
    "provider_capabilities",
    "list_connections",
    "save_connection",
    "delete_connection",
    "test_connection",
    "start_sandbox",
    "list_keys",
    "key_details",
    "create_key",
    "rotate_key",
    "replace_key",
    "scheduled_revokes",
    "cancel_scheduled_revoke",
    "revoke_key",
    "delete_key",
    "set_key_enabled",
    "cancel_operation",
    "unfinished_creates",
    "check_unfinished_create",
    "find_leaked_key",
    "export_inventory",
    "pending_reveals",
    "reveal_secret",
    "copy_secret",
    "acknowledge_reveal",
    "get_settings",
    "save_settings",
    "list_activity",
    "export_activity",
    "startup_notices",
    "attention",
    "key_annotations",
    "set_annotation",
    "dismiss_finding",
];
