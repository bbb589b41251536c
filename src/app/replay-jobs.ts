/**
 * Replays started over the HTTP API: each runs in the background of the process that serves the
 * API and is polled by id. Jobs live in that process's memory (a restart forgets them; the events
 * keep their ids, so replaying the same window again is safe for receivers that dedupe by id).
 */
import { MailmonError, isMailmonError } from '../core/errors.js';
import type { ForwardTarget } from './forward-events.js';
import type { Storage } from './ports/storage.js';
import { replayOutcomeError, replaySource, replayToUrl, type ReplayDeps } from './replay.js';

export interface ReplayJobInput {
  mailbox?: string;
  /** Event types or patterns, comma-separated. */
  events?: string;
  since: number;
  until?: number;
  endpointId?: string;
  url?: string;
}

export interface ReplayJob {
  id: string;
  status: 'running' | 'succeeded' | 'failed';
  target: string;
  selected: number;
  sent: number;
  rejected: number;
  failed: number;
  createdAt: number;
  finishedAt: number | null;
  error: { code: string; message: string } | null;
}

export interface ReplayJobsDeps {
  storage: Pick<Storage, 'events' | 'mailboxes'>;
  sending: ReplayDeps;
  /** A registered endpoint (its URL, headers and secrets) or a URL signed with the home's signing secret. */
  target: (input: { endpointId?: string; url?: string }) => Promise<ForwardTarget>;
  newId: () => string;
  now: () => number;
  /** Ends every running replay (the server is closing). */
  signal: AbortSignal;
  maxInFlight?: number;
  maxAttempts?: number;
}

export interface ReplayJobs {
  start(input: ReplayJobInput): Promise<ReplayJob>;
  get(id: string): ReplayJob | undefined;
}

export function replayJobs(deps: ReplayJobsDeps): ReplayJobs {
  const jobs = new Map<string, ReplayJob>();
  return {
    get: (id) => jobs.get(id),
    async start(input) {
      if ((input.endpointId === undefined) === (input.url === undefined)) throw new MailmonError('usage', 'Say where to replay: an endpointId or a url (not both).');
      const target = await deps.target(input);
      // A window of the log only: no file is ever read here.
      const selection = await replaySource({ ...deps.storage, readFile: () => Promise.reject(new MailmonError('usage', 'Replays over the API read the log, not files.')) }, { source: { kind: 'window', since: input.since, until: input.until }, mailbox: input.mailbox, events: input.events });
      const job: ReplayJob = { id: deps.newId(), status: 'running', target: target.url, selected: selection.count, sent: 0, rejected: 0, failed: 0, createdAt: deps.now(), finishedAt: null, error: null };
      jobs.set(job.id, job);
      void run(deps, job, { ...selection, target });
      return { ...job };
    },
  };
}

async function run(deps: ReplayJobsDeps, job: ReplayJob, input: Omit<Parameters<typeof replayToUrl>[1], 'maxInFlight' | 'maxAttempts' | 'signal' | 'onRecord'>): Promise<void> {
  try {
    const summary = await replayToUrl(deps.sending, { ...input, maxInFlight: deps.maxInFlight ?? 8, maxAttempts: deps.maxAttempts ?? 5, signal: deps.signal, onRecord: () => undefined });
    Object.assign(job, { sent: summary.sent, rejected: summary.rejected, failed: summary.failed });
    const error = replayOutcomeError(summary, input.target.url);
    Object.assign(job, error ? { status: 'failed', error: { code: error.code, message: error.message } } : { status: 'succeeded' });
  } catch (error) {
    Object.assign(job, { status: 'failed', error: { code: isMailmonError(error) ? error.code : 'internal', message: (error as Error)?.message ?? String(error) } });
  } finally {
    job.finishedAt = deps.now();
  }
}
