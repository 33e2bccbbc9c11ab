// Raw HTTP for tests that must send what the typed client never would: broken
// JSON, wrong types, odd headers, huge bodies. One connection per request.
import http from 'node:http';
import net from 'node:net';

export interface RawRequest {
  method?: string;
  path: string;
  token?: string | undefined;
  /** An object is sent as JSON; a string or Buffer is sent as is. */
  body?: unknown;
  /** Extra headers; a header set to null is left out (e.g. content-type). */
  headers?: Record<string, string | null>;
  /** Fails the request (an error naming the time) when the whole answer has not come by then. */
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: any;
}

/** Sends one request and reads the whole answer, whatever its status. */
export function send(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const body =
    req.body === undefined ? undefined : typeof req.body === 'string' || Buffer.isBuffer(req.body) ? req.body : JSON.stringify(req.body);
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`;
  for (const [k, v] of Object.entries(req.headers ?? {})) {
    if (v === null) delete headers[k.toLowerCase()];
    else headers[k.toLowerCase()] = v;
  }
  return new Promise((resolve, reject) => {
    // The path goes out exactly as given (no URL resolution: "//x" stays a path).
    const { hostname, port } = new URL(baseUrl);
    const options = { hostname, port, path: req.path, method: req.method ?? (body === undefined ? 'GET' : 'POST'), headers, agent: false };
    const r = http.request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    r.on('error', reject);
    if (req.timeoutMs !== undefined) {
      const timer = setTimeout(() => r.destroy(new Error(`no answer within ${req.timeoutMs} ms`)), req.timeoutMs);
      r.on('close', () => clearTimeout(timer));
    }
    r.end(body);
  });
}

/** Writes bytes straight to the daemon's socket and returns all it answers before closing. */
export function sendBytes(baseUrl: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(bytes));
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('utf8')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}
