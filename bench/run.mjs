#!/usr/bin/env node
/**
 * `npm run bench`: mailmon's benchmarks, each figure a ratio against a baseline (or a ceiling)
 * measured side by side in the same run, because this kind of machine is shared and noisy.
 * Everything drives the BUILT CLI (`node bin/run.js …`, fresh temp MAILMON_HOME, file secret
 * store) against a fixture server process on 127.0.0.1; nothing leaves loopback.
 *
 *   node bench/run.mjs                    all benchmarks, default sizes (< 10 min on 2 cores)
 *   node bench/run.mjs full-sync forward  only these
 *   node bench/run.mjs --quick            smaller sizes, for a smoke run
 *   node bench/run.mjs --full             the issue's full sizes everywhere (slower)
 *   node bench/run.mjs --runs 5           runs per figure (default 3)
 *   node bench/run.mjs --keep-homes       keep the temp MAILMON_HOMEs (to inspect them)
 *
 * Prints a table and machine info; writes bench/results/latest.json.
 */
import { performance } from 'node:perf_hooks';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ROOT, commandExists, measure, readCpuMs, readRssKb, removeTempHomes, runCli, runScript, tempHome, cliEnv, CLI } from './lib/proc.mjs';
import { startFixture } from './lib/fixture.mjs';
import { openEvents } from './lib/events.mjs';
import { quantile, summarize } from './lib/stats.mjs';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';

const BENCHMARKS = ['full-sync', 'quota-sync', 'incremental', 'forward', 'replay', 'startup', 'daemon-idle', 'daemon-scale', 'push', 'endpoint-latency', 'api', 'postgres'];
const NO_LIMITER = { MAILMON_QUOTA_UNITS_PER_SECOND: '1000000' };

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : fallback;
};
const selected = argv.filter((arg, index) => !arg.startsWith('--') && argv[index - 1] !== '--runs');
for (const name of selected) {
  if (!BENCHMARKS.includes(name)) {
    console.error(`Unknown benchmark "${name}". Known: ${BENCHMARKS.join(', ')}`);
    process.exit(2);
  }
}
const mode = flag('--quick') ? 'quick' : flag('--full') ? 'full' : 'default';
const RUNS = Number(option('--runs', mode === 'quick' ? 2 : 3));
const SIZES = {
  quick: { syncSmall: 2_000, syncLarge: 10_000, syncLargeRuns: 1, quota: 300, quotaThreads: 1_000, incrementalBase: 1_000, mutations: 300, forward: 10_000, replay: 20_000, latencyEvents: 300, idleSeconds: 10, pushChanges: 10, pollChanges: 3, endpointEvents: 10, apiMessages: 2_000, apiEvents: 5_000 },
  default: { syncSmall: 10_000, syncLarge: 100_000, syncLargeRuns: 1, quota: 1_000, quotaThreads: 3_000, incrementalBase: 2_000, mutations: 1_000, forward: 50_000, replay: 100_000, latencyEvents: 1_000, idleSeconds: 30, pushChanges: 30, pollChanges: 6, endpointEvents: 30, apiMessages: 3_000, apiEvents: 20_000 },
  full: { syncSmall: 10_000, syncLarge: 100_000, syncLargeRuns: RUNS, syncHuge: 300_000, quota: 3_000, quotaThreads: 3_000, incrementalBase: 2_000, mutations: 1_000, forward: 50_000, replay: 100_000, latencyEvents: 2_000, idleSeconds: 30, pushChanges: 50, pollChanges: 10, endpointEvents: 50, apiMessages: 5_000, apiEvents: 50_000 },
}[mode];

/**
 * The header set the forwarding baseline sends: by default the ten mailmon sends, so both put the
 * same bytes on the wire and the receiver (in this process) parses the same headers;
 * MAILMON_BENCH_BASELINE_HEADERS=minimal sends the six of earlier runs (bench/baseline-forward.mjs).
 */
const BASELINE_HEADERS = process.env.MAILMON_BENCH_BASELINE_HEADERS ?? 'mailmon';

const results = [];
const log = (message) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

/** One row of the report. */
function record(row) {
  results.push(row);
  log(`  → ${row.benchmark} / ${row.metric}: ${formatValue(row)}${row.ratio ? `  ratio ${fmt(row.ratio.median, 2)}` : ''}`);
}

async function withFixture(options, body) {
  const fixture = await startFixture(options);
  try {
    return await body(fixture);
  } finally {
    await fixture.stop();
  }
}

/** A fresh home logged in to the fixture (first mailbox, or the login hint). */
async function loggedInHome(fixture, env = NO_LIMITER, hints = [undefined]) {
  const home = tempHome();
  for (const hint of hints) await runCli(['login', '--fixture', fixture.url, '--json', ...(hint ? ['--login-hint', hint] : [])], { home, env });
  return home;
}

function lastJson(stdout) {
  const text = stdout.trim();
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(text.split('\n').pop());
  }
}

// ---------------------------------------------------------------------------------------------
// full-sync

async function fullSync() {
  const rssBySize = {};
  for (const [size, runs] of [[SIZES.syncSmall, RUNS], [SIZES.syncLarge, SIZES.syncLargeRuns]]) {
    log(`full-sync: ${size} messages, ${runs} run(s) of mailmon + baseline`);
    await withFixture({ messages: size, seed: 11, quota: false }, async (fixture) => {
      const mailmon = [];
      const baseline = [];
      const ratios = [];
      const rss = [];
      const baseRss = [];
      const cpu = [];
      const baseCpu = [];
      for (let run = 0; run < runs; run++) {
        // Alternate the order so neither side always runs on a warmer machine.
        const order = run % 2 === 0 ? ['mailmon', 'baseline'] : ['baseline', 'mailmon'];
        let m;
        let b;
        for (const side of order) {
          if (side === 'mailmon') {
            const home = await loggedInHome(fixture);
            const sync = await runCli(['sync', '--json'], { home, env: NO_LIMITER, timeoutMs: 900_000 });
            const created = lastJson(sync.stdout).results?.[0]?.created ?? size;
            if (created !== size) throw new Error(`mailmon synced ${created} of ${size} messages`);
            m = size / (sync.wallMs / 1000);
            rss.push(sync.peakRssKb);
            cpu.push(sync.cpuMs / (size / 1000));
          } else {
            const result = await runScript('baseline-sync.mjs', [fixture.url, '25', fixture.info.controlToken], { timeoutMs: 900_000 });
            if (result.output.messages !== size) throw new Error(`baseline fetched ${result.output.messages} of ${size} messages`);
            b = size / (result.wallMs / 1000);
            baseRss.push(result.peakRssKb);
            baseCpu.push(result.cpuMs / (size / 1000));
          }
        }
        mailmon.push(m);
        baseline.push(b);
        ratios.push(m / b);
        log(`  run ${run + 1}: mailmon ${fmt(m, 0)} msg/s, baseline ${fmt(b, 0)} msg/s, ratio ${fmt(m / b, 2)}, mailmon peak RSS ${mb(rss.at(-1))}`);
      }
      record({ benchmark: 'full-sync', metric: `${size} messages: throughput`, unit: 'msg/s', value: summarize(mailmon), baseline: summarize(baseline), ratio: summarize(ratios), target: { op: '>=', value: 0.9, of: 'ratio' }, note: 'wall time of `mailmon sync --json` (incl. node startup; login is done before, untimed) vs the baseline process wall time (incl. its startup and token fetch)' });
      record({ benchmark: 'full-sync', metric: `${size} messages: peak RSS`, unit: 'MB', value: summarize(rss.map((kb) => kb / 1024)), baseline: summarize(baseRss.map((kb) => kb / 1024)), note: 'VmHWM of the sync process / of the baseline process' });
      // CPU per message is far less sensitive to a noisy machine than a rate: it says how much
      // work each side does, whichever of them the scheduler favoured.
      record({ benchmark: 'full-sync', metric: `${size} messages: CPU per 1k messages`, unit: 'ms', value: summarize(cpu), baseline: summarize(baseCpu), ratio: summarize(cpu.map((c, i) => c / baseCpu[i])), note: 'utime+stime of the process; the ratio is mailmon / baseline (higher = more work per message)' });
      rssBySize[size] = summarize(rss.map((kb) => kb / 1024)).median;
    });
  }
  const growth = rssBySize[SIZES.syncLarge] / rssBySize[SIZES.syncSmall];
  record({ benchmark: 'full-sync', metric: `peak RSS ${SIZES.syncLarge / 1000}k / ${SIZES.syncSmall / 1000}k`, unit: '×', value: summarize([growth]), target: mode === 'quick' ? undefined : { op: '<=', value: 1.2, of: 'value' }, note: mode === 'quick' ? 'no target in --quick: at 2k messages node startup dominates the peak' : 'RSS must not grow with mailbox size' });
  if (SIZES.syncHuge) await fullSyncPeakRss(SIZES.syncHuge, rssBySize[SIZES.syncSmall]);
}

/** One mailmon sync of a very large mailbox (no baseline: only its peak RSS matters here). */
async function fullSyncPeakRss(size, smallRss) {
  log(`full-sync: ${size} messages, peak RSS only`);
  await withFixture({ messages: size, seed: 11, quota: false }, async (fixture) => {
    const home = await loggedInHome(fixture);
    const sync = await runCli(['sync', '--json'], { home, env: NO_LIMITER, timeoutMs: 1_800_000 });
    const mbPeak = sync.peakRssKb / 1024;
    record({ benchmark: 'full-sync', metric: `${size} messages: peak RSS`, unit: 'MB', value: summarize([mbPeak]), note: `one run; ${fmt(size / (sync.wallMs / 1000), 0)} msg/s` });
    record({ benchmark: 'full-sync', metric: `peak RSS ${size / 1000}k / ${SIZES.syncSmall / 1000}k`, unit: '×', value: summarize([mbPeak / smallRss]), target: { op: '<=', value: 1.2, of: 'value' } });
  });
}

// ---------------------------------------------------------------------------------------------
// quota-sync

async function quotaSync() {
  await quotaSyncPerMessage();
  await quotaSyncByThread();
}

/** One timed `sync --json` of a fresh home under the fixture's 250 units/s: rate, quota units, 429/403s. */
async function quotaSyncRun(fixture, size, env) {
  const home = await loggedInHome(fixture, env);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // let the server's bucket refill
  await fixture.control.post('clear-requests');
  const sync = await runCli(['sync', '--json'], { home, env, timeoutMs: 900_000 });
  const requests = await fixture.control.get('requests');
  return {
    rate: size / (sync.wallMs / 1000),
    refused: requests.filter((r) => r.status === 429 || r.status === 403).length,
    serverUnits: requests.reduce((sum, r) => sum + r.quotaUnits, 0),
    threadGets: requests.filter((r) => /\/users\/[^/]+\/threads\/[0-9a-f]+/.test(r.path)).length,
    messageGets: requests.filter((r) => /\/users\/[^/]+\/messages\/[0-9a-f]+/.test(r.path)).length,
  };
}

/** The client limiter's efficiency against the per-message ceiling: thread-aware fetching off. */
async function quotaSyncPerMessage() {
  const size = SIZES.quota;
  const env = { MAILMON_SYNC_FETCH_BY_THREAD: 'false' };
  log(`quota-sync: ${size} messages, fixture quota 250 units/s, mailmon's default limiter, per-message fetching, ${RUNS} run(s)`);
  await withFixture({ messages: size, seed: 12, quota: 250 }, async (fixture) => {
    const fractions = [];
    const rates = [];
    const refused = [];
    for (let run = 0; run < RUNS; run++) {
      const result = await quotaSyncRun(fixture, size, env);
      rates.push(result.rate);
      fractions.push(result.rate / 50);
      refused.push(result.refused);
      log(`  run ${run + 1}: ${fmt(result.rate, 1)} msg/s = ${fmt(result.rate / 50, 3)} of 50/s, ${result.refused} × 429/403`);
    }
    record({ benchmark: 'quota-sync', metric: `${size} messages, per message: throughput / ceiling`, unit: 'msg/s', value: summarize(rates), baseline: summarize([50]), ratio: summarize(fractions), target: { op: '>=', value: 0.9, of: 'ratio' }, note: `sync.fetch-by-thread=false; ceiling = 250 units/s ÷ 5 units per messages.get; sync wall time incl. node startup${size < 3000 ? `; ${size} instead of 3k messages to fit the 10-minute budget (--full uses 3k)` : ''}` });
    record({ benchmark: 'quota-sync', metric: 'per message: responses 429/403', unit: 'count', value: summarize(refused), target: { op: '<=', value: 0, of: 'value' } });
  });
}

/** Thread-aware fetching (the default) on the default generated mailbox, against the same per-message ceiling. */
async function quotaSyncByThread() {
  const size = SIZES.quotaThreads;
  log(`quota-sync: ${size} messages (seed 7), fixture quota 250 units/s, mailmon's default limiter, thread-aware fetching, ${RUNS} run(s)`);
  await withFixture({ messages: size, seed: 7, quota: 250 }, async (fixture) => {
    const fractions = [];
    const rates = [];
    const refused = [];
    const unitsPerMessage = [];
    let calls = '';
    for (let run = 0; run < RUNS; run++) {
      const result = await quotaSyncRun(fixture, size, {});
      rates.push(result.rate);
      fractions.push(result.rate / 50);
      refused.push(result.refused);
      unitsPerMessage.push(result.serverUnits / size);
      calls = `${result.threadGets} threads.get + ${result.messageGets} messages.get`;
      log(`  run ${run + 1}: ${fmt(result.rate, 1)} msg/s = ${fmt(result.rate / 50, 3)} × 50/s, ${fmt(result.serverUnits / size, 2)} units/message (${calls}), ${result.refused} × 429/403`);
    }
    record({ benchmark: 'quota-sync', metric: `${size} messages, by thread: throughput / per-message ceiling`, unit: 'msg/s', value: summarize(rates), baseline: summarize([50]), ratio: summarize(fractions), target: { op: '>=', value: 1.6, of: 'ratio' }, note: `default generated mailbox (seed 7); sync.fetch-by-thread=true (default): threads of 3+ messages by threads.get (10 units); ceiling = 250 units/s ÷ 5 units per messages.get; sync wall time incl. node startup` });
    record({ benchmark: 'quota-sync', metric: 'by thread: quota units per message', unit: 'units', value: summarize(unitsPerMessage), note: `every unit the server charged (profile, labels, lists, gets) ÷ messages; per-message fetching costs 5 + listing; ${calls}` });
    record({ benchmark: 'quota-sync', metric: 'by thread: responses 429/403', unit: 'count', value: summarize(refused), target: { op: '<=', value: 0, of: 'value' } });
  });
}

// ---------------------------------------------------------------------------------------------
// incremental

async function incremental() {
  const mutations = SIZES.mutations;
  log(`incremental: ${mutations} mutations → one sync, ${RUNS} run(s)`);
  await withFixture({ messages: SIZES.incrementalBase, seed: 13, quota: false }, async (fixture) => {
    const home = await loggedInHome(fixture);
    await runCli(['sync', '--json'], { home, env: NO_LIMITER, timeoutMs: 600_000 });
    const ids = (await fixture.control.get('snapshot')).messages.map((m) => m.id);
    const times = [];
    const rates = [];
    const counts = [];
    const baseTimes = [];
    const ratios = [];
    for (let run = 0; run < RUNS; run++) {
      await applyMutations(fixture, ids, mutations, run);
      // The baseline makes the requests mailmon's sync makes from the same cursor and the same
      // known messages, read before either side runs (it changes nothing, on the server or here).
      const stateFile = path.join(path.dirname(home), `incremental-${run}.json`);
      fs.writeFileSync(stateFile, JSON.stringify(incrementalState(home)));
      const order = run % 2 === 0 ? ['mailmon', 'baseline'] : ['baseline', 'mailmon'];
      let m;
      let b;
      for (const side of order) {
        if (side === 'mailmon') {
          const sync = await runCli(['sync', '--json'], { home, env: NO_LIMITER, timeoutMs: 600_000 });
          const summary = lastJson(sync.stdout).results[0];
          if (summary.kind !== 'incremental') throw new Error(`expected an incremental sync, got ${summary.kind}`);
          m = { seconds: sync.wallMs / 1000, events: summary.events, durationMs: summary.durationMs };
        } else {
          const result = await runScript('baseline-incremental.mjs', [fixture.url, fixture.info.controlToken, stateFile, '25'], { timeoutMs: 600_000 });
          b = { seconds: result.wallMs / 1000, fetched: result.output.fetched };
        }
      }
      times.push(m.seconds);
      rates.push(m.events / m.seconds);
      counts.push(m.events);
      baseTimes.push(b.seconds);
      // Higher is better, as for the other throughput rows: baseline time / mailmon time.
      ratios.push(b.seconds / m.seconds);
      log(`  run ${run + 1}: ${fmt(m.seconds, 2)} s, ${m.events} events (sync's own durationMs ${m.durationMs}); baseline ${fmt(b.seconds, 2)} s for ${b.fetched} fetched; ratio ${fmt(b.seconds / m.seconds, 2)}`);
    }
    record({ benchmark: 'incremental', metric: `${mutations} mutations → sync: time`, unit: 's', value: summarize(times), baseline: summarize(baseTimes), ratio: summarize(ratios), target: { op: '>=', value: 0.8, of: 'ratio' }, note: 'wall time of `mailmon sync --json` incl. node startup vs bench/baseline-incremental.mjs (the same history.list + threads/messages.get by the raw client, incl. its startup); ratio = baseline time / mailmon time; mutations = 50% label changes, 20% trash, 10% untrash, 20% new messages' });
    record({ benchmark: 'incremental', metric: `${mutations} mutations → sync: events/s`, unit: 'events/s', value: summarize(rates), note: `events per sync: ${counts.join(', ')}` });
  });
}

/** The home's cursor and known provider ids, as mailmon's next sync will start from them. */
function incrementalState(home) {
  const db = new Database(path.join(home, 'mailmon.db'), { readonly: true });
  try {
    const { cursor } = db.prepare('select history_id as cursor from mailboxes limit 1').get();
    return { cursor, known: db.prepare('select provider_message_id from messages').pluck().all() };
  } finally {
    db.close();
  }
}

async function applyMutations(fixture, ids, count, run) {
  const control = fixture.control;
  const jobs = [];
  for (let i = 0; i < count; i++) {
    const id = ids[(run * count + i * 7) % ids.length];
    const kind = i % 10;
    if (kind < 5) jobs.push(() => control.post('modify', { id, ...(i % 2 ? { addLabelIds: ['STARRED'] } : { removeLabelIds: ['UNREAD'], addLabelIds: ['IMPORTANT'] }) }));
    else if (kind < 7) jobs.push(() => control.post('trash', { id }));
    else if (kind < 8) jobs.push(() => control.post('untrash', { id }));
    else jobs.push(() => control.post('send', { subject: `bench ${run}-${i}`, text: 'hello' }).then((sent) => ids.push(sent.id)));
  }
  // In order, 8 at a time is plenty; the mutations are not what is measured.
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < jobs.length) await jobs[next++]();
  }));
}

// ---------------------------------------------------------------------------------------------
// forward, replay: a no-op receiver in this process

/** A node:http server answering 204; counts requests and records arrival times by event id. */
async function startReceiver() {
  const arrivals = new Map();
  let count = 0;
  let waiters = [];
  const server = http.createServer((request, response) => {
    const at = performance.now();
    const id = request.headers['webhook-id'];
    if (id && !arrivals.has(id)) arrivals.set(id, at);
    count += 1;
    request.resume();
    request.on('end', () => {
      response.writeHead(204).end();
      for (const waiter of waiters) waiter();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    arrivals,
    get count() {
      return count;
    },
    reset() {
      count = 0;
      arrivals.clear();
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

/** A home with `count` synthetic events (schema created by `mailmon doctor`). */
async function homeWithEvents(count, occurredAt) {
  const home = tempHome();
  await runCli(['doctor', '--json'], { home, allowFailure: true });
  const dbFile = path.join(home, 'mailmon.db');
  if (!fs.existsSync(dbFile)) throw new Error(`mailmon doctor did not create ${dbFile}`);
  const events = openEvents(dbFile);
  for (let done = 0; done < count; done += 10_000) events.append(Math.min(10_000, count - done), occurredAt);
  events.close();
  return home;
}

let forwardRate = null;

async function forward() {
  const count = SIZES.forward;
  log(`forward: ${count} events → listen --forward-to vs raw undici loop, ${RUNS} run(s)`);
  const receiver = await startReceiver();
  try {
    const home = await homeWithEvents(count, Date.now());
    const mailmon = [];
    const baseline = [];
    const ratios = [];
    const rss = [];
    const pairs = [];
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 === 0 ? ['mailmon', 'baseline'] : ['baseline', 'mailmon'];
      const pair = await forwardingPair(order, receiver, count, 'listen', 700_000, () => runCli(['listen', '--no-sync', '--from-start', '--name', `bench-${run}`, '--forward-to', receiver.url, '--exit-after', String(count), '--timeout', '600', '--json'], { home, timeoutMs: 700_000 }));
      const { m, b, peakRssKb } = pair;
      pairs.push(pair);
      rss.push(peakRssKb);
      mailmon.push(m);
      baseline.push(b);
      ratios.push(m / b);
      log(`  run ${run + 1}: listen ${fmt(m, 0)} events/s, undici ${fmt(b, 0)} events/s, ratio ${fmt(m / b, 2)}`);
    }
    forwardRate = summarize(mailmon).median;
    record({ benchmark: 'forward', metric: `${count} events: throughput`, unit: 'events/s', value: summarize(mailmon), baseline: summarize(baseline), ratio: summarize(ratios), target: { op: '>=', value: 0.85, of: 'ratio' }, note: `listen --no-sync --from-start --exit-after N --json (16 in flight) vs raw undici request() loop, 16 in flight, headers: ${BASELINE_HEADERS}; wall time incl. node startup` });
    recordForwardingCpu('forward', count, pairs);
    record({ benchmark: 'forward', metric: `${count} events: peak RSS`, unit: 'MB', value: summarize(rss.map((kb) => kb / 1024)) });
    await latency(receiver);
  } finally {
    await receiver.close();
  }
}

/**
 * Commit → POST-start latency: listen runs live (--from-now) against an empty log; this process
 * appends one event per transaction at a steady rate straight into the events table (WAL, the
 * same envelope as EventLog.append) and notes the time right after each commit; the receiver in
 * this same process notes when each POST arrives. Same process, same monotonic clock.
 */
async function latency(receiver) {
  const total = SIZES.latencyEvents;
  const perSecond = 200;
  log(`forward latency: ${total} events at ${perSecond}/s, one commit each, ${RUNS} run(s)`);
  const p50s = [];
  const p99s = [];
  const maxes = [];
  for (let run = 0; run < RUNS; run++) {
    const home = await homeWithEvents(0, Date.now());
    receiver.reset();
    let ready;
    let child;
    const readySeen = new Promise((resolve) => (ready = resolve));
    const listening = runCli(['listen', '--no-sync', '--from-now', '--name', 'latency', '--forward-to', receiver.url, '--exit-after', String(total), '--timeout', '300', '--json'], {
      home, timeoutMs: 400_000, onStderrLine: (line) => line.startsWith('Ready!') && ready(), onSpawn: (spawned) => (child = spawned),
    });
    const commits = new Map();
    let events;
    try {
      await Promise.race([readySeen, listening.then(() => { throw new Error('listen exited before Ready'); })]);
      events = openEvents(path.join(home, 'mailmon.db'));
      const startedAt = performance.now();
      for (let i = 0; i < total; i++) {
        const due = startedAt + (i * 1000) / perSecond;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const [appended] = events.append(1, Date.now());
        commits.set(appended.id, performance.now());
      }
      await listening;
    } finally {
      events?.close();
      // On a failure here, do not leave listen waiting for events that will never come.
      if (child && child.exitCode === null) child.kill('SIGTERM');
    }
    const latencies = [...commits].map(([id, at]) => receiver.arrivals.get(id) - at).filter((ms) => Number.isFinite(ms));
    if (latencies.length < total) throw new Error(`only ${latencies.length} of ${total} events arrived`);
    p50s.push(quantile(latencies, 0.5));
    p99s.push(quantile(latencies, 0.99));
    maxes.push(Math.max(...latencies));
    log(`  run ${run + 1}: p50 ${fmt(p50s.at(-1), 1)} ms, p99 ${fmt(p99s.at(-1), 1)} ms, max ${fmt(maxes.at(-1), 1)} ms`);
  }
  const note = `${total} events, ${perSecond}/s, each its own commit from another process (this one); listen --from-now --no-sync`;
  record({ benchmark: 'forward', metric: 'commit → POST p50', unit: 'ms', value: summarize(p50s), note });
  record({ benchmark: 'forward', metric: 'commit → POST p99', unit: 'ms', value: summarize(p99s), target: { op: '<=', value: 10, of: 'value' }, note: `max per run: ${maxes.map((ms) => fmt(ms, 1)).join(', ')} ms` });
}

/**
 * One alternating pair of the forwarding benchmarks: mailmon (`send`, a CLI run forwarding
 * `count` events) and the raw undici loop, to the same receiver; each side's events/s.
 */
async function forwardingPair(order, receiver, count, what, timeoutMs, send) {
  const rates = {};
  const cpuMs = {};
  let peakRssKb;
  for (const side of order) {
    receiver.reset();
    if (side === 'mailmon') {
      const result = await send();
      if (receiver.count < count) throw new Error(`receiver got ${receiver.count} of ${count} events from ${what}`);
      rates.mailmon = count / (result.wallMs / 1000);
      cpuMs.mailmon = result.cpuMs;
      peakRssKb = result.peakRssKb;
    } else {
      const result = await runScript('baseline-forward.mjs', [receiver.url, String(count), '16', BASELINE_HEADERS], { timeoutMs });
      if (result.output.failed > 0) throw new Error(`baseline: ${result.output.failed} failed POSTs`);
      rates.baseline = count / (result.wallMs / 1000);
      cpuMs.baseline = result.cpuMs;
    }
  }
  return { m: rates.mailmon, b: rates.baseline, mCpuMs: cpuMs.mailmon, bCpuMs: cpuMs.baseline, peakRssKb };
}


/** CPU per 1k events of both sides (utime + stime): far steadier on a busy machine than a rate. */
function recordForwardingCpu(benchmark, count, pairs) {
  const per1k = (ms) => ms / (count / 1000);
  record({ benchmark, metric: `${count} events: CPU per 1k events`, unit: 'ms', value: summarize(pairs.map((pair) => per1k(pair.mCpuMs))), baseline: summarize(pairs.map((pair) => per1k(pair.bCpuMs))), ratio: summarize(pairs.map((pair) => pair.mCpuMs / pair.bCpuMs)), note: `utime+stime of each process, start-up included; the ratio is mailmon / baseline (higher = more work per event); baseline headers: ${BASELINE_HEADERS}` });
}

async function replay() {
  if (!(await commandExists(['replay']))) {
    record({ benchmark: 'replay', metric: 'skipped', skipped: 'mailmon replay not available' });
    return;
  }
  const count = SIZES.replay;
  log(`replay: ${count} events → replay --since … --forward-to, ${RUNS} run(s)`);
  const receiver = await startReceiver();
  try {
    const occurredAt = Date.now() - 60_000;
    const home = await homeWithEvents(count, occurredAt);
    const since = new Date(occurredAt - 1000).toISOString();
    const rates = [];
    const rss = [];
    const baseline = [];
    const ratios = [];
    const pairs = [];
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 === 0 ? ['mailmon', 'baseline'] : ['baseline', 'mailmon'];
      const pair = await forwardingPair(order, receiver, count, 'replay', 900_000, () => runCli(['replay', '--since', since, '--forward-to', receiver.url], { home, timeoutMs: 900_000 }));
      const { m, b, peakRssKb } = pair;
      pairs.push(pair);
      rss.push(peakRssKb);
      rates.push(m);
      baseline.push(b);
      ratios.push(m / b);
      log(`  run ${run + 1}: replay ${fmt(m, 0)} events/s, undici ${fmt(b, 0)} events/s, ratio ${fmt(m / b, 2)}, peak RSS ${mb(rss.at(-1))}`);
    }
    record({ benchmark: 'replay', metric: `${count} events: throughput`, unit: 'events/s', value: summarize(rates), baseline: summarize(baseline), ratio: summarize(ratios), target: { op: '>=', value: 0.9, of: 'ratio' }, note: `replay --since … --forward-to vs the raw undici request() loop (bench/baseline-forward.mjs, 16 in flight, headers: ${BASELINE_HEADERS}) over the same number of events, alternating` });
    recordForwardingCpu('replay', count, pairs);
    if (forwardRate) record({ benchmark: 'replay', metric: `${count} events: vs listen`, unit: 'events/s', value: summarize(rates), baseline: summarize([forwardRate]), ratio: summarize(rates.map((r) => r / forwardRate)), note: 'baseline = the forward benchmark\'s median listen rate in this run' });
    record({ benchmark: 'replay', metric: `${count} events: peak RSS`, unit: 'MB', value: summarize(rss.map((kb) => kb / 1024)) });
  } finally {
    await receiver.close();
  }
}

// ---------------------------------------------------------------------------------------------
// startup

async function startup() {
  const reps = Math.max(5, RUNS);
  log(`startup: ${reps} runs each, interleaved`);
  const home = tempHome();
  await runCli(['doctor', '--json'], { home, allowFailure: true });
  const hasStatus = await commandExists(['status']);
  const node = [];
  const version = [];
  const status = [];
  for (let i = 0; i < reps; i++) {
    node.push((await measureNode(['-e', '0'])).wallMs);
    version.push((await runCli(['--version'], { home })).wallMs);
    if (hasStatus) status.push((await runCli(['status', '--json'], { home, allowFailure: true })).wallMs);
  }
  const ratio = (samples) => summarize(samples.map((ms, i) => ms / node[i]));
  record({ benchmark: 'startup', metric: 'mailmon --version', unit: 'ms', value: summarize(version), baseline: summarize(node), ratio: ratio(version), target: { op: '<=', value: 2, of: 'ratio' }, note: 'baseline: node -e 0' });
  if (hasStatus) record({ benchmark: 'startup', metric: 'mailmon status --json', unit: 'ms', value: summarize(status), baseline: summarize(node), ratio: ratio(status), target: { op: '<=', value: 2.5, of: 'ratio' }, note: 'baseline: node -e 0; a home with no mailboxes' });
  else record({ benchmark: 'startup', metric: 'mailmon status --json', skipped: 'mailmon status not available' });
}

async function measureNode(args) {
  const { measure } = await import('./lib/proc.mjs');
  return measure(process.execPath, args, {});
}

// ---------------------------------------------------------------------------------------------
// daemon idle

async function daemonIdle() {
  if (!(await commandExists(['daemon', 'run']))) {
    record({ benchmark: 'daemon-idle', metric: 'skipped', skipped: 'mailmon daemon run not available' });
    return;
  }
  const seconds = SIZES.idleSeconds;
  const emails = ['a@mailmon.test', 'b@mailmon.test', 'c@mailmon.test', 'd@mailmon.test', 'e@mailmon.test'];
  log(`daemon-idle: 5 mailboxes, ${seconds} s of sampling`);
  await withFixture({ messages: 200, seed: 14, quota: false, emails }, async (fixture) => {
    const home = await loggedInHome(fixture, NO_LIMITER, emails);
    await runCli(['sync', '--json'], { home, env: NO_LIMITER, timeoutMs: 300_000 });
    const child = spawn(process.execPath, [CLI, 'daemon', 'run'], { cwd: ROOT, env: cliEnv(home, NO_LIMITER), stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await new Promise((resolve) => setTimeout(resolve, 5000)); // past startup and first polls
      const cpuStart = readCpuMs(child.pid);
      const start = performance.now();
      const rss = [];
      while (performance.now() - start < seconds * 1000) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const kb = readRssKb(child.pid);
        if (kb === null) throw new Error('daemon exited');
        rss.push(kb / 1024);
      }
      const cpuPercent = ((readCpuMs(child.pid) - cpuStart) / (performance.now() - start)) * 100;
      record({ benchmark: 'daemon-idle', metric: 'RSS over the window', unit: 'MB', value: summarize(rss), target: { op: '<=', value: 70, of: 'value' }, note: `${rss.length} samples (median, min–max over the window); default poll interval` });
      record({ benchmark: 'daemon-idle', metric: 'CPU', unit: '% of a core', value: summarize([cpuPercent]), target: { op: '<=', value: 1, of: 'value' }, note: `${seconds} s window, utime+stime` });
    } finally {
      child.kill('SIGTERM');
    }
  });
}

/**
 * How the daemon's cost grows with mailboxes: 5 vs 200 synced mailboxes, polled every
 * MAILMON_POLL_INTERVAL=10s (each mailbox on its own jittered timer). RSS over the window, CPU per
 * mailbox poll and per cycle of every mailbox (CPU ÷ getProfile probes the fixture saw in the
 * window), and whether every due poll happened. Setting up 200 logins takes minutes on 2 cores,
 * so it runs only when named or with --full.
 */
async function daemonScale() {
  if (!(await commandExists(['daemon', 'run']))) {
    record({ benchmark: 'daemon-scale', metric: 'skipped', skipped: 'mailmon daemon run not available' });
    return;
  }
  const seconds = SIZES.idleSeconds;
  const intervalMs = 10_000;
  for (const count of [5, 200]) {
    log(`daemon-scale: ${count} mailboxes, poll interval ${intervalMs / 1000} s, ${seconds} s window`);
    const emails = Array.from({ length: count }, (_, i) => `m${i}@mailmon.test`);
    await withFixture({ messages: 20, seed: 15, quota: false, emails }, async (fixture) => {
      const home = tempHome();
      // Logins 8 at a time: 200 one by one would be minutes of CLI start-ups.
      let next = 0;
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next < emails.length) await runCli(['login', '--fixture', fixture.url, '--json', '--login-hint', emails[next++]], { home, env: NO_LIMITER });
      }));
      await runCli(['sync', '--json'], { home, env: NO_LIMITER, timeoutMs: 600_000 });
      const env = { ...NO_LIMITER, MAILMON_POLL_INTERVAL: `${intervalMs / 1000}s` };
      const child = spawn(process.execPath, [CLI, 'daemon', 'run'], { cwd: ROOT, env: cliEnv(home, env), stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.resume();
      try {
        await new Promise((resolve) => setTimeout(resolve, 5000));
        await fixture.control.post('clear-requests');
        const cpuStart = readCpuMs(child.pid);
        const windowStart = Date.now();
        const rss = [];
        while (Date.now() - windowStart < seconds * 1000) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          const kb = readRssKb(child.pid);
          if (kb === null) throw new Error('daemon exited');
          rss.push(kb / 1024);
        }
        const cpuMs = readCpuMs(child.pid) - cpuStart;
        const elapsedMs = Date.now() - windowStart;
        // Every mailbox poll starts with its probe, users.getProfile (nothing changes on the
        // server meanwhile, so no history.list follows).
        const polls = (await fixture.control.get('requests')).filter((r) => /\/profile\b/.test(r.path)).length;
        const expected = count * (elapsedMs / intervalMs);
        record({ benchmark: 'daemon-scale', metric: `${count} mailboxes: RSS`, unit: 'MB', value: summarize(rss), note: `${rss.length} samples over ${seconds} s, poll interval ${intervalMs / 1000} s` });
        record({ benchmark: 'daemon-scale', metric: `${count} mailboxes: CPU`, unit: '% of a core', value: summarize([(cpuMs / elapsedMs) * 100]), note: `${polls} mailbox polls (getProfile probes) in the window` });
        if (polls > 0) {
          record({ benchmark: 'daemon-scale', metric: `${count} mailboxes: CPU per mailbox poll`, unit: 'ms', value: summarize([cpuMs / polls]), note: 'all the daemon\'s CPU in the window ÷ polls (timers and idle work included)' });
          record({ benchmark: 'daemon-scale', metric: `${count} mailboxes: CPU per cycle (every mailbox once)`, unit: 'ms', value: summarize([(cpuMs / polls) * count]) });
        }
        record({ benchmark: 'daemon-scale', metric: `${count} mailboxes: polls done / due`, unit: '×', value: summarize([polls / expected]), note: 'below 1: the daemon does not get round every mailbox within the interval' });
      } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      }
    });
    if (!flag('--keep-homes')) removeTempHomes();
  }
}

// ---------------------------------------------------------------------------------------------
// push: change → delivered webhook, with Gmail push (fixture users.watch + Pub/Sub pull) vs polling

const PUSH_TOPIC = 'projects/mailmon-bench/topics/gmail';
const PUSH_SUBSCRIPTION = 'projects/mailmon-bench/subscriptions/mailmon';

/** A receiver that keeps every body with its arrival time (a change is found by its message id in the body). */
async function startBodyReceiver() {
  const received = [];
  const server = http.createServer((request, response) => {
    const at = performance.now();
    let body = '';
    request.setEncoding('utf8').on('data', (chunk) => (body += chunk)).on('end', () => {
      received.push({ at, body });
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks`,
    arrivalOf: (id) => received.find((entry) => entry.body.includes(id))?.at,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

async function pushLatency() {
  if (!(await commandExists(['daemon', 'run']))) {
    record({ benchmark: 'push', metric: 'skipped', skipped: 'mailmon daemon run not available' });
    return;
  }
  log(`push: ${SIZES.pushChanges} changes with push, ${SIZES.pollChanges} with polling at the default interval (each waits up to 30 s)`);
  await withFixture({ messages: 200, seed: 15, quota: false }, async (fixture) => {
    const { accessToken } = await fixture.control.post('issue-token', { scope: 'https://www.googleapis.com/auth/pubsub' });
    for (const [name, body] of [[PUSH_TOPIC, {}], [PUSH_SUBSCRIPTION, { topic: PUSH_TOPIC }]]) {
      const response = await globalThis.fetch(`${fixture.url}v1/${name}`, { method: 'PUT', headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`creating ${name}: ${response.status} ${await response.text()}`);
    }
    const pushEnv = { ...NO_LIMITER, MAILMON_PUBSUB_API_URL: fixture.url, MAILMON_PUSH_TOPIC: PUSH_TOPIC, MAILMON_PUSH_SUBSCRIPTION: PUSH_SUBSCRIPTION, MAILMON_PUSH_CREDENTIALS: 'mailbox' };
    const receiver = await startBodyReceiver();
    try {
      for (const [label, env, changes] of [['push', pushEnv, SIZES.pushChanges], ['polling 30s', NO_LIMITER, SIZES.pollChanges]]) {
        const home = tempHome();
        await runCli(['login', '--fixture', fixture.url, '--push', '--json'], { home, env });
        await runCli(['sync', '--json'], { home, env, timeoutMs: 120_000 });
        await runCli(['webhooks', 'add', receiver.url, '--events', 'message.created', '--skip-verification', '--json'], { home, env });
        const child = spawn(process.execPath, [CLI, 'daemon', 'run'], { cwd: ROOT, env: cliEnv(home, env), stdio: ['ignore', 'ignore', 'pipe'] });
        try {
          await new Promise((resolve) => setTimeout(resolve, 3000)); // past startup, the first poll, the watch and the first pull
          const latencies = [];
          for (let i = 0; i < changes; i++) {
            // Polling: a random phase against the poll timer, so the samples cover the whole interval.
            await new Promise((resolve) => setTimeout(resolve, label === 'push' ? 100 : Math.random() * 30_000));
            const sentAt = performance.now();
            const { id } = await fixture.control.post('send', { subject: `bench ${label} ${i}` });
            const deadline = sentAt + 120_000;
            let arrivedAt;
            while ((arrivedAt = receiver.arrivalOf(id)) === undefined) {
              if (performance.now() > deadline) throw new Error(`${label}: change ${id} not delivered within 120 s`);
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
            latencies.push(arrivedAt - sentAt);
          }
          const note = `${changes} changes; ${label === 'push' ? 'push on (poll relaxed to push.poll-interval 10m)' : 'no push, poll-interval 30s, random phase'}; fixture send → daemon → registered endpoint`;
          record({ benchmark: 'push', metric: `change → webhook p50 (${label})`, unit: 'ms', value: summarize([quantile(latencies, 0.5)]), note });
          record({ benchmark: 'push', metric: `change → webhook p99 (${label})`, unit: 'ms', value: summarize([quantile(latencies, 0.99)]), ...(label === 'push' ? { target: { op: '<=', value: 1000, of: 'value' } } : {}), note: `max ${fmt(Math.max(...latencies), 0)} ms` });
        } finally {
          child.kill('SIGTERM');
          await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
        }
      }
    } finally {
      await receiver.close();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// endpoint-latency: the daemon's own sync commit → the POST to a registered endpoint it serves,
// next to the same event's delivery by `listen` (another process)

/** A receiver that keeps, per event id, when its first POST arrived (wall clock, as the event's occurredAt). */
async function startEventReceiver() {
  const arrivals = new Map();
  const server = http.createServer((request, response) => {
    const at = Date.now();
    let body = '';
    request.setEncoding('utf8').on('data', (chunk) => (body += chunk)).on('end', () => {
      try {
        const event = JSON.parse(body);
        if (!arrivals.has(event.id)) arrivals.set(event.id, { at, event });
      } catch { /* not an event */ }
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks`,
    /** The arrival of the message.created event naming this provider message id. */
    arrivalOf: (providerMessageId) => [...arrivals.values()].find(({ event }) => event.type === 'message.created' && event.data?.providerMessageId === providerMessageId),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

/**
 * Each change: the fixture gets a new message, `mailmon sync` asks the running daemon to sync
 * (so the daemon's own connection commits the event), and both receivers note when its POST
 * arrives. Latency is measured from the event's occurredAt (stamped in the commit), on the
 * wall clock, which every process here shares.
 */
async function endpointLatency() {
  if (!(await commandExists(['daemon', 'run']))) {
    record({ benchmark: 'endpoint-latency', metric: 'skipped', skipped: 'mailmon daemon run not available' });
    return;
  }
  const changes = SIZES.endpointEvents;
  log(`endpoint-latency: ${changes} changes synced by the daemon → registered endpoint vs listen`);
  await withFixture({ messages: 50, seed: 16, quota: false }, async (fixture) => {
    const endpoint = await startEventReceiver();
    const listener = await startEventReceiver();
    const home = tempHome();
    const daemon = { child: null, listen: null };
    let listening;
    try {
      await runCli(['login', '--fixture', fixture.url, '--json'], { home, env: NO_LIMITER });
      await runCli(['sync', '--json'], { home, env: NO_LIMITER, timeoutMs: 120_000 });
      await runCli(['webhooks', 'add', endpoint.url, '--events', 'message.created', '--skip-verification', '--json'], { home, env: NO_LIMITER });
      daemon.child = spawn(process.execPath, [CLI, 'daemon', 'run'], { cwd: ROOT, env: cliEnv(home, NO_LIMITER), stdio: ['ignore', 'ignore', 'pipe'] });
      let ready;
      const readySeen = new Promise((resolve) => (ready = resolve));
      listening = runCli(['listen', '--no-sync', '--from-now', '--forward-to', listener.url, '--timeout', '600', '--json'], { home, env: NO_LIMITER, timeoutMs: 700_000, allowFailure: true, onStderrLine: (line) => line.startsWith('Ready!') && ready(), onSpawn: (spawned) => (daemon.listen = spawned) });
      await readySeen;
      await new Promise((resolve) => setTimeout(resolve, 3000)); // past the daemon's startup and first poll
      const toEndpoint = [];
      const toListen = [];
      const lag = [];
      for (let i = 0; i < changes; i++) {
        const { id } = await fixture.control.post('send', { subject: `bench endpoint ${i}` });
        await runCli(['sync', '--json'], { home, env: NO_LIMITER, timeoutMs: 60_000 });
        const deadline = Date.now() + 30_000;
        let atEndpoint;
        let atListen;
        while (!(atEndpoint = endpoint.arrivalOf(id)) || !(atListen = listener.arrivalOf(id))) {
          if (Date.now() > deadline) throw new Error(`change ${id} not delivered to both receivers within 30 s`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const committedAt = Date.parse(atEndpoint.event.occurredAt);
        toEndpoint.push(atEndpoint.at - committedAt);
        toListen.push(atListen.at - committedAt);
        lag.push(atEndpoint.at - atListen.at);
      }
      log(`  endpoint p50 ${fmt(quantile(toEndpoint, 0.5), 0)} ms p99 ${fmt(quantile(toEndpoint, 0.99), 0)} ms; listen p50 ${fmt(quantile(toListen, 0.5), 0)} ms p99 ${fmt(quantile(toListen, 0.99), 0)} ms`);
      const note = `${changes} changes, each committed by the daemon's sync (mailmon sync → daemon); wall clock from the event's occurredAt`;
      record({ benchmark: 'endpoint-latency', metric: 'commit → endpoint POST p50', unit: 'ms', value: summarize([quantile(toEndpoint, 0.5)]), note });
      record({ benchmark: 'endpoint-latency', metric: 'commit → endpoint POST p99', unit: 'ms', value: summarize([quantile(toEndpoint, 0.99)]), note: `max ${fmt(Math.max(...toEndpoint), 0)} ms` });
      record({ benchmark: 'endpoint-latency', metric: 'commit → listen POST p50', unit: 'ms', value: summarize([quantile(toListen, 0.5)]) });
      record({ benchmark: 'endpoint-latency', metric: 'commit → listen POST p99', unit: 'ms', value: summarize([quantile(toListen, 0.99)]) });
      record({ benchmark: 'endpoint-latency', metric: 'endpoint lag behind listen p99', unit: 'ms', value: summarize([quantile(lag, 0.99)]), target: { op: '<=', value: 50, of: 'value' } });
    } finally {
      daemon.listen?.kill('SIGTERM');
      await listening?.catch(() => undefined);
      if (daemon.child) {
        daemon.child.kill('SIGTERM');
        await new Promise((resolve) => (daemon.child.exitCode !== null ? resolve() : daemon.child.once('exit', resolve)));
      }
      await endpoint.close();
      await listener.close();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// report

/**
 * The HTTP API vs the store read in-process through the same ports (the built dist), in the
 * same run: `GET /v1/messages?limit=100` paged to the end, and an SSE catch-up of N events.
 */
async function apiBench() {
  const size = SIZES.apiMessages;
  const count = SIZES.apiEvents;
  log(`api: ${size} synced messages paged by 100, SSE catch-up of ${count} events, ${RUNS} run(s)`);
  await withFixture({ messages: size, seed: 13, quota: false }, async (fixture) => {
    const home = await loggedInHome(fixture);
    await runCli(['sync', '--json'], { home, env: NO_LIMITER, timeoutMs: 900_000 });
    const events = openEvents(path.join(home, 'mailmon.db'));
    for (let done = 0; done < count; done += 10_000) events.append(Math.min(10_000, count - done), Date.now());
    events.close();
    const key = lastJson((await runCli(['api-keys', 'create', '--scope', 'read', '--json'], { home })).stdout).key;
    const direct = await directReader(home);
    const api = await startApiProcess(home);
    try {
      const pages = { mailmon: [], baseline: [] };
      const stream = { mailmon: [], baseline: [] };
      for (let run = 0; run < RUNS; run++) {
        const order = run % 2 === 0 ? ['mailmon', 'baseline'] : ['baseline', 'mailmon'];
        for (const side of order) {
          pages[side].push(await pagesPerSecond(side === 'mailmon' ? (after) => fetchPage(api.url, key, after) : direct.page, size));
          stream[side].push(await eventsPerSecond(side === 'mailmon' ? () => sseCatchUp(api.url, key, count) : () => direct.catchUp(count), count));
        }
        log(`  run ${run + 1}: messages ${fmt(pages.mailmon[run], 0)} vs ${fmt(pages.baseline[run], 0)} req/s; SSE ${fmt(stream.mailmon[run], 0)} vs ${fmt(stream.baseline[run], 0)} events/s`);
      }
      const ratio = (side) => summarize(side.mailmon.map((m, i) => m / side.baseline[i]));
      record({ benchmark: 'api', metric: `GET /v1/messages?limit=100, ${size} messages`, unit: 'req/s', value: summarize(pages.mailmon), baseline: summarize(pages.baseline), ratio: ratio(pages), note: 'sequential pages over loopback HTTP (one keep-alive client) vs messagePage() on the Messages port in-process + JSON.stringify, same cursors' });
      record({ benchmark: 'api', metric: `SSE catch-up, ${count} events`, unit: 'events/s', value: summarize(stream.mailmon), baseline: summarize(stream.baseline), ratio: ratio(stream), note: 'GET /v1/events/stream?after=0 read until the Nth id vs EventLog.readAfter in pages of 500 in-process, formatted as the same SSE text' });
    } finally {
      await api.stop();
      direct.close();
    }
  });
}

/** `mailmon api --port 0` on `home`; resolves once it prints its address. */
async function startApiProcess(home) {
  let child;
  let ready;
  const readySeen = new Promise((resolve) => (ready = resolve));
  const exited = runCli(['api', '--port', '0', '--json'], { home, timeoutMs: 900_000, allowFailure: true, onStdoutLine: (line) => line.includes('"ready"') && ready(JSON.parse(line).url), onSpawn: (spawned) => (child = spawned) });
  const url = await Promise.race([readySeen, exited.then(() => { throw new Error('mailmon api exited before it was ready'); })]);
  return { url, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

/** The baseline: the same queries on the home's store through the built ports, in this process. */
async function directReader(home) {
  const dist = (file) => import(path.join(ROOT, 'dist', 'src', file));
  const [{ openDatabase }, { sqliteStorage }, { messagePage }] = await Promise.all([dist('adapters/sqlite/database.js'), dist('adapters/sqlite/sqlite-storage.js'), dist('app/message-queries.js')]);
  const store = openDatabase(path.join(home, 'mailmon.db'));
  const storage = sqliteStorage(store);
  return {
    page: async (after) => {
      const page = await messagePage(storage, { after: after ?? undefined, limit: 100 });
      JSON.stringify(page);
      return page.nextCursor;
    },
    catchUp: async (count) => {
      let cursor = 0;
      let text = 0;
      while (cursor < count) {
        const batch = await storage.events.readAfter(cursor, 500);
        for (const event of batch) text += `id: ${event.sequence}\nevent: ${event.type}\ndata: ${event.body}\n\n`.length;
        cursor = batch.at(-1).sequence;
      }
      return text;
    },
    close: () => store.close(),
  };
}

async function fetchPage(url, key, after) {
  const response = await fetch(`${url}/v1/messages?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`, { headers: { authorization: `Bearer ${key}` } });
  if (!response.ok) throw new Error(`GET /v1/messages: ${response.status}`);
  return (await response.json()).nextCursor;
}

/** Pages through every message (at least twice, and for at least a second); requests per second. */
async function pagesPerSecond(page, size) {
  const started = performance.now();
  let requests = 0;
  for (let pass = 0; pass < 2 || performance.now() - started < 1000; pass++) {
    let cursor = null;
    let seen = 0;
    do {
      cursor = await page(cursor);
      requests += 1;
      seen += 100;
    } while (cursor);
    if (seen < size) throw new Error(`paged ${seen} of ${size} messages`);
  }
  return requests / ((performance.now() - started) / 1000);
}

async function eventsPerSecond(catchUp, count) {
  const started = performance.now();
  await catchUp();
  return count / ((performance.now() - started) / 1000);
}

/** Reads the stream from the start until the event with sequence `count` arrives. */
async function sseCatchUp(url, key, count) {
  const controller = new AbortController();
  const response = await fetch(`${url}/v1/events/stream?after=0`, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal });
  const decoder = new TextDecoder();
  const last = `\nid: ${count}\n`;
  let tail = '';
  for await (const chunk of response.body) {
    tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4096);
    if (tail.includes(last)) break;
  }
  controller.abort();
}

function fmt(value, digits) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function mb(kb) {
  return kb ? `${fmt(kb / 1024, 0)} MB` : '—';
}

function digitsFor(stat) {
  if (stat.samples?.every((sample) => Number.isInteger(sample))) return 0;
  const v = Math.abs(stat?.median ?? 0);
  return v >= 100 ? 0 : v >= 10 ? 1 : 2;
}

function formatStat(stat) {
  if (!stat || stat.median === null) return '—';
  const d = digitsFor(stat);
  return stat.n > 1 ? `${fmt(stat.median, d)} (${fmt(stat.min, d)}–${fmt(stat.max, d)})` : fmt(stat.median, d);
}

function formatValue(row) {
  return row.skipped ? `skipped: ${row.skipped}` : `${formatStat(row.value)} ${row.unit}`;
}

function verdict(row) {
  if (!row.target) return '';
  const stat = row.target.of === 'ratio' ? row.ratio : row.value;
  if (!stat || stat.median === null) return '';
  const ok = row.target.op === '>=' ? stat.median >= row.target.value : stat.median <= row.target.value;
  return ok ? 'met' : 'MISSED';
}

function machine() {
  const cpus = os.cpus();
  return { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGb: Math.round(os.totalmem() / 2 ** 30 * 10) / 10, node: process.version, platform: `${os.platform()} ${os.release()}`, loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100) };
}

function printTable(info) {
  const header = ['benchmark', 'metric', 'mailmon (median, min–max)', 'baseline', 'ratio', 'target', ''];
  const rows = results.map((row) => row.skipped
    ? [row.benchmark, '', `skipped: ${row.skipped}`, '', '', '', '']
    : [
      row.benchmark,
      row.metric,
      `${formatStat(row.value)} ${row.unit}`,
      row.baseline ? formatStat(row.baseline) : '',
      row.ratio ? formatStat({ ...row.ratio, median: row.ratio.median }) : '',
      row.target ? `${row.target.of === 'ratio' ? 'ratio' : ''} ${row.target.op === '>=' ? '≥' : '≤'} ${row.target.value}`.trim() : '',
      verdict(row),
    ]);
  const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  const out = [
    `mailmon benchmarks (${mode} mode, ${RUNS} run(s) per figure)`,
    `machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGb} GB, node ${info.node}, ${info.platform}, load ${info.loadAverage.join(' ')}`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    ...results.filter((row) => row.note).map((row) => `- ${row.benchmark} / ${row.metric}: ${row.note}`),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------------
// postgres: commit throughput, scale-out over daemons, failover (bench/pg-scale.ts, its own server)

async function postgresBench() {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const result = await measure(tsx, [path.join(ROOT, 'bench', 'pg-scale.ts'), ...(mode === 'quick' ? ['--quick'] : []), ...(flag('--keep-homes') ? ['--keep-homes'] : [])], { timeoutMs: 1_800_000, onStderrLine: (line) => log(line.replace(/^\d\d:\d\d:\d\d /, '  ')) });
  if (result.code !== 0) throw new Error(`pg-scale.ts exited ${result.code ?? result.signal}: ${result.stderr.trim().slice(-2000)}`);
  for (const row of JSON.parse(result.stdout.trim().split('\n').pop())) record(row);
}

const RUNNERS = { 'full-sync': fullSync, 'quota-sync': quotaSync, incremental, forward, replay, startup, 'daemon-idle': daemonIdle, 'daemon-scale': daemonScale, push: pushLatency, 'endpoint-latency': endpointLatency, api: apiBench, postgres: postgresBench };

const started = Date.now();
const info = machine();
log(`mailmon bench: ${mode} mode, ${RUNS} run(s) per figure on ${info.cpu} × ${info.cores}`);
const failures = [];
// daemon-scale's 200 logins take minutes: only when named, or with --full.
for (const name of selected.length ? selected : BENCHMARKS.filter((name) => name !== 'daemon-scale' || mode === 'full')) {
  try {
    await RUNNERS[name]();
  } catch (error) {
    failures.push(name);
    log(`${name} FAILED: ${error.stack ?? error}`);
    record({ benchmark: name, metric: 'failed', skipped: `failed: ${String(error.message ?? error).split('\n')[0].slice(0, 200)}` });
  }
  if (!flag('--keep-homes')) removeTempHomes();
}
const elapsedSeconds = Math.round((Date.now() - started) / 1000);
printTable(info);
process.stdout.write(`\nTotal ${Math.floor(elapsedSeconds / 60)}m${String(elapsedSeconds % 60).padStart(2, '0')}s.\n`);
const file = path.join(ROOT, 'bench', 'results', 'latest.json');
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, `${JSON.stringify({ at: new Date(started).toISOString(), mode, runs: RUNS, elapsedSeconds, machine: info, results: results.map((row) => ({ ...row, verdict: verdict(row) || undefined })) }, null, 2)}\n`);
process.stdout.write(`Wrote ${path.relative(process.cwd(), file)}\n`);
process.exitCode = failures.length ? 1 : 0;
