/**
 * Runs the built CLI on a real pseudo-terminal (util-linux `script`), so stdin and stdout are
 * TTYs as in a user's terminal: ink screens, colour decisions and confirmation prompts.
 */
import { spawn } from 'node:child_process';
import { CLI, RUN_TIMEOUT_MS, cliEnv, type CliOptions } from './cli.js';

export interface TerminalResult {
  output: string;
  exitCode: number | null;
}

/**
 * The environment of a user's terminal: the CLI's test environment without CI markers (under
 * CI=true ink draws only its last frame and chalk drops colour, as in a CI log).
 */
export function terminalEnv(options: CliOptions = {}): NodeJS.ProcessEnv {
  const env = cliEnv(options);
  delete env.CI;
  return env;
}

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/**
 * `answers`: when the output so far matches `when`, type `text`. `until`: stop (SIGTERM the CLI)
 * once the output matches it (for commands that run until Ctrl-C, like tail).
 */
export function runInTerminal(args: string[], options: CliOptions & { answers?: Array<{ when: RegExp; text: string }>; until?: RegExp; columns?: number } = {}): Promise<TerminalResult> {
  const command = `stty cols ${options.columns ?? 120} rows 40; exec ${quote(process.execPath)} ${[CLI, ...args].map(quote).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...terminalEnv(options), TERM: 'xterm-256color' }, stdio: 'pipe', detached: true });
    let output = '';
    const pending = [...(options.answers ?? [])];
    const timer = setTimeout(() => stop('SIGKILL'), options.timeoutMs ?? RUN_TIMEOUT_MS);
    const stop = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      while (pending.length > 0 && pending[0].when.test(output)) child.stdin.write(pending.shift()!.text);
      if (options.until?.test(output)) stop('SIGTERM');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ output, exitCode });
    });
  });
}

/** SGR sequences (colour, bold, dim); cursor and screen controls are not styling. */
const ESC = String.fromCharCode(27);
export const SGR = new RegExp(`${ESC}\\[[0-9;]*m`);
export const stripSgr = (text: string) => text.replace(new RegExp(SGR.source, 'g'), '');
