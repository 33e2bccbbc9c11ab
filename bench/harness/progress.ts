// Progress on stderr while a scenario runs: one line rewritten in place on a
// terminal, a line every few seconds otherwise (CI logs stay short).
import { fmt } from './report.js';

export class Progress {
  private last = 0;
  private open = false;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(private readonly quiet = false) {}

  /** A step that starts now (a new line). */
  step(text: string): void {
    if (this.quiet) return;
    this.end();
    process.stderr.write(`· ${text}\n`);
  }

  /** The state of the running step; throttled. */
  update(text: string): void {
    if (this.quiet) return;
    const now = Date.now();
    if (this.tty) {
      if (now - this.last < 200) return;
      process.stderr.write(`\r\x1b[2K  ${text}`);
      this.open = true;
    } else {
      if (now - this.last < 3000) return;
      process.stderr.write(`  ${text}\n`);
    }
    this.last = now;
  }

  /** A bid load's onTick: how far it is, on the progress line. */
  ticker(label: string): (answered: number, accepted: number, ms: number) => void {
    return (answered, accepted, ms) =>
      this.update(`${label}: ${(ms / 1000).toFixed(1)} s, ${fmt(answered)} answered, ${fmt((accepted / ms) * 1000)} accepted/s`);
  }

  /** Ends an in-place line, if one is open. */
  end(): void {
    if (this.open) process.stderr.write('\n');
    this.open = false;
  }
}
