// Smoke: the real app starts in real WebKit, names its window and renders the shell.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../support/keydesk.js';

describe('Keydesk starts', () => {
  let app;
  before(async () => {
    app = await launch('smoke');
  });
  after(async () => {
    await app?.stop();
  });

  it('titles its window Keydesk', async () => {
    const title = await app.browser.getTitle();
    assert.match(title, /^Keydesk\b/);
  });

  it('renders the main landmark of the shell', async () => {
    const main = await app.browser.$('main');
    await main.waitForDisplayed({ timeout: 15_000 });
    assert.equal(await main.isDisplayed(), true);
    const heading = await app.browser.$('h1');
    assert.match(await heading.getText(), /Keydesk/);
  });
});
