/**
 * Which invocations bin/run.js answers without loading oclif (its modules and config are most
 * of a start-up). Each one is answered only when oclif would add nothing to the output, so the
 * bytes printed and the exit code are the same either way; anything else goes through oclif.
 * Imports nothing: it is decided before anything else loads.
 */

export type FastPath = 'version' | 'status-json' | 'sync-json' | 'daemon-run' | 'daemon-run-detached';

export interface FastPathProcess {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  osRelease: string;
  stdoutIsTTY: boolean;
  /** False when the current directory no longer exists (oclif warns about it on stderr). */
  cwdExists: boolean;
}

export function fastPathFor(proc: FastPathProcess): FastPath | undefined {
  const args = proc.argv.slice(2);
  if (args.length === 1 && args[0] === '--version' && !isWsl(proc)) return 'version';
  if (args.length === 2 && args[1] === '--json' && oclifAddsNothing(proc)) {
    if (args[0] === 'status') return 'status-json';
    // What scripts and cron run: every mailbox, the results as JSON.
    if (args[0] === 'sync') return 'sync-json';
  }
  if (args[0] === 'daemon' && args[1] === 'run' && oclifAddsNothingAround(proc)) {
    // The daemon's entry points exactly as the service units and `daemon start` write them.
    if (args.length === 2) return 'daemon-run';
    if (args.length === 3 && args[2] === '--detached') return 'daemon-run-detached';
  }
  return undefined;
}

/** Under WSL oclif reports the platform as "wsl" in `--version`; that rare case takes oclif's path. */
function isWsl(proc: FastPathProcess): boolean {
  return proc.platform === 'linux' && proc.osRelease.toLowerCase().includes('microsoft');
}

/**
 * What oclif itself would print around a command's --json result: JSON coloured by a theme
 * (a TTY, or FORCE_COLOR with any value, which its colour detection honours), its debug traces
 * (DEBUG, MAILMON_DEBUG), and a warning when the current directory is gone.
 */
function oclifAddsNothing(proc: FastPathProcess): boolean {
  return !proc.stdoutIsTTY && oclifAddsNothingAround(proc);
}

/** The same, for a command that prints nothing on stdout itself (the daemon logs on stderr). */
function oclifAddsNothingAround(proc: FastPathProcess): boolean {
  return proc.env.FORCE_COLOR === undefined && proc.env.DEBUG === undefined && proc.env.MAILMON_DEBUG === undefined && proc.cwdExists;
}
