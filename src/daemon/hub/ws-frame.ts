// Server-to-client WebSocket frames, built once and written as they are.
// A server's frames are not masked, so one event's frame is the same bytes for
// every socket that watches it: the hub frames it once (header and JSON in one
// Buffer) and each socket only queues that Buffer. Handing the payload to
// `ws` instead would build a header and make two stream writes per socket.

/** The frame of one text message (FIN, opcode 1, unmasked) carrying `json`. */
export function textFrame(json: string): Buffer {
  const n = Buffer.byteLength(json);
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x81;
  if (n < 126) {
    frame[1] = n;
  } else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  frame.write(json, head, 'utf8');
  return frame;
}

/** A JSON value as one text frame. */
export function jsonFrame(value: unknown): Buffer {
  return textFrame(JSON.stringify(value));
}
