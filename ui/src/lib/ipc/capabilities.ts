// The provider capabilities and settings bounds that src-tauri generates into
// capabilities.generated.json (data, not code), typed with the bindings' types.
import type { Capabilities } from './bindings';
// Named imports, so a production bundle that needs only the bounds leaves the providers out.
import { annotation, attention, capabilities, clipboard_clear_secs, reminder_minutes } from './capabilities.generated.json';

/** What `provider_capabilities` answers: the four providers, as keydesk-core declares them. */
// JSON imports type strings as `string`; the Rust test that writes the file keeps it a
// `Capabilities[]` (its providers are `ProviderKind`s, its kinds the bindings' unions).
export const CAPABILITIES: Capabilities[] = capabilities as Capabilities[];

/** The seconds `save_settings` accepts for `clipboard_clear_secs` (when not off), inclusive. */
export const CLIPBOARD_CLEAR_SECS: { readonly min: number; readonly max: number } =
  clipboard_clear_secs;

/** The minutes `save_settings` accepts for `reminder_minutes` (when not off), inclusive. */
export const REMINDER_MINUTES: { readonly min: number; readonly max: number } = reminder_minutes;

/** keydesk-core's limits on a key's owner, note and tags (what `set_annotation` checks). */
export const ANNOTATION_LIMITS: {
  readonly owner_chars: number;
  readonly note_chars: number;
  readonly tags: number;
  readonly tag_chars: number;
} = annotation;

/** keydesk-core's attention thresholds (the mock backend judges its demo keys with them). */
export const ATTENTION_THRESHOLDS: {
  readonly expires_soon_high_days: number;
  readonly expires_soon_medium_days: number;
  readonly never_used_after_days: number;
  readonly grace_ending_hours: number;
  readonly stale_after_days: number;
} = attention;
