// The keys table fits the window: at the default 1200×760 every shown column of every sandbox
// connection is whole and nothing scrolls sideways; a column the provider never fills is not
// shown; "never used" sorts last both ways; the details drawer does not leave the table
// scrolled away from its checkboxes and names.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TIMEOUT, launch, openConnection, openDetails, tableRows } from '../support/keydesk.js';

/** Where the grid's columns are, and whether anything overflows it or its cells. */
function measureTable(browser) {
  return browser.execute(() => {
    const grid = document.querySelector('[data-testid="key-table"]');
    const box = grid.getBoundingClientRect();
    const visibleRight = box.left + grid.clientWidth;
    const headers = [...grid.querySelectorAll('[role="columnheader"]')].map((header) => {
      const r = header.getBoundingClientRect();
      return { column: header.getAttribute('data-column') ?? 'check', left: r.left, right: r.right };
    });
    // A cell outside its header's column, or anything inside a cell that reaches past the
    // cell's own right edge (a cell clips it, but then it is cut without an ellipsis), runs
    // into the next column.
    const spills = [];
    const columnOf = Object.fromEntries(headers.map((h) => [h.column, h]));
    for (const cell of grid.querySelectorAll('[role="gridcell"]')) {
      const box = cell.getBoundingClientRect();
      const column = columnOf[cell.getAttribute('data-column') ?? 'check'];
      if (column && (box.left < column.left - 0.5 || box.right > column.right + 0.5)) {
        spills.push(`${cell.getAttribute('data-column')} outside its column: ${cell.textContent.trim()}`);
        continue;
      }
      const edge = box.right;
      for (const inner of cell.querySelectorAll('*')) {
        if (inner.getBoundingClientRect().right > edge + 0.5) {
          spills.push(`${cell.getAttribute('data-column')}: ${cell.textContent.trim()}`);
          break;
        }
      }
    }
    return {
      left: box.left,
      visibleRight,
      scrollWidth: grid.scrollWidth,
      clientWidth: grid.clientWidth,
      scrollLeft: grid.scrollLeft,
      headers,
      spills,
    };
  });
}

const shownColumns = (measured) => measured.headers.map((h) => h.column);

describe('the keys table fits the window', () => {
  // One launch for the file: every check reads the table as a user left it.
  let app;
  before(async () => (app = await launch('table')));
  after(() => app?.stop());

  it('opens at the default size', async () => {
    const [width, height] = await app.browser.execute(() => [window.innerWidth, window.innerHeight]);
    assert.equal(width, 1200);
    assert.ok(height <= 760, `height ${height}`);
  });

  const HIDDEN = {
    'Oligon Receipts': [],
    fiskaly: ['scopes', 'last_used_at', 'expires_at'],
    SyncgramPay: ['scopes', 'masked'],
    Strait: [],
  };

  for (const [connection, hidden] of Object.entries(HIDDEN)) {
    it(`${connection}: every shown column is whole, none the provider never fills is shown`, async () => {
      const { browser } = app;
      await openConnection(browser, connection);
      const measured = await measureTable(browser);
      assert.ok(
        measured.scrollWidth <= measured.clientWidth,
        `no sideways scrolling: scrollWidth ${measured.scrollWidth} > clientWidth ${measured.clientWidth}`,
      );
      for (const header of measured.headers) {
        assert.ok(header.left >= measured.left - 0.5, `${header.column} starts inside the table`);
        assert.ok(
          header.right <= measured.visibleRight + 0.5,
          `${header.column} ends at ${header.right}, past the table's visible edge ${measured.visibleRight}`,
        );
      }
      assert.deepEqual(measured.spills, [], 'nothing runs into the next column');
      const columns = shownColumns(measured);
      for (const column of ['check', 'name', 'status', 'created_at']) assert.ok(columns.includes(column), `${column} shown`);
      for (const column of hidden) assert.ok(!columns.includes(column), `${connection} never fills ${column}`);
    });
  }

  it('Strait shows the environment each key names', async () => {
    const { browser } = app;
    await openConnection(browser, 'Strait');
    const environments = (await tableRows(browser)).map((r) => r.environment);
    assert.ok(environments.includes('env_prod'), environments.join(' | '));
    assert.ok(environments.every((e) => /^env_\w+$/.test(e)), environments.join(' | '));
  });

  it('sorting by Last used puts never-used keys last, ascending and descending', async () => {
    const { browser } = app;
    await openConnection(browser, 'Strait');
    const header = await browser.$('[role="columnheader"][data-column="last_used_at"] button');
    for (const direction of ['ascending', 'descending']) {
      await header.click();
      await browser.waitUntil(
        async () => (await browser.$('[role="columnheader"][data-column="last_used_at"]').getAttribute('aria-sort')) === direction,
        { timeout: TIMEOUT, timeoutMsg: `never sorted ${direction}` },
      );
      const used = (await tableRows(browser)).map((r) => r.lastUsed);
      const firstNever = used.indexOf('never');
      assert.ok(firstNever > 0, `${direction}: some keys used, some never: ${used.join(' | ')}`);
      assert.ok(used.slice(firstNever).every((u) => u === 'never'), `${direction}: never is last: ${used.join(' | ')}`);
    }
  });

  it('with the drawer open, tabbing through the headers leaves no sideways scroll once it closes', async () => {
    const { browser } = app;
    await openConnection(browser, 'Strait');
    const [first] = await tableRows(browser);
    await openDetails(browser, first.id);
    await browser.execute(() => document.querySelector('[aria-label="Select all shown keys"]').focus());
    const headers = (await measureTable(browser)).headers.length;
    for (let i = 1; i < headers; i++) await browser.keys('Tab');
    const withDrawer = await measureTable(browser);
    assert.ok(withDrawer.scrollLeft > 0, 'beside the drawer, the last header is scrolled into view');

    await browser.keys('Escape');
    await browser.$('[data-testid="key-details"]').waitForExist({ reverse: true, timeout: TIMEOUT });
    const closed = await measureTable(browser);
    assert.equal(closed.scrollLeft, 0);
    const check = closed.headers.find((h) => h.column === 'check');
    const name = closed.headers.find((h) => h.column === 'name');
    assert.ok(check.left >= closed.left - 0.5 && name.right <= closed.visibleRight + 0.5, 'the checkbox and the name are in view');
  });

  it('keeps a connection\'s chosen columns across a restart', async () => {
    await openConnection(app.browser, 'fiskaly');
    await app.browser.$('[data-testid="column-chooser"] summary').click();
    await app.browser.$('[data-testid="column-chooser"]').$('label=Last used').click();
    const lastUsed = '[role="columnheader"][data-column="last_used_at"]';
    await app.browser.$(lastUsed).waitForExist({ timeout: TIMEOUT, timeoutMsg: 'the chosen column never appeared' });
    await app.stop();

    app = await launch('table-again', { home: app.root });
    await openConnection(app.browser, 'fiskaly');
    assert.equal(await app.browser.$(lastUsed).isExisting(), true, 'the choice outlived the restart');
    assert.equal((await tableRows(app.browser))[0].lastUsed, 'not tracked by fiskaly');
    await openConnection(app.browser, 'Oligon Receipts');
    assert.equal(await app.browser.$('[role="columnheader"][data-column="scopes"]').isExisting(), true, 'other connections keep theirs');
  });
});
