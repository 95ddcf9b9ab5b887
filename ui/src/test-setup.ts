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
