import { getContext, setContext } from 'svelte';
import type { Backend } from './backend';

const BACKEND = Symbol('keydesk-backend');

/** Makes `backend` available to every component below the caller. */
export function provideBackend(backend: Backend): void {
  setContext(BACKEND, backend);
}

/** The Backend provided by an ancestor (App, or a test wrapper). */
export function useBackend(): Backend {
  const backend = getContext<Backend | undefined>(BACKEND);
  if (!backend) throw new Error('No Backend in context: wrap the component in provideBackend()');
  return backend;
}

/** The context entry `provideBackend` sets, for mounting components in tests. */
export function backendContextEntry(backend: Backend): [symbol, Backend] {
  return [BACKEND, backend];
}
