/**
 * forward baseline: a raw undici `request()` loop POSTing signed ~1 KB JSON bodies to the same
 * receiver at the same concurrency as `mailmon listen` (16 in flight), with the same two
 * signature headers mailmon sends (x-mailmon-signature and Standard Webhooks), computed per
 * request. No queue, no cursor, no SQLite: the cost of the wire and the HMACs.
 *
 *   node bench/baseline-forward.mjs <url> <count> [concurrency]
 * Prints one JSON line: { sent, failed, ms }.
 */
import { performance } from 'node:perf_hooks';
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import { eventBody } from './lib/events.mjs';

const [url, countArg, concurrencyArg] = process.argv.slice(2);
const count = Number(countArg);
const concurrency = Number(concurrencyArg ?? 16);
const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
const started = performance.now();
let next = 0;
let failed = 0;

async function worker() {
  for (;;) {
    const index = next++;
    if (index >= count) return;
    const { id, body } = eventBody(index + 1, Date.now());
    const t = Math.floor(Date.now() / 1000);
    const response = await request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'mailmon-bench',
        'x-mailmon-signature': `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`,
        'webhook-id': id,
        'webhook-timestamp': String(t),
        'webhook-signature': `v1,${createHmac('sha256', key).update(`${id}.${t}.${body}`).digest('base64')}`,
      },
      body,
    });
    await response.body.dump();
    if (response.statusCode >= 300) failed += 1;
  }
}

await Promise.all(Array.from({ length: concurrency }, worker));
process.stdout.write(`${JSON.stringify({ sent: count, failed, ms: performance.now() - started })}\n`);
