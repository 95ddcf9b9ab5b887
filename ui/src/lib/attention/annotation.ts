// A key's owner, note and tags: the limits keydesk-core checks (generated from annotation.rs), the
// `owner:` / `tag:` search terms, and the words the Attention view uses.
import { ANNOTATION_LIMITS } from '../ipc/capabilities';
import type { Annotation, Rule, Severity, SuggestedAction } from '../ipc/types';

const { owner_chars: MAX_OWNER_CHARS, note_chars: MAX_NOTE_CHARS, tags: MAX_TAGS, tag_chars: MAX_TAG_CHARS } =
  ANNOTATION_LIMITS;

export const RULE_LABEL: Record<Rule, string> = {
  expired: 'Expired',
  expires_soon: 'Expires soon',
  rotation_overdue: 'Rotation overdue',
  grace_ending: 'Grace ending',
  never_used: 'Never used',
  stale: 'Stale',
  live_without_expiry: 'Live without expiry',
  unowned: 'No owner',
  orphan: 'Secret never arrived',
  appeared: 'Appeared',
  disappeared: 'Disappeared',
};

export const SEVERITY_LABEL: Record<Severity, string> = { high: 'High', medium: 'Medium', low: 'Low' };

/** High first, as the view groups them. */
export const SEVERITIES: Severity[] = ['high', 'medium', 'low'];

/** The one-click button of a finding's suggested action (UX.md's words). */
export const SUGGESTED_ACTION_LABEL: Record<SuggestedAction, string> = {
  rotate: 'Rotate',
  replace: 'Replace',
  revoke: 'Revoke',
  disable: 'Disable',
  set_owner: 'Set owner',
  review: 'Mark reviewed',
};

/** A whole annotation, with the fields the IPC type may leave out filled in. */
export function fullAnnotation(annotation: Annotation | undefined | null): Required<Annotation> {
  return { owner: annotation?.owner ?? null, note: annotation?.note ?? null, tags: annotation?.tags ?? [] };
}

/** The owner, unless it is missing or blank (core's `Annotation::owner`). */
export function ownerOf(annotation: Annotation | undefined | null): string | null {
  const owner = annotation?.owner?.trim();
  return owner ? owner : null;
}

/** No owner, no note and no tags: storing it removes the annotation. */
export function isEmptyAnnotation(annotation: Annotation): boolean {
  return !annotation.owner && !annotation.note && (annotation.tags ?? []).length === 0;
}

/** Tags as typed in one field, split on commas and spaces. */
export function parseTags(text: string): string[] {
  return text.split(/[\s,]+/).filter((tag) => tag !== '');
}

// Control characters and text-direction marks, which core refuses in owner and note.
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const TAG = /^[a-z0-9_:-]+$/;

/** The first broken limit as core words it, with the field at fault; null when it is fine. */
export function validateAnnotation(annotation: Annotation): { field: 'owner' | 'note' | 'tags'; message: string } | null {
  const text = (field: 'owner' | 'note', what: string, value: string | null | undefined, max: number) => {
    if (!value) return null;
    if ([...value].length > max) return { field, message: `${what} is at most ${max} characters.` };
    const found = CONTROL_OR_BIDI.exec(value)?.[0];
    if (found) {
      const code = (found.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
      return { field, message: `${what} must not contain control characters or text-direction marks (it has U+${code}).` };
    }
    return null;
  };
  const broken = text('owner', 'The owner', annotation.owner, MAX_OWNER_CHARS) ?? text('note', 'The note', annotation.note, MAX_NOTE_CHARS);
  if (broken) return broken;
  const tags = annotation.tags ?? [];
  if (tags.length > MAX_TAGS) return { field: 'tags', message: `A key takes at most ${MAX_TAGS} tags.` };
  if (tags.some((tag) => [...tag].length > MAX_TAG_CHARS || !TAG.test(tag))) {
    return { field: 'tags', message: `Each tag is 1–${MAX_TAG_CHARS} characters of a-z, 0-9, '-', '_' or ':'.` };
  }
  return null;
}

/**
 * Whether `annotation` matches one search term (core's `matches_annotation_query`): `owner:…`
 * when the owner contains the rest, `tag:…` when a tag equals it, both case-insensitively;
 * null when the term is neither. A key without an annotation is matched as an empty one.
 */
export function matchesAnnotationTerm(term: string, annotation: Annotation | undefined): boolean | null {
  const at = term.indexOf(':');
  if (at < 0) return null;
  const field = term.slice(0, at).toLowerCase();
  const wanted = term.slice(at + 1).trim().toLowerCase();
  if (field === 'owner') return ownerOf(annotation)?.toLowerCase().includes(wanted) ?? false;
  if (field === 'tag') return (annotation?.tags ?? []).some((tag) => tag.toLowerCase() === wanted);
  return null;
}
