// The incident report export, for the activity view and the leaked-key dialog alike.
import { toAppError } from '../ipc/backend';
import type { AppError } from '../ipc/types';
import type { Keydesk } from '../shell/keydesk.svelte';

/**
 * Asks where to save the incident report of the activity entry `entryId` (null: the newest
 * leak search and what was done after it), writes it as Markdown and JSON, and says where.
 * Answers the error to show, or null (written, or the user cancelled the save dialog).
 */
export async function saveIncidentReport(desk: Keydesk, entryId: string | null): Promise<AppError | null> {
  try {
    const files = await desk.backend.exportIncidentReport(entryId);
    if (files) desk.toasts.show(`Saved the incident report to ${files.markdown} and ${files.json}`);
    return null;
  } catch (reason) {
    return toAppError(reason);
  }
}
