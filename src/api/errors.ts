/**
 * The API's one error shape, `{"error":{"code","message","hint"}}`, for every failure: a
 * mailmon error, a request that fails its schema (400), no or a bad key (401), a key without the
 * scope (403), an unknown route or resource (404), and anything unexpected (500, no details).
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { isMailmonError, type ErrorCode } from '../core/errors.js';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly hint: string | null = null,
  ) {
    super(message);
  }
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.code(error.statusCode).type('application/json').send({ error: { code: error.code, message: error.message, hint: error.hint } });
}

const statusOfCode: Partial<Record<ErrorCode, number>> = { usage: 400, bad_time: 400, bad_duration: 400, bad_url: 400, not_found: 404, mailbox_not_found: 404, no_mailboxes: 404, verification_failed: 422, daemon_not_running: 503 };

/** Any thrown value as the API error to answer with. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isMailmonError(error)) {
    const status = statusOfCode[error.code] ?? 500;
    return new ApiError(status, status === 400 ? 'bad_request' : error.code, error.message, error.hint ?? null);
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return new ApiError(400, 'bad_request', `Invalid request: ${fastifyError.message}.`, 'See the request schema in /v1/openapi.json.');
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) return new ApiError(fastifyError.statusCode, 'bad_request', fastifyError.message);
  return new ApiError(500, 'internal', 'Internal error.', 'Retry; if it persists, see the mailmon logs.');
}

export function installErrorHandlers(app: FastifyInstance, onInternal: (error: unknown) => void): void {
  app.setErrorHandler((error, _request, reply) => {
    const apiError = toApiError(error);
    if (apiError.statusCode >= 500) onInternal(error);
    return sendError(reply, apiError);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, new ApiError(404, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}.`, 'See the routes in /v1/openapi.json.')));
}
