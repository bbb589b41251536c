/**
 * Nothing a user types is an "internal" error (PRODUCT §1, issue 13). Every command of
 * oclif.manifest.json, every flag and argument, given garbage: empty, missing, non-numeric,
 * negative, huge, unicode, over-long, repeated (more with MAILMON_FUZZ_EXHAUSTIVE=1). Each must
 * answer without code `internal` ("Unexpected error") and without a stack trace; a usage error
 * (exit 2) is one error line plus its hint (one JSON object under --json) and leaves the store
 * untouched; garbage for a flag that is not free-form is a usage error naming the flag.
 *
 * A new flag is `strict` by default. If it takes free text or looks something up (any non-empty
 * value may be accepted, or answered "not found"), add it to TEXT_FLAGS; a file or folder, to
 * PATH_FLAGS. Commands run in-process through oclif's run() (flag-fuzz-driver.mjs; the last test
 * checks a sample against real child processes); no command line reaches a non-loopback host.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer } from '../../src/fixtures/server.js';
import { runCli, tempHome } from '../support/cli.js';
import { ARG_GARBAGE, BOOLEAN_GARBAGE, GARBAGE, manifestCommands, runFuzz, STACK_FRAME, type FuzzCase, type FuzzResult, type ManifestCommand, type ValueClass } from '../support/flag-fuzz.js';

const EXHAUSTIVE = process.env.MAILMON_FUZZ_EXHAUSTIVE === '1';
const MAILBOX = 'fuzz@mailmon.test';
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
/** Gmail, OAuth and fixture URLs all point at a closed loopback port. */
const CLOSED = 'http://127.0.0.1:9/';
const env = { MAILMON_GMAIL_API_URL: CLOSED, MAILMON_OAUTH_URL: CLOSED, MAILMON_FIXTURE_URL: undefined, MAILMON_WEBHOOK_SECRET: undefined };

/** Flags that take free-form text or look something up: any non-empty value may be accepted. */
const TEXT_FLAGS = new Set(['webhooks:verify:header', 'mailbox', 'endpoint', 'name', 'label', 'thread', 'description', 'from', 'to', 'subject', 'text', 'id', 'mailbox-name', 'login-hint', 'client-id', 'email', 'add', 'remove', 'attach', 'host', 'secret']);
/** Flags that take a file or folder: like text, but a path too long for the file system is a usage error. */
const PATH_FLAGS = new Set(['output', 'file', 'payload-file', 'old-key-file', 'eml-dir', 'home', 'fixtures:serve:mailbox']);

function valueClass(command: string, flag: string): ValueClass {
  if (PATH_FLAGS.has(`${command}:${flag}`) || PATH_FLAGS.has(flag)) return 'path';
  return TEXT_FLAGS.has(`${command}:${flag}`) || TEXT_FLAGS.has(flag) ? 'text' : 'strict';
}

/** Placeholders for required arguments (a lookup that finds nothing, or a valid value). */
const ARG_PLACEHOLDER: Record<string, string> = { id: 'x_missing', mailbox: MAILBOX, url: 'http://127.0.0.1:9/hook', event: 'message.created', key: 'poll-interval', value: '5m' };

/** What a command needs besides the flag under test, so that flag's value is what gets judged. */
const BASE: Record<string, Array<{ flag: string; argv: string[]; unlessFuzzing?: string[] }>> = {
  listen: [{ flag: 'forward-to', argv: ['--forward-to', 'http://127.0.0.1:9/hook'], unlessFuzzing: ['print-secret'] }],
  replay: [{ flag: 'last', argv: ['--last', '1h'], unlessFuzzing: ['since', 'file'] }, { flag: 'dry-run', argv: ['--dry-run'] }],
  'webhooks:verify': [{ flag: 'header', argv: ['--header', 'webhook-id: msg_1'] }, { flag: 'secret', argv: ['--secret', SECRET] }],
  'webhooks:sign': [{ flag: 'secret', argv: ['--secret', SECRET] }],
  'deliveries:retry': [{ flag: 'failed', argv: ['--failed'], unlessFuzzing: [] }],
};

function baseArgv(command: ManifestCommand, fuzzing: string | undefined): string[] {
  const words = command.id.split(':');
  const args = Object.values(command.args).filter((arg) => arg.required).map((arg) => (arg.name === fuzzing ? undefined : ARG_PLACEHOLDER[arg.name] ?? 'x'));
  const base = (BASE[command.id] ?? []).filter((entry) => entry.flag !== fuzzing && !(entry.unlessFuzzing ?? []).includes(fuzzing ?? ''));
  return [...words, ...(args.filter((arg) => arg !== undefined) as string[]), ...base.flatMap((entry) => entry.argv)];
}

function buildCases(): FuzzCase[] {
  const cases: FuzzCase[] = [];
  let jsonModes = [false];
  const add = (testCase: Omit<FuzzCase, 'id' | 'json'>) => {
    for (const json of jsonModes) cases.push({ ...testCase, json, id: `${cases.length}`, argv: json ? insertJson(testCase.argv) : testCase.argv });
  };
  for (const command of manifestCommands()) {
    // Commands that stream NDJSON to stdout (events export) have no --json flag.
    jsonModes = command.flags.json ? [false, true] : [false];
    add({ command: command.id, subject: '--zz-unknown', kind: 'unknown-flag', argv: [...baseArgv(command, undefined), '--zz-unknown', 'abc'], mustReject: true });
    for (const flag of Object.values(command.flags)) {
      if (flag.type === 'boolean') {
        for (const garbage of BOOLEAN_GARBAGE) add({ command: command.id, subject: `--${flag.name}`, kind: garbage.kind, argv: [...baseArgv(command, flag.name), ...garbage.tokens(flag.name)], mustReject: false });
        continue;
      }
      const kind = valueClass(command.id, flag.name);
      for (const garbage of GARBAGE) {
        const mustReject = garbage.mustReject(kind, flag);
        // Free-form values are accepted by design; the default run spends its time on what must fail.
        if (!EXHAUSTIVE && (garbage.exhaustiveOnly || !mustReject)) continue;
        add({ command: command.id, subject: `--${flag.name}`, kind: garbage.kind, argv: [...baseArgv(command, flag.name), ...garbage.tokens(flag.name)], mustReject });
      }
    }
    for (const arg of Object.values(command.args)) {
      for (const garbage of ARG_GARBAGE) {
        if (!EXHAUSTIVE && garbage.exhaustiveOnly) continue;
        const words = baseArgv(command, arg.name);
        const position = command.id.split(':').length + Object.keys(command.args).indexOf(arg.name);
        const argv = [...words.slice(0, position), garbage.value, ...words.slice(position)];
        // A later required argument needs the earlier ones: fill optional ones before it.
        add({ command: command.id, subject: `<${arg.name}>`, kind: garbage.kind, argv, mustReject: garbage.mustReject(arg) });
      }
    }
  }
  return cases;
}

/** --json right after the command words: the garbage (e.g. a flag missing its value) stays last. */
function insertJson(argv: string[]): string[] {
  const commandWords = argv.findIndex((token) => token.startsWith('-'));
  const at = commandWords === -1 ? argv.length : commandWords;
  return [...argv.slice(0, at), '--json', ...argv.slice(at)];
}

/** Every way a result can be wrong, as one readable line each. */
function problems(testCase: FuzzCase, result: FuzzResult | undefined): string[] {
  const label = `${testCase.argv.map((token) => (token.length > 40 ? `${token.slice(0, 12)}…(${token.length})` : token)).join(' ')}`;
  if (!result) return [`${label}: no result`];
  const found: string[] = [];
  const output = `${result.stdout}${result.stderr}`;
  const firstLine = (result.stderr || result.stdout).split('\n')[0].slice(0, 160);
  if (result.hung) found.push('hung (did not stop on SIGINT)');
  if (result.crash) found.push(`crashed: ${result.crash.split('\n')[0]}`);
  if (result.escaped) found.push('an error escaped the command');
  // Exit 1 is shared by `internal` and a few catalogued failures (signature_invalid, fixture_error):
  // only the internal one is wrong. Its mark: code internal / "Unexpected error", or no error at all.
  if (/"code":"internal"|Unexpected error/.test(output)) found.push(`internal error: ${firstLine}`);
  else if (result.exitCode === 1 && !/^Error: |"error":\{"code":"/m.test(output)) found.push(`exit 1 without a catalogued error: ${firstLine}`);
  if (STACK_FRAME.test(output)) found.push('stack trace in the output');
  if (testCase.mustReject && result.exitCode !== 2) found.push(`expected a usage error (exit 2), got exit ${result.exitCode}${result.started ? ' (it started running)' : ''}: ${firstLine}`);
  if (result.exitCode === 2) {
    if (result.storeChanged) found.push('a rejected command changed the store');
    const message = testCase.json ? jsonErrorMessage(result, found) : humanErrorMessage(result, found);
    if (message !== undefined && testCase.mustReject && testCase.subject.startsWith('--') && !message.includes(testCase.subject)) found.push(`the message does not name ${testCase.subject}: ${message.slice(0, 160)}`);
  }
  return found.map((problem) => `${testCase.command} ${testCase.subject} [${testCase.kind}${testCase.json ? ', --json' : ''}] ${label}: ${problem}`);
}

function humanErrorMessage(result: FuzzResult, found: string[]): string | undefined {
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  if (result.stdout !== '') found.push(`stdout is not empty: ${result.stdout.slice(0, 120)}`);
  if (lines.length < 1 || lines.length > 2 || !lines[0].startsWith('Error: ') || (lines[1] !== undefined && !lines[1].startsWith('→ '))) {
    found.push(`stderr is not one error line (+ hint): ${JSON.stringify(result.stderr.slice(0, 300))}`);
    return undefined;
  }
  return lines[0];
}

function jsonErrorMessage(result: FuzzResult, found: string[]): string | undefined {
  if (result.stderr !== '') found.push(`stderr is not empty under --json: ${result.stderr.slice(0, 120)}`);
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  try {
    if (lines.length !== 1) throw new Error('not one line');
    const parsed = JSON.parse(lines[0]) as { error?: { code?: string; message?: string } };
    if (typeof parsed.error?.code !== 'string' || typeof parsed.error.message !== 'string') throw new Error('no error.code/message');
    return parsed.error.message;
  } catch (error) {
    found.push(`stdout is not one JSON error (${(error as Error).message}): ${JSON.stringify(result.stdout.slice(0, 200))}`);
    return undefined;
  }
}

let home: string;
let cases: FuzzCase[];
let results: Map<string, FuzzResult>;

beforeAll(async () => {
  home = tempHome('mailmon-fuzz-home-');
  const server = await startFixtureServer({ quota: false, seed: 5, mailboxes: [{ emailAddress: MAILBOX, generate: { messages: 5, seed: 5 } }] });
  try {
    expect((await runCli(['login', '--fixture', server.url], { home, timeoutMs: 60_000 })).exitCode).toBe(0);
    const synced = await runCli(['sync', '--emit-backfill'], { home, timeoutMs: 60_000 });
    expect(synced.exitCode, synced.stderr).toBe(0);
  } finally {
    await server.close();
  }
  cases = buildCases();
  const started = Date.now();
  results = await runFuzz(cases, { home, env, shards: 2, startTimeoutMs: EXHAUSTIVE ? 3_000 : 2_000 });
  const running = cases.filter((testCase) => results.get(testCase.id)?.started).map((testCase) => testCase.argv.join(' ').slice(0, 80));
  console.log(`flag fuzz: ${cases.length} command lines in ${((Date.now() - started) / 1000).toFixed(1)} s; ran until interrupted: ${running.join(' | ') || 'none'}`);
}, EXHAUSTIVE ? 3_600_000 : 600_000);

afterAll(() => {
  if (home) fs.rmSync(path.dirname(home), { recursive: true, force: true });
});

describe('the flag fuzz (every command × every flag × garbage, built CLI)', () => {
  it('covers every command and every flag in the manifest', () => {
    const commands = manifestCommands();
    expect(new Set(cases.map((testCase) => testCase.command))).toEqual(new Set(commands.map((command) => command.id)));
    for (const command of commands) {
      for (const flag of Object.keys(command.flags)) {
        expect(cases.some((testCase) => testCase.command === command.id && testCase.subject === `--${flag}`), `${command.id} --${flag}`).toBe(true);
      }
    }
  });

  it('answers all garbage with a clear error: never internal, never a stack trace, one error, store untouched', () => {
    const found = cases.flatMap((testCase) => problems(testCase, results.get(testCase.id)));
    if (process.env.MAILMON_FUZZ_REPORT) fs.writeFileSync(process.env.MAILMON_FUZZ_REPORT, found.join('\n'));
    expect(found, `${found.length} problem(s):\n${found.slice(0, 80).join('\n')}`).toEqual([]);
  });

  it('runs the command lines in-process exactly as the built CLI does in its own process', async () => {
    // A sample across outcomes: a parse error, a run-time usage error, a lookup that finds nothing, a repeated flag.
    const sample = ['events:list --limit non-numeric json', 'events:list --since non-numeric human', 'sync <mailbox> arg-unicode human', 'fixtures:status --server repeated json'];
    for (const entry of sample) {
      const [command, subject, kind, mode] = entry.split(' ');
      for (const testCase of cases.filter((candidate) => candidate.command === command && candidate.subject === subject && candidate.kind === kind && candidate.json === (mode === 'json'))) {
        const inProcess = results.get(testCase.id)!;
        const child = await runCli(testCase.argv, { home, env, timeoutMs: 60_000 });
        expect({ exitCode: inProcess.exitCode, stdout: inProcess.stdout, stderr: inProcess.stderr }, testCase.argv.join(' ')).toEqual({ exitCode: child.exitCode, stdout: child.stdout, stderr: child.stderr });
      }
    }
  });
});
