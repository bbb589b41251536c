/**
 * `webhooks add`: registers an endpoint after it passes a verification challenge (a signed POST
 * it must answer with 2xx within 5 s, echoing the challenge), unless skipped. The secret goes to
 * the credential vault (`webhook:<id>`); the endpoint receives events committed after it was
 * added (older ones with `mailmon replay --endpoint`).
 */
import { MailmonError } from '../core/errors.js';
import { describeOutcome, type SubscriptionRule } from '../core/delivery-schedule.js';
import { validateTargetUrl } from '../core/webhook-target.js';
import { secretName, type SignatureScheme } from './ports/endpoints.js';
import type { Mailboxes } from './ports/mailboxes.js';
import type { Secrets } from './ports/credentials.js';
import type { Storage } from './ports/storage.js';
import type { DeliveryResult, SendWebhook } from './ports/webhook-sender.js';
import { webhookRequest } from './webhook-request.js';

export const VERIFICATION_TIMEOUT_MS = 5000;

export interface EndpointDeps {
  storage: Pick<Storage, 'endpoints' | 'deliveries' | 'mailboxes' | 'events'>;
  vault: Secrets;
  send: SendWebhook;
  now: () => number;
  /** A new unique id with the prefix (`whe_…`, `evt_…`, `dlv_…`). */
  ids: (prefix: 'whe' | 'evt' | 'dlv') => string;
  generateSecret: () => string;
  /** Random text for verification challenges. */
  challenge: () => string;
  userAgent: string;
}

export interface AddEndpointInput {
  url: string;
  /** Event-type patterns (`message.*`); empty = every type. */
  events: string[];
  /** Mailbox ids or addresses; empty = every mailbox. */
  mailboxes: string[];
  scheme: SignatureScheme;
  headers: Record<string, string>;
  description: string | null;
  skipVerification: boolean;
}

export interface AddedEndpoint {
  id: string;
  url: string;
  /** Shown once here; `webhooks secret ID` shows it again. */
  secret: string;
  events: string[];
  mailboxIds: string[];
  signatureScheme: SignatureScheme;
  verified: boolean;
}

export async function addEndpoint(deps: EndpointDeps, input: AddEndpointInput): Promise<AddedEndpoint> {
  const url = validateTargetUrl(input.url).toString();
  const mailboxIds = await Promise.all(input.mailboxes.map((ref) => mailboxIdOf(deps.storage.mailboxes, ref)));
  const secret = deps.generateSecret();
  if (!input.skipVerification) await verifyEndpoint(deps, { url, secret, scheme: input.scheme, headers: input.headers });
  const id = deps.ids('whe');
  const now = deps.now();
  const events = input.events.length > 0 ? input.events : ['*'];
  const rules: SubscriptionRule[] = events.flatMap((eventType) => (mailboxIds.length > 0 ? mailboxIds : [null]).map((mailboxId) => ({ eventType, mailboxId })));
  // Secret first: an endpoint row never exists without its secret.
  await deps.vault.saveSecret(secretName(id), secret);
  try {
    const lastEnqueuedSequence = await deps.storage.events.head();
    await deps.storage.endpoints.insert({ id, url, description: input.description, signatureScheme: input.scheme, headers: input.headers, lastEnqueuedSequence, createdAt: now }, rules);
  } catch (error) {
    await deps.vault.deleteSecret(secretName(id)).catch(() => false);
    throw error;
  }
  return { id, url, secret, events, mailboxIds, signatureScheme: input.scheme, verified: !input.skipVerification };
}

/** A mailbox named by id, address (any case) or name. */
async function mailboxIdOf(mailboxes: Pick<Mailboxes, 'list'>, ref: string): Promise<string> {
  const found = (await mailboxes.list()).find((m) => m.id === ref || m.emailAddress.toLowerCase() === ref.toLowerCase() || m.name === ref);
  if (!found) throw new MailmonError('mailbox_not_found', `No mailbox "${ref}".`, { hint: 'Run "mailmon mailboxes" to list them.' });
  return found.id;
}

/** Sends the challenge; throws verification_failed with the reason unless it is echoed in time. */
export async function verifyEndpoint(deps: Pick<EndpointDeps, 'send' | 'now' | 'ids' | 'challenge' | 'userAgent'>, target: { url: string; secret: string; scheme: SignatureScheme; headers: Record<string, string> }): Promise<void> {
  const challenge = deps.challenge();
  const body = JSON.stringify({ type: 'webhook.verification', challenge, timestamp: new Date(deps.now()).toISOString() });
  const result = await deps.send(webhookRequest(
    { url: target.url, headers: target.headers, secrets: [target.secret], scheme: target.scheme },
    { body, eventId: deps.ids('evt'), eventType: 'webhook.verification', attempt: 1, deliveryId: deps.ids('dlv') },
    { timeoutMs: VERIFICATION_TIMEOUT_MS, userAgent: deps.userAgent, now: deps.now },
  ));
  const reason = verificationProblem(result, challenge);
  if (reason) {
    throw new MailmonError('verification_failed', `${target.url} did not pass the verification challenge: ${reason.replace(/[.!?]+$/, '')}.`, {
      hint: 'Make the endpoint answer the signed {"type":"webhook.verification"} POST with a 2xx JSON body {"challenge":"<the challenge>"} within 5 s, or pass --skip-verification.',
      details: { status: result.status, errorClass: result.errorClass },
    });
  }
}

function verificationProblem(result: DeliveryResult, challenge: string): string | null {
  if (!result.ok) return result.errorClass === 'timeout' ? `no response within ${VERIFICATION_TIMEOUT_MS / 1000} s` : describeOutcome(result);
  let echoed: unknown;
  try {
    echoed = (JSON.parse(result.responseBody) as { challenge?: unknown }).challenge;
  } catch {
    return `HTTP ${result.status} but the body is not JSON echoing the challenge`;
  }
  if (echoed !== challenge) return `HTTP ${result.status} but the body does not echo the challenge`;
  return null;
}
