import { isLoopback } from '../connections/connectionRules';
import type { Environment, FieldSpec, KeyDraft } from '../ipc/types';

export interface MetadataEntry {
  key: string;
  value: string;
}

/** What the form holds for each field, before it becomes a KeyDraft. Integers stay text until valid. */
export type FieldValue = string | string[] | MetadataEntry[];
export type FormValues = Record<string, FieldValue>;

export function initialValue(spec: FieldSpec): FieldValue {
  switch (spec.kind) {
    case 'scopes':
      return [];
    case 'metadata':
      return [];
    default:
      return '';
  }
}

function isEmpty(value: FieldValue | undefined): boolean {
  if (value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  return value.length === 0;
}

const length = (s: string) => [...s].length;

/**
 * The message for one field, or null when it is valid. These are the same rules keydesk-core
 * applies before sending a request, so the form never lets through what core would refuse.
 */
export function validateField(spec: FieldSpec, values: FormValues, specs: FieldSpec[]): string | null {
  const value = values[spec.name];
  if (isEmpty(value)) {
    if (spec.required) {
      if (spec.kind === 'scopes') return 'Choose at least one scope.';
      if (spec.kind === 'environment' || spec.kind === 'select') return `Choose ${spec.label.toLowerCase()}.`;
      return `${spec.label} is required.`;
    }
    return null;
  }

  if (spec.requires) {
    const other = specs.find((s) => s.name === spec.requires);
    if (isEmpty(values[spec.requires])) return `${spec.label} needs ${other?.label ?? spec.requires} to be set.`;
  }

  switch (spec.kind) {
    case 'text':
    case 'url': {
      const text = value as string;
      if (spec.min_length !== null && length(text) < spec.min_length)
        return `${spec.label} needs at least ${spec.min_length} characters.`;
      if (spec.max_length !== null && length(text) > spec.max_length)
        return `${spec.label} can be at most ${spec.max_length} characters.`;
      if (spec.pattern !== null && !new RegExp(spec.pattern, 'u').test(text)) return patternMessage(spec, spec.pattern, text);
      if (spec.kind === 'url' && !isWebUrl(text)) return `${spec.label} must be an https:// address.`;
      return null;
    }
    case 'integer': {
      const text = (value as string).trim();
      if (!/^-?\d+$/.test(text)) return `${spec.label} must be a whole number.`;
      const n = Number(text);
      if (spec.min !== null && spec.max !== null && (n < spec.min || n > spec.max))
        return `${spec.label} must be between ${spec.min} and ${spec.max}.`;
      if (spec.min !== null && n < spec.min) return `${spec.label} must be at least ${spec.min}.`;
      if (spec.max !== null && n > spec.max) return `${spec.label} must be at most ${spec.max}.`;
      return lessThanProblem(spec, n, values);
    }
    case 'scopes':
      return validateScopes(spec, value as string[]);
    case 'environment':
    case 'select':
      return spec.options.length > 0 && !spec.options.includes(value as string)
        ? `Choose one of: ${spec.options.join(', ')}.`
        : null;
    case 'metadata':
      return validateMetadata(spec, value as MetadataEntry[]);
  }
}

/** Core's words for a draft property at the start of a sentence ("The name"), else "The <label>". */
const DRAFT_LABEL: Record<string, string> = {
  name: 'The name',
  scopes: 'Scopes',
  environment: 'Environment',
  expires_in_days: 'The lifetime',
  metadata: 'Metadata',
  kind: 'Kind',
  rotation_interval_days: 'The rotation period',
  rotation_webhook_url: 'The rotation webhook',
};
function the(name: string, label = 'value'): string {
  const words = DRAFT_LABEL[name] ?? label;
  return words.startsWith('The ') ? words : `The ${words.charAt(0).toLowerCase()}${words.slice(1)}`;
}

/** A value quoted as core quotes it (Rust's `{:?}` of plain text). */
const quote = (text: string) => JSON.stringify(text);

/**
 * Core's message for text that breaks the pattern: the characters no position of the pattern
 * accepts, else the value itself, with the rule in words.
 */
function patternMessage(spec: FieldSpec, pattern: string, text: string): string {
  const hint = spec.pattern_hint ?? 'in the expected format';
  const refused = refusedChars(pattern, text);
  if (refused.length === 0) return `${the(spec.name, spec.label)} ${quote(text)} must be ${hint}.`;
  const named = refused.map((c) => (c === ' ' ? 'a space' : `"${c}"`));
  const list = named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} or ${named.at(-1)}`;
  return `${the(spec.name, spec.label)} cannot contain ${list} (${hint}).`;
}

/** The distinct characters of `text` that no class or literal of the anchored `pattern` accepts. */
export function refusedChars(pattern: string, text: string): string[] {
  const body = pattern.replace(/^\^/u, '').replace(/\$$/u, '');
  const atoms: RegExp[] = [];
  // Each atom: a class, an escape, `.` or a literal; a quantifier only repeats the atom before it.
  try {
    for (const [token] of body.matchAll(/\{[^}]*\}|\[(?:\\.|[^\]])+\]|\\.|./gu)) {
      if (!/^(?:\{.*\}|[?*+])$/u.test(token)) atoms.push(new RegExp(`^(?:${token})$`, 'u'));
    }
  } catch {
    return []; // Syntax beyond core's subset: name the value instead.
  }
  const refused: string[] = [];
  for (const c of text) {
    if (!refused.includes(c) && !atoms.some((atom) => atom.test(c))) refused.push(c);
  }
  return refused;
}

/** Core's cross-field rule: a number stays below the field `less_than` names, when both are set. */
function lessThanProblem(spec: FieldSpec, n: number, values: FormValues): string | null {
  const other = spec.less_than;
  if (!other) return null;
  const text = values[other];
  if (typeof text !== 'string' || !/^\d+$/.test(text.trim())) return null;
  const limit = Number(text.trim());
  if (n < limit) return null;
  const [unit, below] = spec.name.endsWith('_days') ? [' days', 'shorter than'] : ['', 'less than'];
  return `${the(spec.name, spec.label)} (${n}${unit}) must be ${below} ${the(other).toLowerCase()} (${limit}${unit}).`;
}

function validateScopes(spec: FieldSpec, scopes: string[]): string | null {
  const seen = new Set<string>();
  for (const scope of scopes) {
    if (spec.options.length > 0) {
      if (!spec.options.includes(scope)) return `Unknown scope "${scope}": use ${spec.options.join(', ')}.`;
    } else if (scope === '' || length(scope) > 100 || /\s/u.test(scope)) {
      // Free-form scopes (core's rule): 1–100 characters, no spaces.
      const rule = '1–100 characters without spaces';
      return scope === '' ? `Each scope must be ${rule}.` : `The scope ${quote(scope)} must be ${rule}.`;
    }
    if (seen.has(scope)) return `The scope "${scope}" is listed twice.`;
    seen.add(scope);
  }
  return null;
}

function validateMetadata(spec: FieldSpec, entries: MetadataEntry[]): string | null {
  if (spec.max_entries !== null && entries.length > spec.max_entries)
    return `Metadata can have at most ${spec.max_entries} entries (it has ${entries.length}).`;
  const seen = new Set<string>();
  for (const { key, value } of entries) {
    if (key.trim() === '') return 'Each metadata entry needs a key.';
    if (seen.has(key)) return `The metadata key "${key}" appears twice.`;
    seen.add(key);
    if (spec.max_key_length !== null && length(key) > spec.max_key_length)
      return `The metadata key ${quote(key)} is longer than ${spec.max_key_length} characters.`;
    if (spec.max_value_length !== null && length(value) > spec.max_value_length)
      return `The metadata value of ${quote(key)} is longer than ${spec.max_value_length} characters.`;
  }
  return null;
}

/** https with a host, or plain http on this machine (core's rule for webhook URLs). */
function isWebUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' && url.hostname !== '') || (url.protocol === 'http:' && isLoopback(url));
  } catch {
    return false;
  }
}

/** Messages for every invalid field, by field name. */
export function validateAll(specs: FieldSpec[], values: FormValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const spec of specs) {
    const message = validateField(spec, values, specs);
    if (message) errors[spec.name] = message;
  }
  return errors;
}

/** The form values a draft stands for, for the fields in `specs` (the inverse of `toDraft`). */
export function draftValues(specs: FieldSpec[], draft: KeyDraft): FormValues {
  const full = { ...emptyDraft(), ...draft };
  const values: FormValues = {};
  for (const spec of specs) {
    switch (spec.name) {
      case 'name':
        values.name = full.name;
        break;
      case 'scopes':
        values.scopes = [...(full.scopes ?? [])];
        break;
      case 'metadata':
        values.metadata = Object.entries(full.metadata ?? {}).map(([key, value]) => ({ key, value }));
        break;
      case 'environment':
      case 'expires_in_days':
      case 'rotation_interval_days':
      case 'kind':
      case 'rotation_webhook_url': {
        const value = full[spec.name];
        values[spec.name] = value === null ? '' : String(value);
        break;
      }
    }
  }
  return values;
}

/**
 * The first field of `draft` that breaks its spec, with the message, or null when the draft is
 * valid: the form's rules applied to a draft (the mock backend refuses what core would).
 */
export function validateDraft(specs: FieldSpec[], draft: KeyDraft): { field: string; message: string } | null {
  const errors = validateAll(specs, draftValues(specs, draft));
  const field = specs.find((spec) => errors[spec.name] !== undefined)?.name;
  return field === undefined ? null : { field, message: errors[field] };
}

/** A draft with every field at its empty default: what core assumes for a field left out. */
export function emptyDraft(): Required<KeyDraft> {
  return {
    name: '',
    scopes: [],
    environment: null,
    expires_in_days: null,
    metadata: {},
    kind: null,
    rotation_interval_days: null,
    rotation_webhook_url: null,
  };
}

/** The draft for valid `values`; fields the provider does not ask for keep their empty defaults. */
export function toDraft(specs: FieldSpec[], values: FormValues): KeyDraft {
  const draft = emptyDraft();
  for (const spec of specs) {
    const value = values[spec.name];
    if (isEmpty(value)) continue;
    switch (spec.name) {
      case 'name':
        draft.name = value as string;
        break;
      case 'scopes':
        draft.scopes = [...(value as string[])];
        break;
      case 'environment':
        draft.environment = value as Environment;
        break;
      case 'expires_in_days':
      case 'rotation_interval_days':
        draft[spec.name] = Number((value as string).trim());
        break;
      case 'metadata':
        draft.metadata = Object.fromEntries((value as MetadataEntry[]).map((e) => [e.key, e.value]));
        break;
      case 'kind':
      case 'rotation_webhook_url':
        draft[spec.name] = (value as string).trim();
        break;
    }
  }
  return draft;
}
