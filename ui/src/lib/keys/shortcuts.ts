import type { Capabilities, Key } from '../ipc/types';
import { actionsFor, type KeyAction } from './actions';

/** What a row letter does: a key action, through the same dialog as its button, or the owner field. */
export type RowCommand = KeyAction | 'owner';

/** One letter that acts on the focused key (its row, or its open details). */
export interface RowShortcut {
  /** As shown in the help sheet; either case fires it. */
  letter: string;
  /** The help sheet's words for it. */
  what: string;
  /** What the letter does to `key`, or null where its provider or its status has no such action. */
  command: (key: Key, caps: Capabilities) => RowCommand | null;
}

function offered(key: Key, caps: Capabilities, action: KeyAction): KeyAction | null {
  return actionsFor(key, caps).includes(action) ? action : null;
}

/**
 * `T`: the provider's way to put a new key in place of this one. Only native rotate for now;
 * Replace, for the providers without it, is pointed at from here.
 */
export function successorAction(key: Key, caps: Capabilities): KeyAction | null {
  return offered(key, caps, 'rotate');
}

export const ROW_SHORTCUTS: readonly RowShortcut[] = [
  { letter: 'R', what: 'Revoke the focused key', command: (key, caps) => offered(key, caps, 'revoke') },
  {
    letter: 'D',
    what: 'Disable or enable the focused key',
    command: (key, caps) => offered(key, caps, 'disable') ?? offered(key, caps, 'enable'),
  },
  { letter: 'T', what: 'Rotate the focused key', command: successorAction },
  { letter: 'O', what: 'Set the focused key’s owner', command: () => 'owner' },
];

/** The command `letter` (either case) stands for on `key`; null when it does nothing there. */
export function rowCommand(letter: string, key: Key, caps: Capabilities): RowCommand | null {
  const shortcut = ROW_SHORTCUTS.find((s) => s.letter === letter.toUpperCase());
  return shortcut?.command(key, caps) ?? null;
}

/** The letter that runs `action` on `key`, for its button's `aria-keyshortcuts`. */
export function letterFor(action: RowCommand, key: Key, caps: Capabilities): string | undefined {
  return ROW_SHORTCUTS.find((s) => s.command(key, caps) === action)?.letter;
}
