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
