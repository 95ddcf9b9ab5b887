// @vitest-environment node
import { build, type Rolldown } from 'vite';
import mockBackendSource from './lib/ipc/mockBackend.ts?raw';
import appSource from './app.ts?raw';
import { CAPABILITIES } from './lib/ipc/capabilities';

/** Strings only the in-memory backend, its fixtures and its switch contain (minifying keeps them). */
const MOCK_MARKERS = ['receipts.example.test', 'org-demo-0001', 'keydesk-inventory.', '?mock'];

/** The generated capabilities' help texts: the app asks Rust for them, so the bundle holds none. */
const CAPABILITY_MARKERS = CAPABILITIES.flatMap((c) => c.create_fields.map((f) => f.help)).filter(
  (help): help is string => (help?.length ?? 0) > 20,
);

describe('the production build', () => {
  it('bundles no mock backend: no mock chunk, no demo fixtures or generated capabilities, no ?mock switch', async () => {
    for (const marker of MOCK_MARKERS) expect(mockBackendSource + appSource).toContain(marker);
    expect(CAPABILITY_MARKERS.length).toBeGreaterThan(3);

    // What `npm run build` (and so the app bundle) makes, kept in memory.
    vi.stubEnv('NODE_ENV', 'production');
    let result: Awaited<ReturnType<typeof build>>;
    try {
      result = await build({ configFile: 'vite.config.ts', mode: 'production', logLevel: 'error', build: { write: false } });
    } finally {
      vi.unstubAllEnvs();
    }
    if (!Array.isArray(result) && !('output' in result)) throw new Error('the build watched instead of writing');
    const outputs = (Array.isArray(result) ? result : [result]).flatMap((r: Rolldown.RolldownOutput) => r.output);
    const files = outputs.map((file) => file.fileName);
    expect(files).toContain('index.html');
    expect(files.some((file) => file.endsWith('.js'))).toBe(true);
    expect(files.filter((file) => /mock/i.test(file))).toEqual([]);
    // The start frame is painted before the app loads: every style is in the one stylesheet
    // index.html links, and the entry leaves the app to a chunk of its own.
    const page = outputs.find((file) => file.fileName === 'index.html');
    const html = page?.type === 'asset' ? String(page.source) : '';
    const sheets = files.filter((file) => file.endsWith('.css'));
    expect(sheets).toHaveLength(1);
    expect(html).toContain(`href="/${sheets[0]}"`);
    const entry = outputs.find((file) => file.type === 'chunk' && file.isEntry);
    expect(entry?.type === 'chunk' && entry.code).not.toContain('Starting Keydesk');
    expect(outputs.some((file) => file.type === 'chunk' && file.code.includes('Starting Keydesk'))).toBe(true);
    for (const file of outputs) {
      const text = file.type === 'chunk' ? file.code : String(file.source);
      expect(MOCK_MARKERS.filter((marker) => text.includes(marker)), file.fileName).toEqual([]);
      expect(CAPABILITY_MARKERS.filter((marker) => text.includes(marker)), file.fileName).toEqual([]);
    }
  }, 60_000);
});
