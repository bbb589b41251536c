/**
 * The flag fuzz: every flag and argument of every command in oclif.manifest.json, given garbage,
 * run through the built CLI (see flag-fuzz-driver.mjs for why in-process, and how faithfully).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliEnv, ROOT } from './cli.js';

export interface ManifestFlag {
  name: string;
  type: 'boolean' | 'option';
  multiple?: boolean;
  options?: string[];
  char?: string;
}
export interface ManifestArg {
  name: string;
  required?: boolean;
  options?: string[];
}
export interface ManifestCommand {
  id: string;
  flags: Record<string, ManifestFlag>;
  args: Record<string, ManifestArg>;
}

export function manifestCommands(): ManifestCommand[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, ManifestCommand> };
  return Object.values(manifest.commands);
}

/**
 * How a value may be answered. `strict`: garbage is always a usage error (exit 2) naming the flag.
 * `text`: a free-form value or a lookup (a mailbox, an id, a subject): any non-empty value may be
 * accepted or answered by another error (not found…), never by an internal one. `path`: like text,
 * but a path too long for the file system is a usage error.
 */
export type ValueClass = 'strict' | 'text' | 'path';

/** The garbage. `mustReject` says when a usage error is the only right answer. */
export interface Garbage {
  kind: string;
  /** argv after the flag name; null = `--flag=` form with this value. */
  tokens: (flag: string) => string[];
  mustReject: (valueClass: ValueClass, flag: ManifestFlag) => boolean;
  exhaustiveOnly?: boolean;
}

const LONG = 'x'.repeat(5000);
const strictOnly = (valueClass: ValueClass) => valueClass === 'strict';
export const GARBAGE: Garbage[] = [
  { kind: 'empty', tokens: (flag) => [`--${flag}=`], mustReject: () => true },
  { kind: 'missing', tokens: (flag) => [`--${flag}`], mustReject: () => true },
  { kind: 'non-numeric', tokens: (flag) => [`--${flag}`, 'abc'], mustReject: strictOnly },
  { kind: 'negative', tokens: (flag) => [`--${flag}`, '-5'], mustReject: strictOnly },
  { kind: 'huge', tokens: (flag) => [`--${flag}`, '99999999999999999999'], mustReject: strictOnly },
  { kind: 'unicode', tokens: (flag) => [`--${flag}`, '１２ü\u202e😀'], mustReject: strictOnly },
  { kind: 'over-long', tokens: (flag) => [`--${flag}`, LONG], mustReject: (valueClass) => valueClass !== 'text' },
  { kind: 'repeated', tokens: (flag) => [`--${flag}`, 'abc', `--${flag}`, 'abc'], mustReject: (valueClass, flag) => !flag.multiple || valueClass === 'strict' },
  { kind: 'blank', tokens: (flag) => [`--${flag}`, '   '], mustReject: () => true, exhaustiveOnly: true },
  { kind: 'fraction', tokens: (flag) => [`--${flag}=1.5`], mustReject: strictOnly, exhaustiveOnly: true },
  { kind: 'exponent', tokens: (flag) => [`--${flag}`, '1e3'], mustReject: strictOnly, exhaustiveOnly: true },
  { kind: 'hex', tokens: (flag) => [`--${flag}`, '0x10'], mustReject: strictOnly, exhaustiveOnly: true },
  { kind: 'zero', tokens: (flag) => [`--${flag}`, '0'], mustReject: () => false, exhaustiveOnly: true },
  { kind: 'long-path', tokens: (flag) => [`--${flag}`, `${'d/'.repeat(3000)}f`], mustReject: (valueClass) => valueClass === 'path', exhaustiveOnly: true },
];

/** Garbage for a boolean flag: a value glued on (`--full=abc`, `--full=`). */
export const BOOLEAN_GARBAGE: Array<{ kind: string; tokens: (flag: string) => string[] }> = [
  { kind: 'bool-value', tokens: (flag) => [`--${flag}=abc`] },
  { kind: 'bool-empty', tokens: (flag) => [`--${flag}=`] },
];

/** Garbage for a positional argument. */
export const ARG_GARBAGE: Array<{ kind: string; value: string; mustReject: (arg: ManifestArg) => boolean; exhaustiveOnly?: boolean }> = [
  { kind: 'arg-empty', value: '', mustReject: () => true },
  { kind: 'arg-unicode', value: '１２ü\u202e😀', mustReject: (arg) => Boolean(arg.options) || arg.name === 'url' },
  { kind: 'arg-over-long', value: LONG, mustReject: (arg) => Boolean(arg.options) || arg.name === 'url' },
  { kind: 'arg-blank', value: '  ', mustReject: () => true, exhaustiveOnly: true },
];

export interface FuzzCase {
  id: string;
  command: string;
  /** The flag or argument under test (`--limit`, `<mailbox>`). */
  subject: string;
  kind: string;
  argv: string[];
  mustReject: boolean;
  json: boolean;
}

export interface FuzzResult {
  id: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  started: boolean;
  storeChanged: boolean;
  escaped: boolean;
  crash: string | null;
  hung?: boolean;
}

/**
 * Runs cases through `shards` driver processes, each with its own copy of `home`. A driver that
 * hangs on a case reports it and exits; a new one continues with the rest.
 */
export async function runFuzz(cases: FuzzCase[], options: { home: string; env: Record<string, string | undefined>; shards: number; startTimeoutMs: number }): Promise<Map<string, FuzzResult>> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-fuzz-'));
  const shards = Array.from({ length: options.shards }, (_, index) => cases.filter((_, caseIndex) => caseIndex % options.shards === index));
  const results = new Map<string, FuzzResult>();
  await Promise.all(shards.map(async (shard, index) => {
    const shardHome = path.join(work, `home-${index}`);
    const resultsFile = path.join(work, `results-${index}.ndjson`);
    const cwd = path.join(work, `cwd-${index}`);
    fs.mkdirSync(cwd);
    let remaining = shard;
    while (remaining.length > 0) {
      fs.rmSync(shardHome, { recursive: true, force: true });
      fs.cpSync(options.home, shardHome, { recursive: true });
      const jobFile = path.join(work, `job-${index}.json`);
      fs.writeFileSync(jobFile, JSON.stringify({ root: ROOT, home: shardHome, pristineHome: options.home, startTimeoutMs: options.startTimeoutMs, cases: remaining.map(({ id, argv }) => ({ id, argv })) }));
      const driverOutput = await runDriver(jobFile, resultsFile, { cwd, env: cliEnv({ home: shardHome, env: { ...options.env, HOME: cwd, XDG_CONFIG_HOME: path.join(cwd, '.config'), XDG_DATA_HOME: path.join(cwd, '.local') } }) });
      const done = new Set<string>();
      for (const line of fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, 'utf8').split('\n') : []) {
        if (!line) continue;
        const result = JSON.parse(line) as FuzzResult;
        results.set(result.id, result);
        done.add(result.id);
      }
      const next = remaining.filter((testCase) => !done.has(testCase.id));
      if (next.length === remaining.length) {
        // The driver died before finishing even one case: report it on that case, and go on.
        results.set(next[0].id, { id: next[0].id, exitCode: null, stdout: '', stderr: `driver died: ${driverOutput}`, started: false, storeChanged: false, escaped: false, crash: 'driver died' });
        remaining = next.slice(1);
      } else {
        remaining = next;
      }
    }
  }));
  fs.rmSync(work, { recursive: true, force: true });
  return results;
}

function runDriver(jobFile: string, resultsFile: string, options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'test', 'support', 'flag-fuzz-driver.mjs'), jobFile, resultsFile], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', () => resolve(output.slice(-2000)));
  });
}

/** A stack frame line, in any output: user errors never show one. */
export const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;
