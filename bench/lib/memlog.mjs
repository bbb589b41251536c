/**
 * A preload that logs the process's memory every 500 ms (and at exit) to $MEMLOG_FILE, one line
 * per sample: ms since start, RSS, V8 heap used / total, external, array buffers, VmHWM (MB).
 * To see what grows during a long command (a full sync):
 *   MEMLOG_FILE=/tmp/mem.log node --import ./bench/lib/memlog.mjs bin/run.js sync --json
 * Without MEMLOG_FILE it does nothing.
 */
import fs from 'node:fs';

const out = process.env.MEMLOG_FILE;
if (out) {
  const started = Date.now();
  const mb = (bytes) => (bytes / 1048576).toFixed(0);
  const peakKb = () => {
    try {
      return Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
    } catch {
      return NaN;
    }
  };
  const write = () => {
    const m = process.memoryUsage();
    fs.appendFileSync(out, `${Date.now() - started} rss ${mb(m.rss)} heapUsed ${mb(m.heapUsed)} heapTotal ${mb(m.heapTotal)} ext ${mb(m.external)} ab ${mb(m.arrayBuffers)} hwm ${(peakKb() / 1024).toFixed(0)}\n`);
  };
  setInterval(write, 500).unref();
  process.on('exit', write);
}
