import { CAPABILITIES } from '../ipc/capabilities';
import type { ProviderKind } from '../ipc/types';
import { draftValues, refusedChars, toDraft, validateAll, validateDraft, type FormValues } from './validation';

const specsOf = (p: ProviderKind) => CAPABILITIES.find((c) => c.provider === p)!.create_fields;

describe('create-form validation (core rules)', () => {
  it('requires a name, and counts characters, not bytes', () => {
    expect(validateAll(specsOf('oligon'), { name: '   ' })).toEqual({ name: 'Name is required.' });
    expect(validateAll(specsOf('oligon'), { name: 'é'.repeat(120) })).toEqual({});
    expect(validateAll(specsOf('oligon'), { name: 'x'.repeat(121) })).toEqual({ name: 'Name can be at most 120 characters.' });
  });

  it("checks fiskaly's name pattern and length, and needs a kind", () => {
    const specs = specsOf('fiskaly');
    expect(validateAll(specs, { name: 'ab', environment: 'test' }).name).toBe('Name needs at least 3 characters.');
    expect(validateAll(specs, { name: 'Bad Name', environment: 'test' }).name).toBe(
      'The name cannot contain "B", a space or "N" (3–30 lowercase letters, digits or hyphens).',
    );
    expect(validateAll(specs, { name: 'pos_1', environment: 'test' }).name).toBe(
      'The name cannot contain "_" (3–30 lowercase letters, digits or hyphens).',
    );
    expect(validateAll(specs, { name: 'pos-1', environment: '' })).toEqual({ environment: 'Choose kind.' });
    expect(validateAll(specs, { name: 'pos-1', environment: 'live' })).toEqual({});
  });

  it('checks metadata entries, key and value lengths, and duplicates', () => {
    const specs = specsOf('fiskaly');
    const base: FormValues = { name: 'pos-1', environment: 'test' };
    const many = Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(validateAll(specs, { ...base, metadata: many }).metadata).toBe('Metadata can have at most 20 entries (it has 21).');
    expect(validateAll(specs, { ...base, metadata: [{ key: 'k'.repeat(41), value: '' }] }).metadata).toBe(
      `The metadata key "${'k'.repeat(41)}" is longer than 40 characters.`,
    );
    expect(validateAll(specs, { ...base, metadata: [{ key: 'k', value: 'v'.repeat(501) }] }).metadata).toBe(
      'The metadata value of "k" is longer than 500 characters.',
    );
    expect(validateAll(specs, { ...base, metadata: [{ key: '', value: 'v' }] }).metadata).toBe('Each metadata entry needs a key.');
    expect(
      validateAll(specs, { ...base, metadata: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }).metadata,
    ).toBe('The metadata key "a" appears twice.');
  });

  it('checks integer ranges and whole numbers', () => {
    const specs = specsOf('syncgram');
    expect(validateAll(specs, { name: 'n', expires_in_days: '0' }).expires_in_days).toBe('Expires in (days) must be between 1 and 3650.');
    expect(validateAll(specs, { name: 'n', expires_in_days: '1.5' }).expires_in_days).toBe('Expires in (days) must be a whole number.');
    expect(validateAll(specs, { name: 'n', expires_in_days: '' })).toEqual({});
  });

  it('checks Strait scopes, the webhook URL and that it needs a rotation period', () => {
    const specs = specsOf('strait');
    expect(validateAll(specs, { name: 'n', scopes: ['jobs:read', 'a b'] }).scopes).toBe('The scope "a b" must be 1–100 characters without spaces.');
    expect(validateAll(specs, { name: 'n', scopes: ['a', 'a'] }).scopes).toBe('The scope "a" is listed twice.');
    expect(validateAll(specs, { name: 'n', rotation_webhook_url: 'https://h.example/x' }).rotation_webhook_url).toBe(
      'Rotation webhook needs Rotate every (days) to be set.',
    );
    expect(
      validateAll(specs, { name: 'n', rotation_interval_days: '30', rotation_webhook_url: 'http://hooks.example/x' }).rotation_webhook_url,
    ).toBe('Rotation webhook must be an https:// address.');
    expect(validateAll(specs, { name: 'n' }).scopes).toBe('Choose at least one scope.');
    expect(
      validateAll(specs, { name: 'n', scopes: ['jobs:read'], rotation_interval_days: '30', rotation_webhook_url: 'http://127.0.0.1:9000/x' }),
    ).toEqual({});
  });

  it('checks the cross-field rule: a rotation period shorter than the lifetime', () => {
    const specs = specsOf('strait');
    const base: FormValues = { name: 'n', scopes: ['jobs:read'] };
    expect(validateAll(specs, { ...base, expires_in_days: '10', rotation_interval_days: '30' }).rotation_interval_days).toBe(
      'The rotation period (30 days) must be shorter than the lifetime (10 days).',
    );
    expect(validateAll(specs, { ...base, expires_in_days: '30', rotation_interval_days: '30' }).rotation_interval_days).toMatch(/shorter/);
    expect(validateAll(specs, { ...base, expires_in_days: '31', rotation_interval_days: '30' })).toEqual({});
    expect(validateAll(specs, { ...base, rotation_interval_days: '30' })).toEqual({});
  });

  it('names only the characters no part of a pattern accepts', () => {
    expect(refusedChars('^[a-z0-9-]{3,30}$', 'Bad Name B')).toEqual(['B', ' ', 'N']);
    expect(refusedChars('^[a-z0-9-]{3,30}$', 'ab')).toEqual([]);
    expect(refusedChars('^x\\.[0-9]+$', 'x.1a')).toEqual(['a']);
  });

  it('rejects oligon scopes outside its list', () => {
    expect(validateAll(specsOf('oligon'), { name: 'n', scopes: ['root'] }).scopes).toMatch(/^Unknown scope "root"/);
  });

  it('builds the draft, with numbers as numbers and untouched fields empty', () => {
    const draft = toDraft(specsOf('strait'), {
      name: 'jobs',
      scopes: ['jobs:read'],
      expires_in_days: ' 90 ',
      rotation_interval_days: '30',
      rotation_webhook_url: 'https://hooks.example.test/r',
    });
    expect(draft).toEqual({
      name: 'jobs',
      scopes: ['jobs:read'],
      environment: null,
      expires_in_days: 90,
      metadata: {},
      kind: null,
      rotation_interval_days: 30,
      rotation_webhook_url: 'https://hooks.example.test/r',
    });
  });
  it('checks a draft by the same rules as the form, first invalid field first', () => {
    const specs = specsOf('strait');
    const draft = { name: 'Deploy', scopes: ['jobs:read'], expires_in_days: 30, rotation_interval_days: 7, rotation_webhook_url: 'https://hooks.example.test' };
    expect(toDraft(specs, draftValues(specs, draft))).toMatchObject(draft);
    expect(validateDraft(specs, draft)).toBeNull();
    expect(validateDraft(specs, { ...draft, name: '', rotation_interval_days: null })).toEqual({ field: 'name', message: 'Name is required.' });
    expect(validateDraft(specsOf('fiskaly'), { name: 'pos-1', environment: 'test', metadata: { '': 'v' } })).toEqual({
      field: 'metadata',
      message: 'Each metadata entry needs a key.',
    });
  });
});
