// The IPC contract (docs/IPC.md), hand-written until bindings.ts is generated from the Rust
// types. Names match IPC.md exactly so this file can become a re-export of the bindings.

export type ProviderKind = 'oligon' | 'fiskaly' | 'syncgram' | 'strait';
export type Environment = 'live' | 'test';
export type KeyStatus = 'active' | 'revoked' | 'disabled' | 'expired' | 'rotating';

export interface Rotation {
  replaced_by: string | null;
  grace_expires_at: string | null;
  interval_days: number | null;
  next_rotation_at: string | null;
  webhook_url: string | null;
}

export interface Key {
  id: string;
  name: string;
  masked: string;
  environment: Environment | null;
  scopes: string[];
  status: KeyStatus;
  created_at: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  rotation: Rotation | null;
  metadata: Record<string, string>;
  raw: unknown;
}

export type Action = 'create' | 'revoke' | 'delete' | 'enable' | 'disable' | 'rotate';

export interface KeyDraft {
  name: string;
  scopes: string[];
  environment: Environment | null;
  expires_in_days: number | null;
  metadata: Record<string, string>;
  kind: string | null;
  rotation_interval_days: number | null;
  rotation_webhook_url: string | null;
}

export type FieldKind = 'text' | 'scopes' | 'environment' | 'integer' | 'url' | 'metadata' | 'select';

export interface FieldSpec {
  name: keyof KeyDraft;
  label: string;
  kind: FieldKind;
  required: boolean;
  help: string | null;
  min_length: number | null;
  max_length: number | null;
  pattern: string | null;
  pattern_hint: string | null;
  options: string[];
  min: number | null;
  max: number | null;
  max_entries: number | null;
  max_key_length: number | null;
  max_value_length: number | null;
  requires: string | null;
}

export interface CredentialField {
  name: 'token' | 'api_key' | 'api_secret';
  label: string;
  secret: boolean;
}

export interface Capabilities {
  provider: ProviderKind;
  display_name: string;
  actions: Action[];
  create_fields: FieldSpec[];
  tracks_last_used: boolean;
  tracks_last_used_ip: boolean;
  pagination: 'none' | 'offset' | 'cursor';
  single_active_key: boolean;
  rotate_grace: { default_minutes: number; max_minutes: number } | null;
  credential_fields: CredentialField[];
  connection_fields: ('org_id' | 'project_id')[];
}

export type ErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'validation'
  | 'conflict'
  | 'rate_limited'
  | 'network'
  | 'server'
  | 'unsupported'
  | 'keychain_unavailable'
  | 'internal';

export interface AppError {
  kind: ErrorKind;
  message: string;
  request_id: string | null;
  field: string | null;
  retry_after_secs: number | null;
}

export interface Connection {
  id: string;
  name: string;
  provider: ProviderKind;
  base_url: string;
  org_id: string | null;
  project_id: string | null;
  label: string | null;
  color: string | null;
  sandbox: boolean;
  has_credentials: boolean;
}

export interface ConnectionInput {
  id: string | null;
  name: string;
  provider: ProviderKind;
  base_url: string;
  org_id: string | null;
  project_id: string | null;
  label: string | null;
  color: string | null;
  credentials: Record<string, string> | null;
}

export interface SecretPreview {
  label: string;
  masked: string;
}

export interface PendingReveal {
  reveal_id: string;
  connection_id: string;
  key: Key;
  secrets: SecretPreview[];
  created_at: string;
}

export type CreateResult =
  | { status: 'created'; reveal: PendingReveal }
  | { status: 'orphaned'; connection_id: string; key: Key | null; message: string };

export interface LeakMatch {
  connection_id: string;
  connection_name: string;
  key: Key;
}

export interface LeakSearch {
  matches: LeakMatch[];
  ambiguous: boolean;
  searched: string[];
  failed: { connection_id: string; error: AppError }[];
}

export interface CopyResult {
  clears_at: string | null;
}

export type Theme = 'system' | 'light' | 'dark';

export interface Settings {
  clipboard_clear_secs: number | null;
  theme: Theme;
}

export interface ActivityEntry {
  at: string;
  user: string;
  connection_id: string | null;
  connection_name: string | null;
  key_id: string | null;
  key_name: string | null;
  action: string;
  result: 'ok' | 'error';
  request_id: string | null;
  error_kind: string | null;
}

export type ExportFormat = 'csv' | 'json';

/** Payload of the `inventory-progress` event. */
export interface InventoryProgress {
  connection_id: string;
  page: number;
  pages: number;
}

/** Payload of the `clipboard` event. */
export interface ClipboardChange {
  state: 'copied' | 'cleared' | 'kept';
  reveal_id: string;
  clears_at: string | null;
}
