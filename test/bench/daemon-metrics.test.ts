// What a report reads from the daemon's /metrics between two scrapes: here the
// garbage collections, from prom-client's own text for its GC histogram.
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { gcBetween } from '../../bench/measure/daemon-metrics.js';

describe('gcBetween', () => {
  it('counts the full collections and sums every kind of pause between two scrapes', async () => {
    const registry = new Registry();
    // The name, labels and buckets prom-client's default metrics give it.
    const gc = new Histogram({
      name: 'nodejs_gc_duration_seconds',
      help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
      labelNames: ['kind'],
      buckets: [0.001, 0.01, 0.1, 1, 2, 5],
      registers: [registry],
    });
    gc.observe({ kind: 'major' }, 0.004);
    gc.observe({ kind: 'minor' }, 0.002);
    const before = await registry.metrics();
    gc.observe({ kind: 'major' }, 0.008);
    gc.observe({ kind: 'major' }, 0.003);
    gc.observe({ kind: 'minor' }, 0.0025);
    gc.observe({ kind: 'incremental' }, 0.001);
    const after = await registry.metrics();
    expect(gcBetween(before, after)).toEqual({ full: 2, pauseMs: 15 });
    expect(gcBetween(after, after)).toEqual({ full: 0, pauseMs: 0 });
  });
});
