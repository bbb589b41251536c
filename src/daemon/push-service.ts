/**
 * Gmail push in the daemon: one PushReceiver (src/app/push.ts) per daemon — one pull loop for
 * every mailbox — whose wake-ups are nudges of the sync loop. Built only when push.topic and
 * push.subscription are set.
 */
import { PushReceiver, type PushDeps } from '../app/push.js';
export type { PushConfig } from '../app/push.js';
import type { Service } from './service.js';

export class PushService implements Service {
  readonly id = 'push';
  readonly receiver: PushReceiver;

  constructor(deps: PushDeps) {
    this.receiver = new PushReceiver(deps);
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.receiver.run(signal);
  }

  async stop(): Promise<void> {
    // The pull and the watch loop end with the supervisor's signal; held messages are redelivered.
  }
}
