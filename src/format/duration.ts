// Durations typed by a person (`90s`, `10m`, `2h`, `1h30m`) and their short
// human form, and times of day. Pure functions, shared by the CLI and the TUI.

const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;

/**
 * Parses a duration of one or more `<whole number><unit>` parts, largest unit
 * first, units `d`, `h`, `m`, `s`: `90s`, `10m`, `2h`, `1h30m`. Returns whole
 * seconds, or null for anything else (no unit, fractions, signs, zero, repeats).
 */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (!/^(?:\d+[dhms])+$/.test(s)) return null;
  let total = 0;
  let lastRank = -1;
  for (const [, digits, unit] of s.matchAll(/(\d+)([dhms])/g)) {
    const rank = 'dhms'.indexOf(unit!);
    // `10m5m` or `5s1m` are typos, not durations.
    if (rank <= lastRank) return null;
    lastRank = rank;
    total += Number(digits) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
  }
  return total > 0 && Number.isSafeInteger(total) ? total : null;
}

/**
 * Formats seconds as its largest unit and, when not zero, the next one:
 * 59 → "59s", 90 → "1m 30s", 3600 → "1h", 93784 → "1d 2h". The one form every
 * screen writes a duration in (soft-close windows, relative times).
 */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const units = Object.entries(UNIT_SECONDS);
  const first = units.findIndex(([, size]) => whole >= size);
  if (first === -1) return '0s';
  const [unit, size] = units[first]!;
  const head = `${Math.floor(whole / size)}${unit}`;
  const next = units[first + 1];
  if (!next) return head;
  const n = Math.floor((whole % size) / next[1]);
  return n > 0 ? `${head} ${n}${next[0]}` : head;
}

/** Wall-clock time of day, HH:MM:SS, in the local zone. */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--:--';
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
