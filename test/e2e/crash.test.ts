/**
 * Crash safety: the built CLI's `sync` is SIGKILLed at random moments while the fixture mailbox
 * changes under it. After a clean sync, the local copy must equal Gmail's truth and the event log
 * must be exactly-once (see foldEvents). MAILMON_CHAOS_TRIALS raises the trial count
 * (npm run test:chaos runs 500).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { parseJson, runCli, startCli, tempHome } from '../support/cli.js';

// The fixture runs without quota; lift the client-side limiter too (it defaults to Gmail's 250 units/s).
const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000' };
import { foldEvents } from '../support/event-fold.js';
import type { MailmonEvent } from '../../src/core/events.js';

const TRIALS = Number(process.env.MAILMON_CHAOS_TRIALS ?? 50);
let server: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 99, mailboxes: [{ generate: { messages: 5000, seed: 99 } }] });
});
afterAll(async () => server?.close());

/** A small deterministic PRNG so a failing run can be reproduced from its seed. */
function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

async function mutate(random: () => number): Promise<void> {
  const messages = (await server.control.snapshot({})).messages;
  const pick = () => messages[Math.floor(random() * messages.length)];
  const actions = 1 + Math.floor(random() * 4);
  for (let i = 0; i < actions; i++) {
    const roll = random();
    const target = pick();
    if (roll < 0.3) await server.control.send({ subject: `chaos ${Math.floor(random() * 1e9)}`, threadId: random() < 0.3 ? target.threadId : undefined });
    else if (roll < 0.55) await server.control.modify({ id: target.id, addLabelIds: ['STARRED'], removeLabelIds: ['UNREAD'] });
    else if (roll < 0.7) await server.control.modify({ id: target.id, addLabelIds: ['UNREAD'], removeLabelIds: ['STARRED'] });
    else if (roll < 0.8) await server.control.trash({ id: target.id });
    else if (roll < 0.88) await server.control.untrash({ id: target.id });
    else await server.control.delete({ id: target.id });
  }
}

/**
 * SIGKILLs `sync` (plus `args`) at random moments over `trials` trials, mutating the mailbox
 * between them; then a clean sync must leave a local copy equal to Gmail and an exactly-once log.
 */
async function killedSyncsConverge(trials: number, args: string[]): Promise<void> {
  const home = tempHome('mailmon-crash-');
  expect((await runCli(['login', '--fixture', server.url], { home, env })).exitCode).toBe(0);
  const seed = Number(process.env.MAILMON_CHAOS_SEED ?? Date.now() % 100_000);
  const random = prng(seed);
  let killed = 0;
  for (let trial = 0; trial < trials; trial++) {
    if (trial > 0) await mutate(random);
    const child = startCli(['sync', ...args, '--emit-backfill', '--wait', '30'], { home, env });
    const delay = 150 + Math.floor(random() * 1200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const timer = setTimeout(() => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        killed += 1;
      }
    }, delay);
    await exited;
    clearTimeout(timer);
  }
  const clean = await runCli(['sync', '--emit-backfill', '--wait', '30'], { home, env, timeoutMs: 120_000 });
  expect(clean.exitCode, `seed ${seed}: ${clean.stderr}`).toBe(0);
  const verify = await runCli(['verify', '--json'], { home, env, timeoutMs: 120_000 });
  expect(verify.exitCode, `seed ${seed}: ${verify.stdout.slice(0, 2000)}`).toBe(0);
  const events = parseJson<MailmonEvent[]>((await runCli(['events', 'list', '--limit', '1000000', '--json'], { home, env, timeoutMs: 60_000 })).stdout);
  const folded = foldEvents(events);
  expect(folded.problems.slice(0, 10), `seed ${seed}`).toEqual([]);
  const truth = (await server.control.snapshot({})).messages.map((m) => ({ id: m.id, labelIds: [...m.labelIds].sort() })).sort((a, b) => a.id.localeCompare(b.id));
  expect(folded.messages.length, `seed ${seed}`).toBe(truth.length);
  expect(folded.messages, `seed ${seed}`).toEqual(truth);
  expect(killed, 'some trials must actually be killed mid-sync').toBeGreaterThan(trials / 4);
}

describe('crash safety', () => {
  it(`survives ${TRIALS} SIGKILLs at random moments: state equals Gmail, events exactly once`, async () => {
    await killedSyncsConverge(TRIALS, []);
  }, 600_000);

  it(`thread-aware full syncs (sync --full every trial) survive ${Math.ceil(TRIALS / 2)} SIGKILLs: no thread lost or repeated across pages`, async () => {
    await server.control.clearRequests();
    await killedSyncsConverge(Math.ceil(TRIALS / 2), ['--full']);
    const threadGets = (await server.control.requests()).filter((entry) => /\/users\/[^/]+\/threads\/[0-9a-f]+/.test(entry.path));
    expect(threadGets.length, 'the full syncs must fetch long threads with threads.get').toBeGreaterThan(100);
  }, 600_000);
});
