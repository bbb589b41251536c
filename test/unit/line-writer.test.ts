import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { FLUSH_AFTER_MS, createLineWriter } from '../../src/cli/line-writer.js';

function recording() {
  const writes: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => writes.push(chunk.toString('utf8')));
  return { stream, writes };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('createLineWriter', () => {
  it('joins the lines of several event-loop turns into one write', async () => {
    // The flush delay runs on a fake clock: on a loaded machine two real turns can outlast it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { stream, writes } = recording();
      const output = createLineWriter(stream);
      output.line('a');
      await turn();
      vi.advanceTimersByTime(FLUSH_AFTER_MS - 1);
      output.line('b');
      await turn();
      output.line('c');
      await turn();
      expect(writes).toEqual([]);
      vi.advanceTimersByTime(1);
      await turn();
      expect(writes).toEqual(['a\nb\nc\n']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('writes at once when much is buffered, and on flush, in order', async () => {
    const { stream, writes } = recording();
    const output = createLineWriter(stream);
    const long = 'x'.repeat(40 * 1024);
    output.line(long);
    output.line(long);
    output.line('tail');
    output.flush();
    await turn();
    expect(writes).toEqual([`${long}\n${long}\n`, 'tail\n']);
    output.flush();
    await new Promise((resolve) => setTimeout(resolve, FLUSH_AFTER_MS * 3));
    expect(writes).toHaveLength(2);
  });
});
