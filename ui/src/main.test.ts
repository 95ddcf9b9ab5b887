import { screen } from '@testing-library/svelte';

describe('main', () => {
  beforeEach(() => {
    vi.resetModules();
    document.body.innerHTML = '<div id="app"></div>';
  });
  afterEach(() => {
    window.history.replaceState(null, '', '/');
    delete window.__KEYDESK_START_FRAME__;
    performance.clearMarks();
  });

  it('runs on the in-memory backend with ?mock', async () => {
    window.history.replaceState(null, '', '/?mock&keys=3');
    const { default: mounted } = await import('./main');
    await mounted;
    expect(await screen.findAllByTestId('key-row', {}, { timeout: 3000 })).toHaveLength(3);
  });

  it('paints the start frame it is handed before it loads the app, which replaces it', async () => {
    window.history.replaceState(null, '', '/?mock&keys=3');
    window.__KEYDESK_START_FRAME__ = { taken_at: new Date().toISOString(), theme: 'system', html: '<div class="shell"><p>the last known keys</p></div>' };
    const { default: mounted } = await import('./main');
    expect(document.getElementById('start-frame')).toHaveTextContent('the last known keys');
    // Its HTML is not kept once it is painted.
    expect(window.__KEYDESK_START_FRAME__).toBeUndefined();
    expect(document.querySelector('#app')).toBeEmptyDOMElement();
    await mounted;
    expect(performance.getEntriesByName('start-frame-painted')).toHaveLength(1);
    expect(await screen.findAllByTestId('key-row', {}, { timeout: 3000 })).toHaveLength(3);
    expect(document.getElementById('start-frame')).toBeNull();
  });

  it('talks to Tauri otherwise, and says so when it cannot', async () => {
    const { default: mounted } = await import('./main');
    await mounted;
    expect(await screen.findByTestId('error-notice')).toHaveTextContent('not running inside the Keydesk app');
  });
});
