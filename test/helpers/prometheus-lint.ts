// The naming rules of Prometheus (https://prometheus.io/docs/practices/naming/)
// that `promtool check metrics` enforces and that matter to dashboards, checked
// on exposition text without promtool, so the check runs on every machine.

export interface MetricFamily {
  name: string;
  type: string | undefined;
  help: string | undefined;
  /** Label names used by the family's samples. */
  labels: Set<string>;
}

/** The families of an exposition text, by name, from its HELP and TYPE lines and samples. */
export function metricFamilies(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: undefined, help: undefined, labels: new Set() }));
    return f;
  };
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'HELP') family(meta[2]!).help = meta[3];
      else family(meta[2]!).type = meta[3];
      continue;
    }
    const sample = /^([^\s{#]+)(?:\{([^}]*)\})?\s/.exec(line);
    if (!sample) continue;
    const name = sample[1]!;
    const base = [...families.keys()].find((f) => name === f || ['_bucket', '_sum', '_count'].some((s) => name === f + s)) ?? name;
    for (const m of (sample[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)) family(base).labels.add(m[1]!);
  }
  return families;
}

/** Every sample name a family exposes: a histogram's `_bucket`, `_sum` and `_count`, a summary's `_sum` and `_count`. */
export function sampleNames(families: Map<string, MetricFamily>): Set<string> {
  const names = new Set<string>();
  for (const f of families.values()) {
    names.add(f.name);
    if (f.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(f.name + s);
    if (f.type === 'summary') for (const s of ['_sum', '_count']) names.add(f.name + s);
  }
  return names;
}

// Units that are not base units (Prometheus wants seconds and bytes), and abbreviations.
const NON_BASE_UNITS = /(^|_)(milliseconds|microseconds|nanoseconds|minutes|hours|days|ms|us|ns|sec|secs|msec|kilobytes|megabytes|gigabytes|kb|mb|gb|bits|percent|celsius)(_|$)/;
/** The units a histogram or summary may measure in: time, size, and this daemon's own countable things. */
const HISTOGRAM_UNITS = ['seconds', 'bytes', 'bids'];
const TIME_WORDS = /(^|_)(duration|latency|lag|elapsed|time)(_|$)/;

/** What breaks Prometheus's naming conventions in an exposition text, one sentence per problem. */
export function lintMetrics(text: string): string[] {
  const problems: string[] = [];
  for (const f of metricFamilies(text).values()) {
    const n = f.name;
    if (!f.help) problems.push(`${n}: no HELP text`);
    if (!f.type) problems.push(`${n}: no TYPE`);
    if (!/^[a-z_][a-z0-9_]*$/.test(n)) problems.push(`${n}: not snake_case`);
    if (f.type === 'counter' && !n.endsWith('_total')) problems.push(`${n}: a counter's name must end in _total`);
    if (f.type !== 'counter' && n.endsWith('_total')) problems.push(`${n}: only counters end in _total`);
    if (NON_BASE_UNITS.test(n)) problems.push(`${n}: use base units (seconds, bytes, ratio)`);
    if (/(^|_)(gauge|counter|histogram|summary)(_|$)/.test(n)) problems.push(`${n}: the type does not belong in the name`);
    if ((f.type === 'histogram' || f.type === 'summary') && !HISTOGRAM_UNITS.some((u) => n.endsWith(`_${u}`))) {
      problems.push(`${n}: a ${f.type} needs its unit in its name (${HISTOGRAM_UNITS.join(', ')})`);
    }
    if (TIME_WORDS.test(n) && !/_seconds(_total)?$/.test(n)) problems.push(`${n}: a time must be in seconds and say so`);
    if (f.type === 'histogram' && f.labels.has('quantile')) problems.push(`${n}: a histogram may not use the label quantile`);
    if (f.type === 'summary' && f.labels.has('le')) problems.push(`${n}: a summary may not use the label le`);
  }
  return problems;
}
