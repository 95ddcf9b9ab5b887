import '@testing-library/jest-dom/vitest';

// jsdom has no layout, so no ResizeObserver; element sizes stay 0 and components use their
// fallbacks. A silent observer is the honest stand-in.
if (!('ResizeObserver' in globalThis)) {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}

// Flows typed key by key through user-event can take seconds when the machine is busy
// (the two cores are shared with Rust builds); a slow run is not a failure.
// The limit only catches a hang: axe over a whole screen in jsdom took 20 s on a loaded machine.
vi.setConfig({ testTimeout: 90_000 });
