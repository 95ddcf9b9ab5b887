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

/**
 * A form's keydown handler: Enter in a text input submits the form through its submit button
 * (also one outside it, in a dialog's footer), and does
 * nothing while that button is disabled.
 */
export function submitOnEnter(event: KeyboardEvent): void {
  if (event.key !== 'Enter' || event.isComposing || event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) return;
  const target = event.target;
  if (!(target instanceof HTMLInputElement) || NOT_TEXT.has(target.type) || !target.form) return;
  const form = target.form;
  event.preventDefault();
  const submitter = [...form.elements].find((el): el is HTMLButtonElement => el instanceof HTMLButtonElement && el.type === 'submit');
  if (!submitter) form.requestSubmit();
  else if (!submitter.disabled) form.requestSubmit(submitter);
}
const NOT_TEXT = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'image', 'color', 'range']);

/** Brings `el` into view and focuses it: a form's first error, wherever the form is scrolled. */
export function revealAndFocus(el: HTMLElement | null | undefined): void {
  if (!el) return;
  // jsdom has no scrollIntoView; WebKitGTK's focus() alone does not scroll a dialog's body.
  el.scrollIntoView?.({ block: 'center' });
  el.focus({ preventScroll: true });
}
