import { Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { interruptSignal } from '../src/cli/interrupt.js';
import { integerFlag } from '../src/cli/flags.js';
import { serveApi } from '../src/cli/wiring-api.js';

const DEFAULT_API_PORT = 7464;

export default class Api extends BaseCommand {
  static summary = 'Run the HTTP API (mailboxes, events, a live event stream, metrics) until Ctrl-C.';
  static description = 'Every route but /healthz and /v1/openapi.json needs "Authorization: Bearer mm_…" (create a key with "mailmon api-keys create"). Listens on 127.0.0.1; another --host is refused until an API key exists. The OpenAPI document is at /v1/openapi.json; see docs/api.md. With --json, the first stdout line is {"ready":true,"url":…}.';
  static examples = ['<%= config.bin %> api', '<%= config.bin %> api --port 0 --json', '<%= config.bin %> api --host 0.0.0.0 --port 8080'];
  static flags = {
    port: integerFlag({ description: 'Port to listen on (0 = any free port).', default: DEFAULT_API_PORT, min: 0, max: 65535 }),
    host: Flags.string({ description: 'Address to listen on (a non-loopback address needs an API key to exist).', default: '127.0.0.1' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Api);
    // Its normal end is Ctrl-C: exits 0 (src/cli/interrupt.ts).
    const signal = interruptSignal();
    await serveApi(this.ctx, {
      host: flags.host,
      port: flags.port,
      signal,
      onReady: (ready) => (this.jsonEnabled() ? process.stdout.write(`${JSON.stringify({ ready: true, ...ready })}\n`) : this.out(`mailmon API listening on ${ready.url} (OpenAPI: ${ready.url}/v1/openapi.json). Press Ctrl-C to stop.`)),
      onInternalError: (error) => process.stderr.write(`API internal error: ${(error as Error).stack ?? String(error)}\n`),
    });
    this.note('API stopped.');
  }
}
