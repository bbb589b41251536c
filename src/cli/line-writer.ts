/**
 * Batches output lines into few writes. A write to a pipe is a synchronous syscall on Linux, so a
 * command that prints a line per event (listen --json prints two) spends most of a fast stream
 * in write(2); this joins the lines of one turn of the event loop into one write. Call flush()
 * before the command returns.
 */
const MAX_BUFFERED_BYTES = 64 * 1024;

export interface LineWriter {
  line(text: string): void;
  flush(): void;
}

export function createLineWriter(stream: NodeJS.WritableStream = process.stdout): LineWriter {
  let buffer = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (buffer === '') return;
    const text = buffer;
    buffer = '';
    stream.write(text);
  };
  return {
    line(text) {
      buffer += `${text}\n`;
      if (buffer.length >= MAX_BUFFERED_BYTES) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
