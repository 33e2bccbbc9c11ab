// Comparing two bench reports (--compare): each common figure with its change,
// and the options the runs differ in, so that a change made by an option (bids
// over sockets instead of HTTP, another rate) is not read as the code's.
import { describe, expect, it } from 'vitest';
import { compareReports, machineInfo, type Report } from '../../bench/harness/report.js';

function report(options: Record<string, unknown>, figures: Report['figures']): Report {
  return {
    scenario: 'load',
    neighborbid: '0.0.0',
    startedAt: '2026-12-05T03:00:00.000Z',
    finishedAt: '2026-12-05T03:01:00.000Z',
    machine: { ...machineInfo(), loadAtStart: [0, 0, 0] },
    options,
    figures,
    problems: [],
    markdown: '',
    details: {},
  };
}

const cpu = (value: number) => ({ key: 'daemon.cpuPerDelivery', value, unit: 'µs', higherIsBetter: false });

describe('compareReports', () => {
  it('names the options the runs differ in, and only those', () => {
    const old = report({ bidsOver: 'http', rates: [1000], users: 1000 }, [cpu(3.1)]);
    const now = report({ bidsOver: 'ws', rates: [1000], users: 1000 }, [cpu(2.9)]);
    const text = compareReports(old, now);
    expect(text).toContain('Run with other options: bidsOver "http" → "ws".');
    expect(text).not.toContain('rates');
    expect(text).toMatch(/daemon\.cpuPerDelivery \| 3\.1 µs \| 2\.9 µs \| -6\.5% \| better/);
  });

  it('says nothing of options when they are the same, and counts an option one run lacks as a difference', () => {
    expect(compareReports(report({ rates: [1000] }, [cpu(3)]), report({ rates: [1000] }, [cpu(3)]))).not.toContain('other options');
    expect(compareReports(report({}, [cpu(3)]), report({ bidsOver: 'ws' }, [cpu(3)]))).toContain('bidsOver — → "ws"');
  });
});
