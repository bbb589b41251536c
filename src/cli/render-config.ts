/** What `config set|unset` tells the user about a running daemon. */
import { DAEMON_RESTART_COMMAND } from '../core/settings.js';
import type { DaemonConfigOutcome } from './wiring-daemon.js';

export type DaemonTakes = 'now' | 'after-restart' | 'overridden-by-env' | 'not-used' | 'unknown';

export function daemonTakes(outcome: DaemonConfigOutcome): DaemonTakes {
  if ('error' in outcome) return 'unknown';
  const { state } = outcome;
  if (state.source === 'env') return 'overridden-by-env';
  if (state.daemon === 'none') return 'not-used';
  if (state.daemon === 'restart') return state.pendingRestart ? 'after-restart' : 'now';
  return 'now';
}

export function renderDaemonConfigNote(key: string, outcome: DaemonConfigOutcome): string | null {
  const daemon = `The running daemon (pid ${outcome.pid})`;
  if ('error' in outcome) return `${daemon} did not confirm the change (${outcome.error}). To be sure it uses it, restart the daemon: ${DAEMON_RESTART_COMMAND}`;
  switch (daemonTakes(outcome)) {
    case 'overridden-by-env':
      return `${daemon} ignores the file for ${key}: its environment sets ${outcome.state.env}, which overrides it.`;
    case 'after-restart':
      return `${daemon} reads ${key} only when it starts: restart the daemon to apply it: ${DAEMON_RESTART_COMMAND}`;
    case 'not-used':
      return null;
    default:
      if (outcome.state.daemon === 'restart') return `${daemon} already runs with this ${key}.`;
      return `${daemon} uses the new ${key} from now on (no restart needed).`;
  }
}
