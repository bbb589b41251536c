/**
 * A webhook receiver on 127.0.0.1 that checks every request the way a consumer's app should:
 * the mailmon signature (verifySignature) and the Standard Webhooks signature, against the raw
 * body. Used by `mailmon demo` to show that every delivery verifies.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature, verifyStandardSignature } from '../../core/signatures.js';
import type { ReceivedDelivery } from '../../app/demo.js';

export interface VerifyingReceiver {
  url: string;
  deliveries: ReceivedDelivery[];
  onDelivery(listener: (delivery: ReceivedDelivery) => void): void;
  close(): Promise<void>;
}

export async function startVerifyingReceiver(secret: string): Promise<VerifyingReceiver> {
  const deliveries: ReceivedDelivery[] = [];
  const listeners: Array<(delivery: ReceivedDelivery) => void> = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const payload = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => String(request.headers[name] ?? '');
      let error: string | null = null;
      try {
        const now = Math.floor(Date.now() / 1000);
        verifySignature({ payload, header: header('x-mailmon-signature'), secret, now });
        verifyStandardSignature({ payload, headers: request.headers, secret, now });
      } catch (caught) {
        error = caught instanceof Error ? caught.message : String(caught);
      }
      const delivery = { eventId: header('x-mailmon-event-id'), eventType: header('x-mailmon-event-type'), attempt: Number(header('x-mailmon-attempt') || 1), verified: error === null, error, receivedAt: Date.now() };
      deliveries.push(delivery);
      response.writeHead(error === null ? 200 : 400, { 'content-type': 'application/json' }).end(JSON.stringify({ received: error === null }));
      for (const listener of listeners) listener(delivery);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/mailmon`,
    deliveries,
    onDelivery: (listener) => listeners.push(listener),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
