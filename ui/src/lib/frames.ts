/**
 * Runs `run` once the next frame is on screen: a task queued from the frame's animation
 * callback runs after that frame is painted. Without animation frames (tests), in the next task.
 */
export function afterNextPaint(run: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(run, 0));
  else setTimeout(run, 0);
}
