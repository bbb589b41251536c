/**
 * The control channel as a Service: listens on the home's control channel and answers
 * `GET /ping`, `GET /status`, `POST /sync {mailbox?, full?, wait?}`, `POST /config/reload {key}`
 * (reload the config file now; answers how the daemon holds that setting) and `POST /shutdown`.
 * Readiness: `onListening` fires once the socket accepts requests, which is what
 * `daemon start` waits for.
 */
import { errorBody, type DaemonLiveStatus } from '../core/daemon-status.js';
import { MailmonError } from '../core/errors.js';
import type { Logger } from '../core/log-entry.js';
import type { ControlChannel, ControlRequest, ControlResponse } from '../app/ports/control-channel.js';
import type { ConfigService } from './config-service.js';
import type { Service } from './service.js';
import type { SyncService } from './sync-service.js';

export interface ControlServiceOptions {
  channel: ControlChannel;
  logger: Logger;
  status: () => Promise<DaemonLiveStatus>;
  sync: SyncService;
  config?: ConfigService | null;
  requestShutdown: () => void;
  onListening?: () => void;
}

export class ControlService implements Service {
  readonly id = 'control';
  private server: { close(): Promise<void> } | null = null;

  constructor(private readonly options: ControlServiceOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    this.server = await this.options.channel.serve((request) => this.handle(request));
    this.options.logger.info('control channel listening', { socket: this.options.channel.address });
    this.options.onListening?.();
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    await this.stop();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    await server?.close();
  }

  private async handle(request: ControlRequest): Promise<ControlResponse> {
    const route = `${request.method} ${request.path}`;
    try {
      switch (route) {
        case 'GET /ping': {
          const status = await this.options.status();
          return { status: 200, body: { ok: true, pid: status.pid, version: status.version } };
        }
        case 'GET /status':
          return { status: 200, body: await this.options.status() };
        case 'POST /sync': {
          const body = (request.body ?? {}) as { mailbox?: unknown; full?: unknown; wait?: unknown; emitBackfill?: unknown };
          return { status: 200, body: await this.options.sync.syncNow({ mailbox: typeof body.mailbox === 'string' ? body.mailbox : undefined, full: body.full === true, wait: body.wait === true, emitBackfill: body.emitBackfill === true }) };
        }
        case 'POST /config/reload': {
          const body = (request.body ?? {}) as { key?: unknown };
          if (!this.options.config) throw new MailmonError('not_found', 'This daemon does not reload its config.', { hint: 'Restart it: mailmon daemon stop && mailmon daemon start.' });
          return { status: 200, body: this.options.config.settingState(typeof body.key === 'string' ? body.key : '') };
        }
        case 'POST /shutdown':
          this.options.logger.info('shutdown requested over the control channel');
          setImmediate(() => this.options.requestShutdown());
          return { status: 200, body: { ok: true } };
        default:
          throw new MailmonError('not_found', `The daemon has no ${route}.`, { hint: 'Is the daemon older than this CLI? Restart it: mailmon daemon stop && mailmon daemon start.' });
      }
    } catch (error) {
      const body = errorBody(error);
      return { status: body.code === 'not_found' || body.code === 'mailbox_not_found' ? 404 : body.code === 'internal' ? 500 : 409, body: { error: body } };
    }
  }
}
