import type { Capabilities, FieldSpec } from './types';

/** A FieldSpec with every constraint off; the specs below say only what they set. */
function field(spec: Pick<FieldSpec, 'name' | 'label' | 'kind'> & Partial<FieldSpec>): FieldSpec {
  return {
    required: false,
    help: null,
    min_length: null,
    max_length: null,
    pattern: null,
    pattern_hint: null,
    options: [],
    min: null,
    max: null,
    max_entries: null,
    max_key_length: null,
    max_value_length: null,
    requires: null,
    ...spec,
  };
}

/**
 * What the four providers declare, modelled on their API documents. The mock backend serves
 * these; the real ones come from keydesk-core through `provider_capabilities`.
 */
export const MOCK_CAPABILITIES: Capabilities[] = [
  {
    provider: 'oligon',
    display_name: 'Oligon Receipts',
    actions: ['create', 'revoke', 'delete'],
    create_fields: [
      field({ name: 'name', label: 'Name', kind: 'text', required: true, min_length: 1, max_length: 120 }),
      field({
        name: 'scopes',
        label: 'Scopes',
        kind: 'scopes',
        options: ['extract:read', 'extract:write', 'analytics:read', 'admin:write'],
        help: 'No scopes is allowed: the key can then call nothing.',
      }),
      field({ name: 'environment', label: 'Environment', kind: 'environment', required: true, options: ['test', 'live'] }),
    ],
    tracks_last_used: true,
    tracks_last_used_ip: true,
    pagination: 'none',
    single_active_key: false,
    rotate_grace: null,
    credential_fields: [{ name: 'token', label: 'Dashboard token', secret: true }],
    connection_fields: [],
  },
  {
    provider: 'fiskaly',
    display_name: 'fiskaly',
    actions: ['create', 'enable', 'disable', 'delete'],
    create_fields: [
      field({
        name: 'name',
        label: 'Name',
        kind: 'text',
        required: true,
        min_length: 3,
        max_length: 30,
        pattern: '^[a-z0-9-]{3,30}$',
        pattern_hint: 'Use lowercase letters, digits and hyphens only.',
      }),
      field({ name: 'environment', label: 'Environment', kind: 'environment', required: true, options: ['test', 'live'] }),
      field({
        name: 'metadata',
        label: 'Metadata',
        kind: 'metadata',
        max_entries: 20,
        max_key_length: 40,
        max_value_length: 500,
      }),
    ],
    tracks_last_used: false,
    tracks_last_used_ip: false,
    pagination: 'offset',
    single_active_key: false,
    rotate_grace: null,
    credential_fields: [
      { name: 'api_key', label: 'API key', secret: false },
      { name: 'api_secret', label: 'API secret', secret: true },
    ],
    connection_fields: ['org_id'],
  },
  {
    provider: 'syncgram',
    display_name: 'SyncgramPay',
    actions: ['create', 'revoke'],
    create_fields: [
      field({ name: 'name', label: 'Name', kind: 'text', required: true, min_length: 1, max_length: 255 }),
      field({
        name: 'expires_in_days',
        label: 'Expires in (days)',
        kind: 'integer',
        min: 1,
        max: 3650,
        help: 'Leave empty for a key that does not expire.',
      }),
      field({
        name: 'environment',
        label: 'Environment',
        kind: 'environment',
        options: ['test', 'live'],
        help: 'Until payments are enabled for the organisation, keys are issued for test.',
      }),
    ],
    tracks_last_used: true,
    tracks_last_used_ip: false,
    pagination: 'none',
    single_active_key: true,
    rotate_grace: null,
    credential_fields: [{ name: 'token', label: 'User token', secret: true }],
    connection_fields: [],
  },
  {
    provider: 'strait',
    display_name: 'Strait',
    actions: ['create', 'revoke', 'rotate'],
    create_fields: [
      field({ name: 'name', label: 'Name', kind: 'text', required: true, min_length: 1, max_length: 100 }),
      field({ name: 'scopes', label: 'Scopes', kind: 'scopes', options: ['jobs:read', 'jobs:write', 'runs:read', 'runs:write'] }),
      field({ name: 'environment', label: 'Environment', kind: 'environment', options: ['test', 'live'] }),
      field({ name: 'expires_in_days', label: 'Expires in (days)', kind: 'integer', min: 1, max: 365 }),
      field({ name: 'rotation_interval_days', label: 'Rotate every (days)', kind: 'integer', min: 1, max: 365 }),
      field({
        name: 'rotation_webhook_url',
        label: 'Rotation webhook URL',
        kind: 'url',
        max_length: 2048,
        requires: 'rotation_interval_days',
        help: 'Called with a signed payload when the key rotates.',
      }),
    ],
    tracks_last_used: true,
    tracks_last_used_ip: false,
    pagination: 'cursor',
    single_active_key: false,
    rotate_grace: { default_minutes: 60, max_minutes: 10080 },
    credential_fields: [{ name: 'token', label: 'Admin token', secret: true }],
    connection_fields: ['project_id'],
  },
];
