/**
 * forward baseline: a raw undici `request()` loop POSTing signed ~1 KB JSON bodies to the same
 * receiver at the same concurrency as `mailmon listen` (16 in flight), with the same two
 * signatures mailmon sends (x-mailmon-signature and Standard Webhooks), computed per request.
 * No queue, no cursor, no SQLite: the cost of the wire and the HMACs.
 *
 * Headers: by default the same ten mailmon sends (its event id, type, delivery id and attempt
 * too), so both sides put the same bytes on the wire and the receiver parses the same headers;
 * `minimal` sends only the six of earlier runs (content type, user agent, the signatures).
 *
 *   node bench/baseline-forward.mjs <url> <count> [concurrency] [mailmon|minimal]
 * Prints one JSON line: { sent, failed, ms }.
 */
import { performance } from 'node:perf_hooks';
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import { eventBody } from './lib/events.mjs';

const [url, countArg, concurrencyArg, headerSet = 'mailmon'] = process.argv.slice(2);
if (headerSet !== 'mailmon' && headerSet !== 'minimal') throw new Error(`unknown header set ${headerSet}`);
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
        ...(headerSet === 'mailmon' ? { 'x-mailmon-event-id': id, 'x-mailmon-event-type': 'message.created', 'x-mailmon-delivery-id': `dlv_${String(index).padStart(26, '0')}`, 'x-mailmon-attempt': '1' } : {}),
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
