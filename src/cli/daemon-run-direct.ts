/**
 * `mailmon daemon run` and `daemon run --detached` without oclif, for bin/run.js (see
 * fast-path.ts for when). These are the daemon's own entry points — the service units run the
 * first, `daemon start` spawns the second — and a process that stays up for days has no use for
 * the CLI framework's modules once it has started. It does what `BaseCommand` and
 * `commands/daemon/run.ts` do, in their order: a private umask and the colour policy, the daemon
 * on a write context until it is interrupted, the context closed; an error rendered by the same
 * renderer on stderr, with its exit code. test/e2e/daemon-fast-path.test.ts holds both paths to
 * the same output and exit codes.
 */
import { CliContext } from './context.js';
import { interruptSignal } from './interrupt.js';
import { prepareCommandProcess } from './command-process.js';
import { colorEnabled } from './output.js';
import { describeError, errorText } from './render-error.js';
import { daemonRunDeps } from './wiring-daemon.js';
import { runDaemon } from '../daemon/run-daemon.js';

export interface DaemonRunOptions {
  detached: boolean;
  version: string;
}

/** The daemon until Ctrl-C or SIGTERM drains it; then the process exits, whatever still holds it open. Both paths run this. */
export async function runDaemonUntilStopped(ctx: CliContext, options: DaemonRunOptions) {
  const deps = await daemonRunDeps(ctx, options);
  try {
    return await runDaemon(deps, { signal: interruptSignal() });
  } finally {
    // Stopped: do not let a lingering keep-alive socket or timer hold the process open.
    setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
  }
}

export async function runDaemonDirect(options: DaemonRunOptions): Promise<void> {
  prepareCommandProcess();
  const ctx = new CliContext(process.env, 'write');
  try {
    await runDaemonUntilStopped(ctx, options);
  } catch (error) {
    const rendered = describeError(error, 'daemon:run', ctx.storeFile);
    process.stderr.write(errorText(rendered, { verbose: false, color: colorEnabled(process.stderr) }));
    process.exitCode = rendered.exitCode;
  } finally {
    ctx.close();
  }
}
