import type { Action, Capabilities, Key } from '../ipc/types';

/** What a key's buttons do: the provider's actions, and Replace (a successor, then the old key retired). */
export type KeyAction = Exclude<Action, 'create'> | 'replace';

export const ACTION_LABEL: Record<KeyAction, string> = {
  revoke: 'Revoke',
  delete: 'Delete',
  enable: 'Enable',
  disable: 'Disable',
  rotate: 'Rotate',
  replace: 'Replace',
};

/** The actions that make sense for `key` now, among those its provider offers, safest first. */
export function actionsFor(key: Key, caps: Capabilities): KeyAction[] {
  const offered = new Set(caps.actions);
  const result: KeyAction[] = [];
  const live = key.status === 'active' || key.status === 'rotating';
  if (offered.has('rotate') && key.status === 'active') result.push('rotate');
  if (offered.has('enable') && key.status === 'disabled') result.push('enable');
  if (offered.has('disable') && key.status === 'active') result.push('disable');
  if (offered.has('revoke') && (live || key.status === 'disabled' || key.status === 'expired')) result.push('revoke');
  if (offered.has('delete')) result.push('delete');
  return result;
}

/**
 * Whether a working key offers Replace: its provider retires keys by making a successor
 * (Strait's way is its own Rotate, offered as that).
 */
export function canReplace(key: Key, caps: Capabilities): boolean {
  return key.status === 'active' && caps.retirement !== null && caps.retirement !== 'rotate';
}

/**
 * Whether a replace that stops `key` needs its name typed: a live key, or the only active key
 * of a provider that allows one (revoked before its successor exists).
 */
export function replaceNeedsTypedName(key: Key, caps: Capabilities): boolean {
  return key.environment === 'live' || caps.single_active_key;
}

/** Live-environment keys that still work need their name typed before revoke or delete. */
export function needsTypedName(key: Key, action: 'revoke' | 'delete'): boolean {
  return action === 'delete' || key.environment === 'live';
}
