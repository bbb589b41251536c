/**
 * A Gmail port that reports each call to the metrics hooks: its method, its HTTP status (200, or
 * 404 for a message or thread that is gone, or the failure's status, 0 when it had none) and the
 * quota units spent since the last report, so concurrent calls never count a unit twice.
 */
import type { GmailPort } from './ports/gmail.js';
import type { Metrics } from './ports/metrics.js';

type Method = Exclude<keyof GmailPort, 'stats'>;
const METHODS: readonly Method[] = ['getProfile', 'listLabels', 'listMessageIds', 'getMessage', 'getThread', 'listHistory', 'watch', 'stop'];

export function meteredGmail(gmail: GmailPort, metrics: Pick<Metrics, 'gmailRequest'>): GmailPort {
  let reported = gmail.stats.quotaUnits;
  const report = (method: string, status: number) => {
    const units = gmail.stats.quotaUnits - reported;
    reported += units;
    metrics.gmailRequest(method, status, Math.max(0, units));
  };
  const metered = Object.fromEntries(METHODS.map((method) => [method, async (...args: unknown[]) => {
    try {
      const result = await (gmail[method] as (...callArgs: unknown[]) => Promise<unknown>)(...args);
      report(method, result === null ? 404 : 200);
      return result;
    } catch (error) {
      report(method, statusOf(error));
      throw error;
    }
  }]));
  return Object.defineProperty(metered, 'stats', { get: () => gmail.stats, enumerable: true }) as unknown as GmailPort;
}

function statusOf(error: unknown): number {
  const candidate = error as { status?: unknown; details?: { status?: unknown } } | null;
  const status = candidate?.status ?? candidate?.details?.status;
  return typeof status === 'number' ? status : 0;
}
