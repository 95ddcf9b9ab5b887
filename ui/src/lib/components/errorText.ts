import type { AppError } from '../ipc/types';

/** What to do next, per error kind (UX.md: errors say what happened and what to do next). */
export const NEXT_STEP: Record<AppError['kind'], string> = {
  unauthorized: 'The stored credentials were refused. Re-enter them for this connection.',
  forbidden: 'This account lacks the permission for that. Ask an admin of the provider.',
  not_found: 'It no longer exists at the provider. Refresh the list.',
  validation: 'Correct the highlighted field and try again.',
  conflict: 'The provider refused because of the current state. Refresh and check it.',
  rate_limited: 'The provider asks Keydesk to slow down.',
  network: 'Keydesk could not reach the provider. Check the network, then retry.',
  server: 'The provider had an internal error. Retry in a moment.',
  unsupported: 'This provider does not offer that action.',
  keychain_unavailable: 'The system keyring is locked or missing. Unlock it, then retry.',
  internal: 'Keydesk hit an unexpected problem. Retry; if it persists, report it with the details.',
  cancelled: 'You cancelled it; retry when the provider answers again.',
};

/** Kinds where trying the same thing again can work. */
export const RETRYABLE = new Set<AppError['kind']>(['network', 'server', 'rate_limited', 'keychain_unavailable', 'internal', 'cancelled']);
