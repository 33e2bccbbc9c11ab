// Issue 14, defect 7: a CONNECT request (`curl -X CONNECT …/v1/health`) is
// malformed for this API like any other: 400 INVALID_INPUT in the error
// shape, then the connection is closed — not an empty reply. Node hands
// CONNECT to a 'connect' event of its own instead of the request handler.
import { describe, expect, it } from 'vitest';
import { useDaemon } from '../../helpers/fixture.js';
import { send, sendBytes } from '../../helpers/raw-http.js';

const t = useDaemon();

function parse(answer: string): { status: number; headers: string; body: any } {
  const [head, body] = answer.split('\r\n\r\n') as [string, string];
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: JSON.parse(body) };
}

describe('CONNECT', () => {
  it.each(['/v1/health', '127.0.0.1:443', 'example.com:80'])('CONNECT %s is answered 400 INVALID_INPUT and the connection closed', async (target) => {
    const answer = await sendBytes(t.daemon.url, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    expect(answer).not.toBe('');
    const r = parse(answer);
    expect(r.status).toBe(400);
    expect(r.headers).toContain('connection: close');
    expect(r.body).toEqual({ error: { code: 'INVALID_INPUT', reason: 'connectMethod', message: expect.stringMatching(/CONNECT/) } });
  });

  it('keeps serving afterwards', async () => {
    await sendBytes(t.daemon.url, 'CONNECT /v1/health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await send(t.daemon.url, { path: '/v1/health' })).status).toBe(200);
  });
});
