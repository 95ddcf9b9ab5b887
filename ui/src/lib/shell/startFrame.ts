// The start frame: a start's first frame is the shell as the last run left it, drawn from its
// HTML before the app's script has even loaded (docs/IPC.md, `start-frame.json`). The keys
// view saves that HTML while it shows the first connection's fresh list in the state a start
// opens it in; at the next start the app hands it to the page, `showStartFrame` paints it
// marked "as of" the list's time, and the live shell replaces it once its own first frame is
// built.

import { asOfLabel } from '../format/time';
import type { Theme } from '../ipc/types';
import { applyTheme } from './platform';

/** What the app hands the page before it loads (a webview initialization script). */
export interface StartFrame {
  /** When the keys it shows were listed (the inventory snapshot's time). */
  taken_at: string;
  theme: Theme;
  /** The shell's HTML as `captureStartFrame` wrote it. */
  html: string;
}

declare global {
  interface Window {
    __KEYDESK_START_FRAME__?: StartFrame;
  }
}

const FRAME_ID = 'start-frame';
/** The empty element the as-of mark is written into when the frame is shown. */
const AS_OF = 'data-start-frame-as-of';
const THEMES: readonly string[] = ['system', 'light', 'dark'] satisfies Theme[];

/** What a frame never holds: dialogs and notices, anything that runs or loads, and what is marked. */
const LEFT_OUT = [
  'script',
  'style',
  'iframe',
  'object',
  'embed',
  'link',
  'img',
  'dialog',
  '[role="dialog"]',
  '[role="alertdialog"]',
  '[aria-modal]',
  '.notices',
  // What a start learns only after its first frame (the other connections' counts, the
  // findings): left out, so the live shell does not take it away and bring it back.
  '[data-start-frame-skip]',
].join(', ');

/**
 * Attributes a frame never holds: ids and what points at them (the live page has its own),
 * test ids (tests find the live page, never the picture of it), values, focus, links and
 * handlers. What styles the frame (classes, inline styles, roles and states) stays.
 */
const DROPPED = new Set([
  'id',
  'for',
  'name',
  'value',
  'checked',
  'tabindex',
  'autofocus',
  'href',
  'src',
  'srcset',
  'action',
  'formaction',
  'data-testid',
  'data-focus-home',
  'aria-activedescendant',
  'aria-controls',
  'aria-describedby',
  'aria-labelledby',
  'aria-owns',
  'aria-live',
  'aria-keyshortcuts',
]);

function strip(root: ParentNode): void {
  for (const element of root.querySelectorAll(LEFT_OUT)) element.remove();
  for (const element of root.querySelectorAll('*')) {
    for (const name of element.getAttributeNames()) {
      if (DROPPED.has(name) || name.startsWith('on')) element.removeAttribute(name);
    }
  }
}

/**
 * The HTML of `shell` for the next start's first frame: without dialogs, notices, ids or
 * input values (an input's typed value is a property, never in the HTML), with an empty
 * as-of mark beside the keys view's title, styled as the view's own.
 */
export function captureStartFrame(shell: HTMLElement): string {
  const template = document.createElement('template');
  template.content.append(shell.cloneNode(true));
  strip(template.content);
  const title = template.content.querySelector('.view-head .title');
  if (title) {
    const mark = document.createElement('span');
    // Svelte scopes the view's styles with a class every element of the view carries.
    const scope = [...title.classList].filter((name) => name.startsWith('svelte-'));
    mark.className = ['as-of', ...scope].join(' ');
    mark.setAttribute(AS_OF, '');
    title.append(mark);
  }
  return template.innerHTML;
}

/**
 * Paints `frame` over the page, inert and hidden from assistive technology (the live shell
 * is what they use), its as-of mark written for `now`. Answers the frame's element, or null
 * when there is none.
 */
export function showStartFrame(frame: StartFrame | undefined, now: number = Date.now()): HTMLElement | null {
  if (!frame || typeof frame.html !== 'string' || typeof frame.taken_at !== 'string' || Number.isNaN(Date.parse(frame.taken_at))) {
    return null;
  }
  const template = document.createElement('template');
  template.innerHTML = frame.html;
  // The file it came from is the user's to edit: it is cleaned again, not trusted.
  strip(template.content);
  // Its tooltip is left out: nothing in an inert frame is hovered.
  const mark = template.content.querySelector(`[${AS_OF}]`);
  if (mark) mark.textContent = asOfLabel(frame.taken_at, now);
  const holder = document.createElement('div');
  holder.id = FRAME_ID;
  holder.setAttribute('inert', '');
  holder.setAttribute('aria-hidden', 'true');
  holder.append(template.content);
  if (THEMES.includes(frame.theme)) applyTheme(frame.theme);
  document.body.prepend(holder);
  return holder;
}

/** Takes the start frame away: the live shell's own frame is built. */
export function removeStartFrame(): void {
  document.getElementById(FRAME_ID)?.remove();
}

/**
 * Saves the start frame of `shell` once the page has been still for `quietMs` and `ready()`
 * says the view is in the state a start opens it in; a frame equal to the last one saved is
 * not sent again. Answers a function that stops watching.
 *
 * An observer makes a record of every change while it watches, and a scroll or a search
 * changes hundreds of nodes a frame: it stops at the first change and watches again for a
 * whole `quietMs` once that time is up, so a burst of changes pays for one frame's records.
 */
export function keepStartFrame(shell: HTMLElement, ready: () => boolean, save: (html: string) => void, quietMs = 1_500): () => void {
  let last: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let changed = false;
  // The whole page, not only the shell: a dialog closing (outside it) is what makes the view
  // ready again, and the theme is an attribute of the document's root.
  const watch = () => observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  const observer = new MutationObserver(() => {
    observer.disconnect();
    changed = true;
    timer ??= setTimeout(settled, quietMs);
  });
  function settled() {
    timer = undefined;
    if (changed) {
      // It changed in the time just past: watch a whole quiet time again.
      changed = false;
      watch();
      timer = setTimeout(settled, quietMs);
      return;
    }
    if (!ready()) return;
    const html = captureStartFrame(shell);
    if (html === last) return;
    last = html;
    save(html);
  }
  watch();
  timer = setTimeout(settled, quietMs);
  return () => {
    observer.disconnect();
    clearTimeout(timer);
  };
}
