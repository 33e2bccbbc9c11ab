// Time left on an auction, as a person reads it on a board.

/** Under this much time left, a countdown is shown as a warning. */
export const WARNING_MS = 60_000;

/** 1:02:03 for an hour or more, 4:05 below, 0:00 once the end has passed. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  if (h > 0) return `${h}:${String(m).padStart(2, '0')}:${ss}`;
  return `${m}:${ss}`;
}

export function isWarning(ms: number): boolean {
  return ms < WARNING_MS;
}
