import { describe, expect, it } from 'vitest';
import { appAnswered, classifyAttempt } from '../../src/core/delivery-outcome.js';

const answer = (status: number) => ({ ok: status >= 200 && status < 300, status, errorClass: status === 410 ? 'gone' : status >= 300 && status < 400 ? 'redirect' : status >= 300 ? 'http_status' : null });
const noAnswer = (errorClass: string) => ({ ok: false, status: null, errorClass });

describe('classifyAttempt', () => {
  it('a 2xx is delivered, 410 is gone', () => {
    expect([200, 201, 204, 299].map((status) => classifyAttempt(answer(status)))).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(classifyAttempt(answer(410))).toBe('gone');
  });

  it('a 4xx is the app\'s final answer, except 408, 409, 425 and 429', () => {
    for (const status of [400, 401, 403, 404, 405, 413, 415, 422, 451, 499]) expect(classifyAttempt(answer(status)), String(status)).toBe('rejected');
    for (const status of [408, 409, 425, 429]) expect(classifyAttempt(answer(status)), String(status)).toBe('failed');
  });

  it('5xx and redirects are retried; so is anything without an answer', () => {
    for (const status of [500, 502, 503, 504, 301, 302, 307]) expect(classifyAttempt(answer(status)), String(status)).toBe('failed');
    for (const errorClass of ['timeout', 'connection_refused', 'connection_reset', 'dns', 'tls', 'network']) expect(classifyAttempt(noAnswer(errorClass))).toBe('unreachable');
    expect(classifyAttempt(noAnswer('aborted'))).toBe('aborted');
  });

  it('tells "the app answered" from "unreachable" (for hints)', () => {
    expect(appAnswered(classifyAttempt(answer(400)))).toBe(true);
    expect(appAnswered(classifyAttempt(answer(503)))).toBe(true);
    expect(appAnswered(classifyAttempt(noAnswer('connection_refused')))).toBe(false);
    expect(appAnswered(classifyAttempt(noAnswer('timeout')))).toBe(false);
  });
});
