/**
 * Best effort: asks a running daemon to sync now (all mailboxes, or one). Kept light (no store, no
 * credentials) because fixture and trigger commands call it after every change.
 */
import type { CliContext } from './context.js';
import { daemonClient, runningDaemon } from '../adapters/system/daemon-client.js';
import { resolveHomeDir } from '../adapters/system/home.js';

/** Returns the daemon's pid when nudged, null otherwise; never throws, and never creates a home. */
export async function nudgeDaemon(ctx: CliContext, mailbox?: string): Promise<number | null> {
  try {
    const root = resolveHomeDir(ctx.env);
    const record = runningDaemon(root);
    if (!record) return null;
    await daemonClient(root).sync({ mailbox });
    return record.pid;
  } catch {
    return null;
  }
}
