// Reading a daemon's /metrics in tests: what it counted, as the daemon saw it.

/** One sample of the Prometheus text, e.g. `nb_ws_sockets`; 0 when the daemon has not recorded it yet. */
export async function metric(url: string, sample: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

/** How many name lookups (`GET /v1/users?ids=…`) the daemon has answered. */
export function nameLookups(url: string): Promise<number> {
  return metric(url, 'nb_http_request_duration_seconds_count{method="GET",route="/v1/users",status="200"}');
}
