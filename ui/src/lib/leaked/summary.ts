import type { Key, LeakMatch } from '../ipc/types';

/** What a support ticket needs of a leaked-key match: plain text, and never a secret. */
export interface IncidentFacts {
  match: LeakMatch;
  /** The key as it stands now (after a Revoke now, the revoked key). */
  key: Key;
  /** Whether the provider tracks last use ("not tracked by …" otherwise). */
  tracksLastUsed: boolean;
  providerName: string;
  /** When the search ran. */
  searchedAt: Date;
}

const SECRET_NAMES: Record<string, string> = { api_key: 'API key', api_secret: 'API secret' };

/** The secret a fingerprint matched, in words: `api_secret` → "API secret". */
export function secretName(field: string): string {
  return SECRET_NAMES[field] ?? field.split('_').join(' ');
}

/** The incident summary of one match, one fact a line, times in UTC (RFC 3339). */
export function incidentSummary({ match, key, tracksLastUsed, providerName, searchedAt }: IncidentFacts): string {
  const connections = match.connections.map((c) => c.connection_name).join(', ');
  const lastUsed = !tracksLastUsed
    ? `not tracked by ${providerName}`
    : key.last_used_at
      ? `${key.last_used_at}${key.last_used_ip ? ` from ${key.last_used_ip}` : ''}`
      : 'never';
  const foundBy =
    match.found_by === 'fingerprint'
      ? `fingerprint of the ${secretName(match.secret_field ?? 'api_key')} Keydesk created`
      : `the part of the key ${providerName} lists`;
  return [
    'Leaked key: incident summary',
    `Connection${match.connections.length === 1 ? '' : 's'}: ${connections} (${providerName})`,
    `Key: ${key.name}`,
    `Masked: ${key.masked}`,
    `Key id: ${key.id}`,
    `Status: ${key.status}${key.revoked_at ? ` since ${key.revoked_at}` : ''}${match.listed ? '' : ' (no longer listed)'}`,
    `Created: ${key.created_at ?? 'unknown'}`,
    `Last used: ${lastUsed}`,
    `Found by: ${foundBy}`,
    `Searched: ${searchedAt.toISOString()}`,
  ].join('\n');
}
