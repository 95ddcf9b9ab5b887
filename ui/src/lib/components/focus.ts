const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Elements inside `root` that Tab can reach, in document order. */
export function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hasAttribute('inert'));
}

/** True while any modal dialog is open; global shortcuts stay quiet then. */
export function modalOpen(): boolean {
  return document.querySelector('[aria-modal="true"]') !== null;
}

/** True when focus has fallen to <body>: what had it was removed or disabled, or nothing had it. */
export function focusLost(): boolean {
  const active = document.activeElement;
  return active === null || active === document.body;
}

/**
 * Focuses the open view's home, for when focus has nowhere better to go: the last element marked
 * `data-focus-home`, so a key's open details win over the keys table beside them. True when there
 * was one.
 */
export function focusHome(): boolean {
  const homes = document.querySelectorAll<HTMLElement>('[data-focus-home]');
  const home = homes[homes.length - 1];
  home?.focus();
  return home !== undefined;
}
