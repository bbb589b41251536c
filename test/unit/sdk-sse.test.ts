/** The SDK's Server-Sent Events parser: the wire format however the bytes are chunked. */
import { describe, expect, it } from 'vitest';
import { parseSse, type SseMessage } from '../../src/sdk/index.js';

async function parse(chunks: string[]): Promise<SseMessage[]> {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  const messages: SseMessage[] = [];
  for await (const message of parseSse(body)) messages.push(message);
  return messages;
}

const wire = ': connected\nid: 0\n\nid: 1\nevent: message.created\ndata: {"a":1}\n\n: keep-alive\n\nid: 2\r\ndata: line one\r\ndata: line two\r\n\r\n';
const expected: SseMessage[] = [
  { id: '0', data: '' },
  { id: '1', event: 'message.created', data: '{"a":1}' },
  { id: '2', data: 'line one\nline two' },
];

describe('parseSse', () => {
  it('reads ids, types and multi-line data, skips comments, keeps an id-only message (a resume position)', async () => {
    expect(await parse([wire])).toEqual(expected);
  });

  it('gives the same messages whatever the chunk boundaries (one byte at a time)', async () => {
    expect(await parse([...wire])).toEqual(expected);
  });

  it('drops a message cut off before its blank line (a dropped connection)', async () => {
    expect(await parse(['id: 5\ndata: {"partial":'])).toEqual([]);
  });
});
