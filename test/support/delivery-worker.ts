/**
 * Runs the delivery service of MAILMON_HOME in its own process (as the daemon will), so tests
 * can SIGKILL it mid-delivery. Prints "ready" on stdout once running; SIGTERM stops it cleanly.
 * Run with `node --import tsx test/support/delivery-worker.ts`.
 */
import { CliContext } from '../../src/cli/context.js';
import { deliveryService } from '../../src/cli/wiring-webhooks.js';

const ctx = new CliContext(process.env);
const { service, close } = await deliveryService(ctx, { onError: (error) => process.stderr.write(`${String(error)}\n`) });
const controller = new AbortController();
process.once('SIGTERM', () => controller.abort());
const running = service.run(controller.signal);
process.stdout.write('ready\n');
await running;
await close();
ctx.close();
