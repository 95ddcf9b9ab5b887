import type { Connection, ConnectionInput } from '../ipc/types';

/** Whether `url` points at this machine: localhost, 127.0.0.0/8 or ::1 (core's `is_loopback`). */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Why a base URL would be refused, or null. HTTPS is required except on this machine. */
export function baseUrlProblem(text: string): string | null {
  const value = text.trim();
  if (!value) return 'Enter the base URL of the API.';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter a full URL, such as https://api.example.com.';
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') {
    return isLoopback(url) ? null : 'Use https:// for anything but this machine; plain http would expose the token.';
  }
  return 'The base URL must start with https://.';
}

/** A base URL as two spellings of one address compare: no trailing slash, host in lower case. */
function sameUrl(a: string, b: string): boolean {
  const normal = (text: string) => {
    try {
      const url = new URL(text.trim());
      return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/u, '')}`;
    } catch {
      return text.trim().replace(/\/+$/u, '');
    }
  };
  return normal(a) === normal(b);
}

/**
 * Whether `input` reaches what `connection` reaches: the same provider at the same address, in
 * the same organisation and project where the provider has them.
 */
export function sameTarget(connection: Connection, input: ConnectionInput): boolean {
  const id = (value: string | null) => value?.trim() || null;
  return (
    connection.provider === input.provider &&
    sameUrl(connection.base_url, input.base_url) &&
    id(connection.org_id) === id(input.org_id) &&
    id(connection.project_id) === id(input.project_id)
  );
}

/** What a test depends on (not the name, label or colour), to tell whether Save still has a failed test's settings. */
export function testedSettings(input: ConnectionInput): string {
  const { provider, base_url, org_id, project_id, credentials, id } = input;
  return JSON.stringify([id, provider, base_url, org_id, project_id, credentials]);
}
