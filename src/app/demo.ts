/**
 * `mailmon demo`: the whole product on the built-in fixture mailbox, through the same use cases
 * a user runs (login, sync, listen, replay) — nothing demo-only inside sync or delivery. A script
 * of realistic changes, each shown as change → event → signed delivery → verified, then the two
 * failures mailmon is built for (an expired history cursor, a revoked token) and how it recovers,
 * then a replay of the last hour. Ends with a summary that says whether anything was lost.
 */
import { isMailmonError } from '../core/errors.js';
import type { MailmonEvent } from '../core/events.js';
import type { Clock } from './ports/clock.js';
import type { FixtureControl } from './ports/fixture-servers.js';
import type { LoginResult } from './login.js';
import type { SyncSummary } from './sync-mailbox.js';
import type { ReplaySummary } from './replay.js';

/** A delivery the demo's receiver got, and whether its signature verified. */
export interface ReceivedDelivery {
  eventId: string;
  eventType: string;
  attempt: number;
  verified: boolean;
  error: string | null;
  receivedAt: number;
}

export interface DemoEnvironment {
  fixtureUrl: string;
  control: FixtureControl;
  receiverUrl: string;
  deliveries: () => ReceivedDelivery[];
  login(): Promise<LoginResult>;
  sync(): Promise<SyncSummary>;
  /** Forwards every new event to the receiver (listen, in-process). */
  startForwarding(): Promise<{ stop(): Promise<void> }>;
  replayLastHour(): Promise<ReplaySummary>;
  eventsAfter(sequence: number): MailmonEvent[];
  maxSequence(): number;
  clock: Clock;
}

export interface DemoStepResult {
  step: string;
  events: Array<{ type: string; id: string; delivered: boolean; verified: boolean }>;
  note?: string;
}

export interface DemoSummary {
  fixtureUrl: string;
  receiverUrl: string;
  emailAddress: string;
  initialMessages: number;
  steps: DemoStepResult[];
  events: number;
  deliveries: number;
  verified: number;
  rejected: number;
  replay: { sent: number; failed: number };
  recoveries: string[];
  nothingLost: boolean;
}

export interface DemoCallbacks {
  onStep(step: string): void;
  onEvent(event: MailmonEvent, delivery: ReceivedDelivery | undefined): void;
  onNote(note: string): void;
}

export async function runDemo(env: DemoEnvironment, ui: DemoCallbacks): Promise<DemoSummary> {
  const account = await env.login();
  ui.onNote(`Signed in to ${account.emailAddress} through the fixture's OAuth flow (${account.mailboxId}).`);
  const initial = await env.sync();
  ui.onNote(`Initial sync: ${initial.created} messages recorded (no event per existing message; one mailbox.status_changed).`);
  const startSequence = env.maxSequence();
  const forwarding = await env.startForwarding();
  ui.onNote(`Forwarding events to ${env.receiverUrl}, which verifies every signature.`);
  const steps: DemoStepResult[] = [];
  const recoveries: string[] = [];

  const observe = async (step: string, change: () => Promise<unknown>, note?: string) => {
    ui.onStep(step);
    const before = env.maxSequence();
    await change();
    let syncError: unknown = null;
    try {
      await env.sync();
    } catch (error) {
      syncError = error;
    }
    const events = env.eventsAfter(before);
    const deliveries = await waitForDeliveries(env, events.map((event) => event.id));
    for (const event of events) ui.onEvent(event, deliveries.get(event.id));
    steps.push({ step, events: events.map((event) => ({ type: event.type, id: event.id, delivered: deliveries.has(event.id), verified: deliveries.get(event.id)?.verified ?? false })), note });
    return { events, syncError };
  };

  try {
    const thread = (await env.control.snapshot({})).messages.find((message) => message.labelIds.includes('INBOX')) ?? (await env.control.snapshot({})).messages[0];
    let sent = { id: '' };
    await observe('New mail arrives in an existing thread', async () => (sent = await env.control.send({ from: 'Ada Lovelace <ada@example.com>', subject: 'Re: the analytical engine', text: 'Notes attached.', threadId: thread.threadId, attachments: [{ filename: 'notes.pdf' }] })));
    await observe('You read it', () => env.control.modify({ id: sent.id, removeLabelIds: ['UNREAD'] }));
    await observe('You star it', () => env.control.modify({ id: sent.id, addLabelIds: ['STARRED'] }));
    await observe('You move it to the trash', () => env.control.trash({ id: sent.id }));
    await observe('You restore it', () => env.control.untrash({ id: sent.id }));
    await observe('You delete it forever', () => env.control.delete({ id: sent.id }));

    const expired = await observe('Gmail expires the history cursor (while a new message arrives)', async () => {
      await env.control.send({ from: 'Grace Hopper <grace@example.com>', subject: 'Found a bug', text: 'A moth, in relay 70.' });
      await env.control.expireHistory({});
    });
    if (expired.events.some((event) => event.type === 'mailbox.resynced')) {
      recoveries.push('expired history cursor → full resync that emitted only the real change, plus mailbox.resynced');
      ui.onNote('Recovered: a full resync diffed against the local copy and emitted only the real change.');
    }

    const revoked = await observe('The OAuth token is revoked', () => env.control.revokeToken({}));
    if (isMailmonError(revoked.syncError) && revoked.syncError.code === 'reauth_required') {
      ui.onNote('The mailbox is now reauth_required (one mailbox.status_changed event); it is not retried in a storm.');
      await observe('You sign in again', async () => {
        await env.login();
        await env.control.send({ from: 'Alan Turing <alan@example.com>', subject: 'Can machines think?', text: 'A question.' });
      });
      recoveries.push('revoked token → reauth_required → signed in again → active, syncing resumed');
      ui.onNote('Recovered: signing in again set the mailbox back to active and syncing resumed.');
    }
  } finally {
    await forwarding.stop();
  }

  ui.onStep('Replay the last hour to the receiver (same event ids, fresh signatures)');
  const replay = await env.replayLastHour();
  ui.onNote(`Replayed ${replay.sent} ${replay.sent === 1 ? 'event' : 'events'}, ${replay.failed} failed.`);

  const logged = env.eventsAfter(startSequence);
  const deliveries = env.deliveries();
  const verifiedIds = new Set(deliveries.filter((delivery) => delivery.verified).map((delivery) => delivery.eventId));
  return {
    fixtureUrl: env.fixtureUrl,
    receiverUrl: env.receiverUrl,
    emailAddress: account.emailAddress,
    initialMessages: initial.created,
    steps,
    events: logged.length,
    deliveries: deliveries.length,
    verified: deliveries.filter((delivery) => delivery.verified).length,
    rejected: deliveries.filter((delivery) => !delivery.verified).length,
    replay: { sent: replay.sent, failed: replay.failed },
    recoveries,
    nothingLost: logged.every((event) => verifiedIds.has(event.id)) && replay.failed === 0,
  };
}

async function waitForDeliveries(env: DemoEnvironment, ids: string[], timeoutMs = 10_000): Promise<Map<string, ReceivedDelivery>> {
  const deadline = env.clock.now() + timeoutMs;
  for (;;) {
    const found = new Map<string, ReceivedDelivery>();
    for (const delivery of env.deliveries()) if (ids.includes(delivery.eventId) && !found.has(delivery.eventId)) found.set(delivery.eventId, delivery);
    if (found.size === ids.length || env.clock.now() > deadline) return found;
    await env.clock.sleep(20);
  }
}
