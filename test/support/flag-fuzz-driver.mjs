#!/usr/bin/env node
// Runs many mailmon command lines in ONE process, each through oclif's own `run()` against the
// built CLI (dist/, the same manifest, hooks, parser and BaseCommand.catch as bin/run.js), so the
// flag fuzz can afford ~2,000 command lines. One process per command line would cost 0.3-0.5 s each.
//
// Usage: node flag-fuzz-driver.mjs JOB.json RESULTS.ndjson
//   JOB: { root, home, pristineHome, cases: [{ id, argv }], startTimeoutMs }
//   Appends one JSON line per case: { id, exitCode, stdout, stderr, started, storeChanged, hung?, crash? }.
//   A case still running after startTimeoutMs gets SIGINT (it `started`); one that then does not end
//   is reported `hung`. Either way the driver exits and the parent starts a fresh one for the rest.
//
// Faithfulness: each case gets what a fresh process would: exit code as bin/run.js sets it, its own
// stdout/stderr, SIGINT/SIGTERM listeners it added removed afterwards, process.exitCode reset.
import dns from 'node:dns';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';

const [jobFile, resultsFile] = process.argv.slice(2);
const job = JSON.parse(fs.readFileSync(jobFile, 'utf8'));
const require = createRequire(path.join(job.root, 'package.json'));
const { Config, run } = require('@oclif/core');
const Database = require('better-sqlite3');

// Never resolve a name that is not loopback: garbage like `--host abc` must not reach a DNS server.
const loopbackOnly = (hostname) => net.isIP(hostname) !== 0 || hostname === 'localhost';
const refused = (hostname) => Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
const realLookup = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  const done = typeof options === 'function' ? options : callback;
  if (!loopbackOnly(hostname)) return process.nextTick(() => done(refused(hostname)));
  return realLookup.call(this, hostname, options, callback);
};
const realPromiseLookup = dns.promises.lookup;
dns.promises.lookup = async (hostname, options) => {
  if (!loopbackOnly(hostname)) throw refused(hostname);
  return realPromiseLookup(hostname, options);
};

const storeFile = path.join(job.home, 'mailmon.db');

/** A logical snapshot of every table (row counts and contents), unaffected by WAL checkpoints. */
function storeDigest() {
  if (!fs.existsSync(storeFile)) return 'absent';
  const db = new Database(storeFile, { readonly: true, fileMustExist: true });
  try {
    const hash = crypto.createHash('sha256');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
    for (const table of tables) {
      hash.update(`\n${table}\n`);
      for (const row of db.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).raw().iterate()) hash.update(JSON.stringify(row, (_key, value) => (typeof value === 'bigint' ? String(value) : value)));
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

function restoreHome() {
  fs.rmSync(job.home, { recursive: true, force: true });
  fs.cpSync(job.pristineHome, job.home, { recursive: true });
}

// Capture what a command writes; the driver's own output goes to the results file only.
let capture = null;
for (const stream of ['stdout', 'stderr']) {
  const original = process[stream].write.bind(process[stream]);
  process[stream].write = (chunk, encoding, callback) => {
    if (!capture) return original(chunk, encoding, callback);
    capture[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const done = typeof encoding === 'function' ? encoding : callback;
    if (done) process.nextTick(done);
    return true;
  };
}

// process.exit inside a command ends that command line, not the driver.
const realExit = process.exit.bind(process);
let onExitCalled = null;
process.exit = (code) => {
  onExitCalled?.(code ?? process.exitCode ?? 0);
};
let crash = null;
process.on('unhandledRejection', (reason) => (crash = `unhandledRejection: ${reason?.stack ?? reason}`));
process.on('uncaughtException', (error) => (crash = `uncaughtException: ${error?.stack ?? error}`));
process.setMaxListeners(0);
process.removeAllListeners('warning');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms, 'timeout'));
const config = await Config.load({ root: job.root });
// Import every command up front, as each CLI process would for its one command: a cold import
// under load must not read as a command that "started" something.
for (const id of config.commandIDs) await config.findCommand(id)?.load();
const pristineDigest = storeDigest();

for (const testCase of job.cases) {
  const listeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  capture = { stdout: '', stderr: '' };
  crash = null;
  process.exitCode = undefined;
  const exited = new Promise((resolve) => (onExitCalled = (code) => resolve({ exitCode: code, viaProcessExit: true })));
  const finished = run(testCase.argv, config).then(
    () => ({ exitCode: process.exitCode ?? 0 }),
    (error) => {
      // What bin/run.js (oclif's handle()) does: EEXIT is the command's own exit code; anything
      // else escaped the command's catch and is printed with exit 1.
      const oclifExit = error?.oclif?.exit;
      if (typeof error?.message === 'string' && error.message.startsWith('EEXIT')) return { exitCode: oclifExit ?? 0 };
      capture.stderr += `${error?.stack ?? error}\n`;
      return { exitCode: oclifExit ?? 1, escaped: true };
    },
  );
  let outcome = await Promise.race([finished, exited, sleep(job.startTimeoutMs)]);
  let started = false;
  if (outcome === 'timeout') {
    // Still running: slow, or it started something long-lived. Once it listens for Ctrl-C (in a
    // real process an earlier Ctrl-C would simply kill it), stop it the way a user would.
    const ownListener = () => process.listeners('SIGINT').some((listener) => !listeners.SIGINT.includes(listener));
    for (let waited = 0; !ownListener() && waited < 5_000 && outcome === 'timeout'; waited += 100) outcome = await Promise.race([finished, exited, sleep(100)]);
    if (outcome === 'timeout') {
      started = true;
      process.emit('SIGINT', 'SIGINT');
      outcome = await Promise.race([finished, exited, sleep(5_000)]);
    }
  }
  onExitCalled = null;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    for (const listener of process.listeners(signal)) if (!listeners[signal].includes(listener)) process.off(signal, listener);
  }
  const output = capture;
  capture = null;
  if (outcome === 'timeout') {
    fs.appendFileSync(resultsFile, `${JSON.stringify({ id: testCase.id, hung: true, started, exitCode: null, ...output })}\n`);
    realExit(0);
  }
  const exitedWith = outcome.exitCode;
  await sleep(0);
  const digest = storeDigest();
  const storeChanged = digest !== pristineDigest;
  if (storeChanged || exitedWith !== 2) restoreHome();
  fs.appendFileSync(resultsFile, `${JSON.stringify({ id: testCase.id, exitCode: exitedWith, started, storeChanged, escaped: outcome.escaped ?? false, crash, ...output })}\n`);
  // Something long-lived ran here: what it leaves behind (timers, sockets, late writes) must not
  // be blamed on the next command line. The parent goes on in a fresh driver.
  if (started) realExit(0);
}
realExit(0);
