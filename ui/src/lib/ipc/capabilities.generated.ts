// generated, do not edit: `UPDATE_BINDINGS=1 cargo test -p keydesk-app bindings` rewrites this file from keydesk-core's provider capabilities and the app's settings.

import type { Capabilities } from './bindings';

/** What `provider_capabilities` answers: the four providers, as keydesk-core declares them. */
export const CAPABILITIES: Capabilities[] = [
  {
    "provider": "oligon",
    "display_name": "Oligon Receipts",
    "actions": [
      "create",
      "revoke",
      "delete"
    ],
    "create_fields": [
      {
        "name": "name",
        "label": "Name",
        "kind": "text",
        "required": true,
        "help": "A label to recognise the key by.",
        "min_length": 1,
        "max_length": 120,
        "pattern": null,
        "pattern_hint": null,
        "options": [],
        "min": null,
        "max": null,
        "max_entries": null,
        "max_key_length": null,
        "max_value_length": null,
        "requires": null
      },
      {
        "name": "scopes",
        "label": "Scopes",
        "kind": "scopes",
        "required": false,
        "help": "No scopes gives a key that can call nothing.",
        "min_length": null,
        "max_length": null,
        "pattern": null,
        "pattern_hint": null,
        "options": [
          "extract:read",
          "extract:write",
          "analytics:read",
          "admin:write"
        ],
        "min": null,
        "max": null,
        "max_entries": null,
        "max_key_length": null,
        "max_value_length": null,
        "requires": null
      },
      {
        "name": "environment",
        "label": "Environment",
        "kind": "environment",
        "required": false,
        "help": "Test unless set to live.",
        "min_length": null,
        "max_length": null,
        "pattern": null,
        "pattern_hint": null,
        "options": [
          "test",
          "live"
        ],
        "min": null,
        "max": null,
        "max_entries": null,
        "max_key_length": null,
        "max_value_length": null,
        "requires": null
      }
    ],
    "tracks_last_used": true,
    "tracks_last_used_ip": true,
    "pagination": "none",
    "single_active_key": false,
    "rotate_grace": null,
    "credential_fields": [
      {
        "name": "token",
        "label": "Dashboard token (JWT)",
        "secret": true
      }
    ],
    "connection_fields": []
  },
  {
    "provider": "fiskaly",
    "display_name": "fiskaly",
    "actions": [
      "create",
      "delete",
      "enable",
      "disable"
    ],
    "create_fields": [
      {
        "name": "name",
        "label": "Name",
        "kind": "text",
        "required": true,
        "help": null,
        "min_length": 3,
        "max_length": 30,
        "pattern": "^[a-z0-9-]{3,30}$",
        "pattern_hint": "3–30 lowercase letters, digits or hyphens",
        "options": [],
        "min": null,
        "max": null,
        "max_entries": null,
        "max_key_length": null,
        "max_value_length": null,
        "requires": null
      },
      {
        "name": "environment",
        "label": "Kind",
        "kind": "environment",
        "required": true,
        "help": null,
        "min_length": null,
        "max_length": null,
        "pattern": null,
        "pattern_hint": null,
        "options": [
          "test",
          "live"
        ],
        "min": null,
        "max": null,
        "max_entries": null,
        "max_key_length": null,
        "max_value_length": null,
        "requires": null
      },
      {
        "name": "metadata",
        "label": "Metadata",
        "kind": "metadata",
        "required": false,
        "help": "Up to 20 entries; keys up to 40 characters, values up to 500.",
        "min_length": null,
        "max_length": null,
        "pattern": null,
        "pattern_hint": null,
        "options": [],
        "min": null,
        "max": null,
        "max_entries": 20,
        "max_key_length": 40,
        "max_value_length": 500,
        "requires": null
      }
    ],
    "tracks_last_used": false,
    "tracks_last_used_ip": false,
    "pagination": "offset",
    "single_active_key": false,
    "rotate_grace": null,
    "credential_fields": [
      {
        "name": "api_key",
        "label": "API key",
        "secret": false
      },
      {
        "name": "api_secret",
        "label": "API secret",
        "secret": true
      }
    ],
    "connection_fields": [
      {
        "name": "org_id",
        "label": "Organisation id",
        "help": "The organisation whose API keys Keydesk manages."
      }
    ]
  },
  {
    "provider": "syncgram",
    "display_name": "SyncgramPay",
    "actions": [
      "create",
      "revoke"
    ],
    "create_fields": [
      {
        "name": "name",
        "label": "Name",
        "kind": "text",
        "required": true,
        "help": null,
        "min_length": 1,
        "max_length": 255,
        "pattern": null,
        "pattern_hint": null,
        "options": [],
        "min": null,
        "max": null,
        "max_entries": null,
        "max_key_length": null,
        "max_value_length": null,
        "requires": null
      },
      {
        "name": "expires_in_days",
        "label": "Expires in (days)",
        "kind": "integer",
        "required": false,
        "help": "Leave empty for a key that never expires.",
        "min_length": null,
        "max_length": null,
        "pattern": null,
        "pattern_hint": null,
        "options": [],
        "min": 1,
        "max": 3650,
        "max_entries": null,
        "max_key_length": null,
        "max_value_length": null,
        "requires": null
      },
      {
        "name": "environment",
        "label": "Environment",
        "kind": "environment",
        "required": false,
        "help": "Test until payments are enabled for the organisation.",
        "min_length": null,
        "max_length": null,
        "pattern": null,
        "pattern_hint": null,
        "options": [
          "test",
          "live"
        ],
        "min": null,
        "max": null,
        "max_entries": null,
        "max_key_length": null,
        "max_value_length": null,
        "requires": null
      }
    ],
    "tracks_last_used": true,
    "tracks_last_used_ip": false,
    "pagination": "none",
    "single_active_key": true,
    "rotate_grace": null,
    "credential_fields": [
      {
        "name": "token",
        "label": "Access token (JWT)",
        "secret": true
      }
    ],
    "connection_fields": []
  },
  {
    "provider": "strait",
    "display_name": "Strait",
    "actions": [
      "create",
      "revoke",
      "rotate"
    ],
    "create_fields": [
      {
        "name": "name",
        "label": "Name",
        "kind": "text",
        "required": true,
        "help": null,
        "min_length": 1,
        "max_length": 255,
        "pattern": null,
        "pattern_hint": null,
        "options": [],
        "min": null,
        "max": null,
        "max_entries": null,
        "max_key_length": null,
        "max_value_length": null,
        "requires": null
      },
      {
        "name": "scopes",
        "label": "Scopes",
        "kind": "scopes",
        "required": true,
        "help": "Free-form scope names; at least one.",
        "min_length": null,
        "max_length": null,
        "pattern": null,
        "pattern_hint": null,
        "options": [],
        "min": null,
        "max": null,
        "max_entries": null,
        "max_key_length": null,
        "max_value_length": null,
        "requires": null
      },
      {
        "name": "expires_in_days",
        "label": "Expires in (days)",
        "kind": "integer",
        "required": false,
        "help": null,
        "min_length": null,
        "max_length": null,
        "pattern": null,
        "pattern_hint": null,
        "options": [],
        "min": 1,
        "max": 3650,
        "max_entries": null,
        "max_key_length": null,
        "max_value_length": null,
        "requires": null
      },
      {
        "name": "rotation_interval_days",
        "label": "Rotate every (days)",
        "kind": "integer",
        "required": false,
        "help": "Shorter than the lifetime, when both are set.",
        "min_length": null,
        "max_length": null,
        "pattern": null,
        "pattern_hint": null,
        "options": [],
        "min": 1,
        "max": 3650,
        "max_entries": null,
        "max_key_length": null,
        "max_value_length": null,
        "requires": null
      },
      {
        "name": "rotation_webhook_url",
        "label": "Rotation webhook",
        "kind": "url",
        "required": false,
        "help": "Called on every rotation; its signing secret is shown once.",
        "min_length": 1,
        "max_length": 2048,
        "pattern": null,
        "pattern_hint": null,
        "options": [],
        "min": null,
        "max": null,
        "max_entries": null,
        "max_key_length": null,
        "max_value_length": null,
        "requires": "rotation_interval_days"
      }
    ],
    "tracks_last_used": true,
    "tracks_last_used_ip": false,
    "pagination": "cursor",
    "single_active_key": false,
    "rotate_grace": {
      "default_minutes": 60,
      "max_minutes": 10080
    },
    "credential_fields": [
      {
        "name": "token",
        "label": "Admin token",
        "secret": true
      }
    ],
    "connection_fields": [
      {
        "name": "project_id",
        "label": "Project id",
        "help": "The project whose API keys Keydesk manages."
      }
    ]
  }
];

/** The seconds `save_settings` accepts for `clipboard_clear_secs` (when not off), inclusive. */
export const CLIPBOARD_CLEAR_SECS = { min: 10, max: 300 } as const;
