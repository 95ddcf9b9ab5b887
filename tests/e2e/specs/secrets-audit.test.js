// The secrets audit itself (no app): it finds a secret in each form a file could hold it in,
// and reports which form, never the secret.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { findSecretsOnDisk, secretForms } from '../support/keydesk.js';

// A fake key in the shape of an Oligon live key (FAKE in it, so nobody takes it for a real one).
const secret = 'sk_live_FAKEauditFAKEauditFAKEauditx9k2';

describe('secrets audit', () => {
  const root = mkdtempSync(join(tmpdir(), 'keydesk-audit-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('finds a secret in every form, whatever bytes come before it', () => {
    const forms = secretForms(secret).map(({ form }) => form);
    for (const expected of ['text', 'UTF-16', 'hex', 'upper-case hex', 'inner slice']) {
      assert.ok(forms.includes(expected), expected);
    }
    const encodings = [
      ['base64', (bytes) => bytes.toString('base64')],
      ['base64url', (bytes) => bytes.toString('base64url')],
      ['hex', (bytes) => bytes.toString('hex')],
      ['HEX', (bytes) => bytes.toString('hex').toUpperCase()],
    ];
    for (const [name, encode] of encodings) {
      // 0, 1 and 2 bytes before the secret: the three alignments of base64.
      for (const lead of ['', 'a', 'ab']) {
        const file = join(root, `${name}-${lead.length}.bin`);
        writeFileSync(file, `{"v":"${encode(Buffer.from(`${lead}${secret}"}`))}"}`);
        const { hits } = findSecretsOnDisk([], [file], [{ label: 'created key', value: secret }]);
        assert.equal(hits.length, 1, `${name} after ${lead.length} bytes`);
        assert.ok(hits[0].startsWith(`${file}: created key as `), hits[0]);
        assert.ok(!hits[0].includes(secret.slice(8)), 'the report never holds the secret');
      }
    }
    // Stored without its prefix: the inner slice still matches.
    const cut = join(root, 'cut.txt');
    writeFileSync(cut, `log: ${secret.slice(8)}`);
    const { hits } = findSecretsOnDisk([], [cut], [{ label: 'created key', value: secret }]);
    assert.deepEqual(hits, [`${cut}: created key as inner slice`]);
  });

  it('reports nothing for a file without the secret', () => {
    const clean = join(root, 'clean.txt');
    writeFileSync(clean, `sk_live_…${secret.slice(-4)} ${Buffer.from('sk_live_').toString('base64')}`);
    const { hits, files } = findSecretsOnDisk([], [clean], [{ label: 'created key', value: secret }]);
    assert.equal(files, 1);
    assert.deepEqual(hits, []);
  });
});
