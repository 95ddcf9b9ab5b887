// axe-core in jsdom. jsdom has no layout, so rules that need rendered geometry or colours
// are off here (the e2e suite runs in a real webview).
import axe from 'axe-core';

const LAYOUT_RULES = ['color-contrast', 'color-contrast-enhanced', 'target-size', 'scrollable-region-focusable', 'link-in-text-block'];

// axe probes icon ligatures with a canvas; jsdom has none and would log "not implemented".
HTMLCanvasElement.prototype.getContext = () => null;

export async function axeViolations(root: Element = document.body): Promise<string[]> {
  const results = await axe.run(root, {
    rules: Object.fromEntries(LAYOUT_RULES.map((id) => [id, { enabled: false }])),
  });
  return results.violations.map(
    (v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}
