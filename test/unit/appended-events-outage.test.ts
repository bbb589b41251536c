/** The API's appended-events counter while the store is out of reach: the outage is reported once, counting resumes after. */
import { expect, it } from 'vitest';
import { countAppendedEvents } from '../../src/api/appended-events.js';
import { MailmonError } from '../../src/core/errors.js';

it('reports a store outage once however many retries fail, then counts again', async () => {
  let down = true;
  let reads = 0;
  const head = async () => {
    reads += 1;
    if (down) throw new MailmonError('store_unreachable', 'Cannot connect to the PostgreSQL store at postgres://db/mailmon.');
    return 0;
  };
  const storage = {
    events: { head, readAfter: async () => [] },
    changes: { mark: async () => ({ changeMark: 0 }), waitForChange: (_mark: unknown, ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) },
  };
  const errors: unknown[] = [];
  const controller = new AbortController();
  const counting = countAppendedEvents({ storage, metrics: { eventsAppended: () => undefined }, signal: controller.signal, onError: (error: unknown) => errors.push(error), recheckMs: 10 } as never);
  const until = async (done: () => boolean) => {
    const deadline = Date.now() + 5_000;
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  await until(() => reads >= 5);
  down = false;
  const before = reads;
  await until(() => reads >= before + 2);
  controller.abort();
  await counting;
  expect(errors.map((error) => (error as MailmonError).code)).toEqual(['store_unreachable']);
});
