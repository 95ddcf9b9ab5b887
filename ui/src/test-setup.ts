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
vi.setConfig({ testTimeout: 20_000 });
