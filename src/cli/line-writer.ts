/**
 * Batches output lines into few writes. Every write to stdout is a syscall that also wakes the
 * reading process, so a command that prints a line per event (listen --json prints two, at
 * thousands of events a second) joins the lines of up to `FLUSH_AFTER_MS` into one write, or
 * writes at once past `MAX_BUFFERED_BYTES`. Lines keep their order. Call flush() before the
 * command returns or prints anything else.
 */
const MAX_BUFFERED_BYTES = 64 * 1024;
/** Short enough that a person watching sees each line as it happens. */
export const FLUSH_AFTER_MS = 10;

export interface LineWriter {
  line(text: string): void;
  flush(): void;
}

export function createLineWriter(stream: NodeJS.WritableStream = process.stdout): LineWriter {
  let buffer = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (buffer === '') return;
    const text = buffer;
    buffer = '';
    stream.write(text);
  };
  return {
    line(text) {
      buffer += `${text}\n`;
      if (buffer.length >= MAX_BUFFERED_BYTES) flush();
      else timer ??= setTimeout(flush, FLUSH_AFTER_MS);
    },
    flush,
  };
}
