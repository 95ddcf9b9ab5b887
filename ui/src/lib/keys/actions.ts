import type { Action, Capabilities, Key } from '../ipc/types';

export type KeyAction = Exclude<Action, 'create'>;

export const ACTION_LABEL: Record<KeyAction, string> = {
  revoke: 'Revoke',
  delete: 'Delete',
  enable: 'Enable',
  disable: 'Disable',
  rotate: 'Rotate',
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

/** Live-environment keys that still work need their name typed before revoke or delete. */
export function needsTypedName(key: Key, action: 'revoke' | 'delete'): boolean {
  return action === 'delete' || key.environment === 'live';
}
