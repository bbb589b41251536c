/**
 * At most one holder, always (PRODUCT §1 principle 4): 20 processes contend for one mailbox's
 * lease through the BUILT lease module (test/support/lease-stress-child.mjs). Each holds an
 * exclusive marker file while it believes it holds the lease; a marker that already exists is an
 * overlap. Half the processes wait for the lease (holders release while others wait), half poll
 * without waiting (maximum contention); four "crash" holding it (taken over: dead holder), and the
 * run starts from an expired lease left by another host (taken over: no heartbeat).
 * MAILMON_CHAOS_LEASE_ACQUISITIONS sets the acquisitions per process (the run: 200).
 * Then the same through the built CLI: concurrent `mailmon sync --wait 300` while the mailbox
 * changes; a second holder would end one of them with lease_lost (exit 7). 12 by default (each sync
 * holds the lease for a second or more on a loaded machine); MAILMON_CHAOS_SYNCS=50 is the run.
 * `npm run test:chaos` runs both at full size.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { ROOT, parseJson, runCli, tempHome } from '../support/cli.js';
import { foldEvents } from '../support/event-fold.js';
import type { MailmonEvent } from '../../src/core/events.js';

const PROCESSES = 20;
const ACQUISITIONS = Number(process.env.MAILMON_CHAOS_LEASE_ACQUISITIONS ?? 50);
const SYNCS = Number(process.env.MAILMON_CHAOS_SYNCS ?? 12);
const CHILD = path.join(ROOT, 'test', 'support', 'lease-stress-child.mjs');

interface ChildResult {
  acquired: number;
  overlaps: number;
  lost: number;
  crashed: boolean;
}

function runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`contender exited ${code}: ${stderr}`));
      resolve(JSON.parse(stdout.trim()) as ChildResult);
    });
  });
}

describe('lease stress', () => {
  it(`${PROCESSES} processes × ${ACQUISITIONS} acquisitions: never two holders at once`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-lease-stress-'));
    const leasesDir = path.join(dir, 'leases');
    fs.mkdirSync(leasesDir);
    // An expired lease of a process on another host (an earlier version's plain file): all
    // contenders race to take it over at the start.
    const stale = path.join(leasesDir, 'mbx_stress.lease');
    fs.writeFileSync(stale, JSON.stringify({ pid: 1, hostname: 'another-host', token: 'old', epoch: 1, acquiredAt: 0, purpose: 'sync' }));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(stale, old, old);

    const marker = path.join(dir, 'holder.marker');
    const results = await Promise.all(
      Array.from({ length: PROCESSES }, (_, index) => {
        const crash = index % 5 === 3;
        return runChild([leasesDir, marker, String(crash ? Math.ceil(ACQUISITIONS / 2) : ACQUISITIONS), index % 2 === 0 ? 'wait' : 'poll', '10000', crash ? '1' : '0']);
      }),
    );
    const total = results.reduce((sum, result) => ({ acquired: sum.acquired + result.acquired, overlaps: sum.overlaps + result.overlaps, lost: sum.lost + result.lost }), { acquired: 0, overlaps: 0, lost: 0 });
    expect(results.filter((result) => result.crashed)).toHaveLength(4);
    expect(total).toEqual({ acquired: 16 * ACQUISITIONS + 4 * Math.ceil(ACQUISITIONS / 2), overlaps: 0, lost: 0 });
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});

describe('concurrent syncs (built CLI)', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer({ quota: false, seed: 31, mailboxes: [{ generate: { messages: 100, seed: 31 } }] });
  });
  afterAll(async () => server?.close());
  const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000' };

  it(`${SYNCS} concurrent \`sync --wait 300\` while the mailbox changes: every one exits 0`, async () => {
    const home = tempHome('mailmon-lease-syncs-');
    expect((await runCli(['login', '--fixture', server.url], { home, env })).exitCode).toBe(0);
    expect((await runCli(['sync', '--emit-backfill'], { home, env, timeoutMs: 60_000 })).exitCode).toBe(0);
    let running = true;
    const changing = (async () => {
      for (let i = 0; running; i++) {
        const messages = (await server.control.snapshot({})).messages;
        if (i % 3 === 0) await server.control.send({ subject: `during ${i}` });
        else await server.control.modify({ id: messages[i % messages.length].id, addLabelIds: i % 2 ? ['STARRED'] : [], removeLabelIds: i % 2 ? [] : ['STARRED'] });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const results = await Promise.all(Array.from({ length: SYNCS }, () => runCli(['sync', '--wait', '300', '--json'], { home, env, timeoutMs: 280_000 })));
    running = false;
    await changing;
    const failures = results.filter((result) => result.exitCode !== 0).map((result) => `exit ${result.exitCode}: ${result.stdout.slice(0, 300)} ${result.stderr.slice(0, 300)}`);
    expect(failures).toEqual([]);

    // And the log stayed exactly-once: one last sync, then the events fold to Gmail's state.
    expect((await runCli(['sync'], { home, env, timeoutMs: 60_000 })).exitCode).toBe(0);
    const events = parseJson<MailmonEvent[]>((await runCli(['events', 'list', '--limit', '100000', '--json'], { home, env })).stdout);
    const folded = foldEvents(events);
    expect(folded.problems).toEqual([]);
    const truth = (await server.control.snapshot({})).messages.map((m) => ({ id: m.id, labelIds: [...m.labelIds].sort() })).sort((a, b) => a.id.localeCompare(b.id));
    expect(folded.messages).toEqual(truth);
  }, 300_000);
});
