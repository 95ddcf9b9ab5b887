import { screen } from '@testing-library/svelte';

describe('main', () => {
  beforeEach(() => {
    vi.resetModules();
    document.body.innerHTML = '<div id="app"></div>';
  });
  afterEach(() => window.history.replaceState(null, '', '/'));

  it('runs on the in-memory backend with ?mock', async () => {
    window.history.replaceState(null, '', '/?mock&keys=3');
    const { default: mounted } = await import('./main');
    await mounted;
    expect(await screen.findAllByTestId('key-row', {}, { timeout: 3000 })).toHaveLength(3);
  });

  it('talks to Tauri otherwise, and says so when it cannot', async () => {
    const { default: mounted } = await import('./main');
    await mounted;
    expect(await screen.findByTestId('error-notice')).toHaveTextContent('not running inside the Keydesk app');
  });
});
