import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Tauri serves `dist/` in builds and this dev server in `cargo tauri dev`.
export default defineConfig(({ mode }) => ({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 1420, strictPort: true, host: '127.0.0.1' },
  // One stylesheet, linked from index.html: the start frame is painted before the app's
  // script (and the components' styles with it) loads, in the styles of every view.
  build: { target: 'safari16', outDir: 'dist', emptyOutDir: true, cssCodeSplit: false },
  // Component tests mount Svelte's client build, not its server build.
  resolve: mode === 'test' ? { conditions: ['browser'] } : undefined,
  test: {
    globals: true,
    environment: 'jsdom',
    setupFiles: ['src/test-setup.ts'],
    include: ['src/**/*.test.ts'],
    // Styles are left out of component tests, except where a test checks layout rules
    // (the activity log's one-line rows), and app.css, which the theme test reads.
    css: { include: [/src\/lib\/activity\//, /src\/app\.css/] },
  },
}));
