/**
 * Wiring for registered endpoints: the deps of the webhooks/deliveries use cases, and the
 * delivery and retention services the daemon runs. Kept apart from the shared wiring.ts.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { CliContext } from './context.js';
import { credentialVault } from './wiring.js';
import { newId } from '../adapters/system/ids.js';
import { packageInfo } from '../adapters/system/package-info.js';
import type { WebhookSender } from '../adapters/http/webhook-sender.js';
import { generateWebhookSecret } from '../adapters/http/webhook-secret.js';
import type { EndpointDeps } from '../app/add-endpoint.js';
import { createRetentionService } from '../app/retention.js';
import { createDeliveryService, type DeliveryService, type DeliveryServiceDeps } from '../daemon/delivery-service.js';
import { systemClock } from '../adapters/system/clock.js';

export function userAgent(): string {
  return `mailmon/${packageInfo().version}`;
}

/** Deps for `webhooks …` commands; `close()` releases the HTTP agent. */
export async function endpointDeps(ctx: CliContext): Promise<{ deps: EndpointDeps & { timeoutMs: number }; close: () => Promise<void> }> {
  const storage = await ctx.storage();
  const sender = onFirstSend({ connections: 2 });
  return {
    deps: {
      storage,
      vault: await credentialVault(ctx),
      send: (request) => sender.send(request),
      now: Date.now,
      ids: newId,
      generateSecret: generateWebhookSecret,
      challenge: () => randomBytes(24).toString('base64url'),
      userAgent: userAgent(),
      timeoutMs: ctx.config.durationMs('delivery.timeout'),
    },
    close: () => sender.close(),
  };
}

/** The delivery worker with the real clock, HTTP sender and vault, from the home's settings. */
export async function deliveryService(ctx: CliContext, overrides: Partial<DeliveryServiceDeps> = {}): Promise<{ service: DeliveryService; close: () => Promise<void> }> {
  const storage = await ctx.storage();
  const perEndpoint = overrides.perEndpoint ?? 8;
  const global = overrides.global ?? 64;
  const sender = onFirstSend({ connections: global });
  const service = createDeliveryService({
    storage,
    holder: claimHolderId(),
    vault: await credentialVault(ctx),
    send: (request) => sender.send(request),
    clock: systemClock,
    changes: storage.changes,
    random: Math.random,
    newDeliveryId: () => newId('dlv'),
    // Read at each attempt: the daemon reloads its config when the file changes.
    scheduleMs: live(() => ctx.config.scheduleMs('delivery.retry-schedule')),
    timeoutMs: live(() => ctx.config.durationMs('delivery.timeout')),
    userAgent: userAgent(),
    perEndpoint,
    global,
    ...overrides,
  });
  return { service, close: () => sender.close() };
}

/**
 * One keep-alive HTTP sender, created on the first send: its HTTP client (undici) is a large part
 * of an idle daemon's memory, and a daemon without endpoints never sends.
 */
function onFirstSend(options: { connections: number }): Pick<WebhookSender, 'send' | 'close'> {
  let sender: Promise<WebhookSender> | undefined;
  return {
    send: async (request) => (await (sender ??= import('../adapters/http/webhook-sender.js').then((module) => new module.WebhookSender(options)))).send(request),
    close: async () => {
      if (sender) await (await sender).close();
    },
  };
}

/** Who claims deliveries: this host and process, plus randomness so a reused pid never passes for an earlier run. */
export function claimHolderId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
}

export async function retentionService(ctx: CliContext, options: { onError?: (error: unknown) => void } = {}) {
  return createRetentionService({ retention: (await ctx.storage()).retention, retentionMs: live(() => ctx.config.durationMs('retention')), clock: systemClock, onError: options.onError });
}

export const generateSecret = generateWebhookSecret;

/** A setting read at each use; read once now too, so a bad value fails at start, not at first use. */
export function live<T>(read: () => T): () => T {
  read();
  return read;
}

export function newDeliveryId(): string {
  return newId('dlv');
}
