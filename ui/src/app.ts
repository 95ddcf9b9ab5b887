import { mount } from 'svelte';
import App from './App.svelte';
import { prepareFormats } from './lib/format/time';
import type { Backend } from './lib/ipc/backend';
// Imported with the app, not on demand: a start would otherwise wait for one more module.
import { tauriBackend } from './lib/ipc/tauriBackend';

/**
 * `?mock` runs the UI on the in-memory backend (for UI work without Rust); otherwise Tauri.
 * The production build (`vite build`, what the app bundles) leaves the mock out: the constant
 * condition drops the import, so `ui/dist` carries no demo backend a page could switch to.
 * The dev server, Vitest and `vite build --mode mock` (a static build for browser
 * measurements) keep it.
 */
async function chooseBackend(): Promise<Backend> {
  const params = new URLSearchParams(window.location.search);
  if (import.meta.env.MODE !== 'production' && params.has('mock')) {
    const { MockBackend } = await import('./lib/ipc/mockBackend');
    const keys = Number(params.get('keys') ?? '') || undefined;
    return new MockBackend({ latencyMs: 200, keysPerConnection: keys });
  }
  return tauriBackend;
}

/** Mounts the app into `target`. */
export async function start(target: HTMLElement) {
  const app = mount(App, { target, props: { backend: await chooseBackend() } });
  // While the start's first calls are answered.
  prepareFormats();
  return app;
}
