/** Flags of `webhooks add` and `mailboxes webhook set`, parsed the same way in both. */
import { Flags } from '@oclif/core';
import { parseEventTypeList } from '../core/events.js';
import { parseCustomHeaders } from '../core/webhook-target.js';
import type { AddEndpointInput } from '../app/add-endpoint.js';
import { eventTypeListFlag, headersFlag } from './flags.js';

export const endpointFlags = {
  events: eventTypeListFlag({ description: 'Only these event types, comma-separated (message.*, thread.updated…). Default: all.', helpValue: 'TYPES' }),
  signature: Flags.string({ description: 'Signature headers to send.', options: ['mailmon', 'standard', 'both'], default: 'both' }),
  header: headersFlag({ description: 'An extra request header, K:V (repeatable).', helpValue: 'K:V', multiple: true }),
  description: Flags.string({ description: 'A note about this endpoint.' }),
  'skip-verification': Flags.boolean({ description: 'Register without the verification challenge.' }),
};

export function endpointInput(url: string, flags: { events?: string; signature: string; header?: string[]; description?: string; 'skip-verification': boolean }, mailboxes: string[]): AddEndpointInput {
  return {
    url,
    events: flags.events ? parseEventTypeList(flags.events) : [],
    mailboxes,
    scheme: flags.signature as AddEndpointInput['scheme'],
    headers: Object.assign({}, ...(flags.header ?? []).map((entry) => parseCustomHeaders(entry))) as Record<string, string>,
    description: flags.description ?? null,
    skipVerification: flags['skip-verification'],
  };
}
