/**
 * The canonical local state of one message, and how a Gmail API message (format=full with a
 * `fields` mask, or format=minimal for a label refresh) maps onto it. Pure.
 */
import { addressParser } from 'postal-mime';
import type { EmailAddress, MessageSummary } from './events.js';

export interface MessageState {
  providerMessageId: string;
  providerThreadId: string;
  labelIds: string[];
  subject: string | null;
  from: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
  dateHeader: string | null;
  messageIdHeader: string | null;
  inReplyTo: string | null;
  references: string | null;
  snippet: string | null;
  internalDate: number | null;
  sizeEstimate: number | null;
  historyId: string | null;
  attachmentCount: number;
  attachmentNames: string[];
}

/** The subset of Gmail's Message resource mailmon asks for. */
export interface GmailMessage {
  id?: string | null;
  threadId?: string | null;
  labelIds?: string[] | null;
  snippet?: string | null;
  historyId?: string | null;
  internalDate?: string | null;
  sizeEstimate?: number | null;
  payload?: GmailPart | null;
}

export interface GmailPart {
  filename?: string | null;
  headers?: Array<{ name?: string | null; value?: string | null }> | null;
  parts?: GmailPart[] | null;
}

/** The `fields` mask for messages.get: only what mailmon stores. */
export const MESSAGE_FIELDS = 'id,threadId,labelIds,snippet,historyId,internalDate,sizeEstimate,payload(headers(name,value),filename,parts(filename,parts(filename,parts(filename))))';
export const MESSAGE_HEADERS = ['From', 'To', 'Cc', 'Subject', 'Date', 'Message-ID', 'In-Reply-To', 'References'];

export function sortLabels(labelIds: Iterable<string>): string[] {
  return [...new Set(labelIds)].sort();
}

export function parseAddressList(value: string | null | undefined): EmailAddress[] {
  if (!value) return [];
  try {
    const flat: EmailAddress[] = [];
    const visit = (entries: ReturnType<typeof addressParser>) => {
      for (const entry of entries) {
        if ('group' in entry && Array.isArray(entry.group)) visit(entry.group as ReturnType<typeof addressParser>);
        else if ('address' in entry && entry.address) flat.push({ name: entry.name ? entry.name : null, address: entry.address });
      }
    };
    visit(addressParser(value));
    return flat;
  } catch {
    return [];
  }
}

function header(part: GmailPart | null | undefined, name: string): string | null {
  const lower = name.toLowerCase();
  const found = part?.headers?.find((candidate) => candidate.name?.toLowerCase() === lower);
  return found?.value ?? null;
}

function attachmentNames(part: GmailPart | null | undefined, isRoot = true): string[] {
  if (!part) return [];
  const own = !isRoot && part.filename ? [part.filename] : [];
  return [...own, ...(part.parts ?? []).flatMap((child) => attachmentNames(child, false))];
}

export function messageStateFromGmail(message: GmailMessage): MessageState {
  if (!message.id || !message.threadId) throw new Error('Gmail message without id or threadId');
  const payload = message.payload;
  const names = attachmentNames(payload);
  const internalDate = message.internalDate ? Number(message.internalDate) : null;
  return {
    providerMessageId: message.id,
    providerThreadId: message.threadId,
    labelIds: sortLabels(message.labelIds ?? []),
    subject: header(payload, 'Subject'),
    from: parseAddressList(header(payload, 'From'))[0] ?? null,
    to: parseAddressList(header(payload, 'To')),
    cc: parseAddressList(header(payload, 'Cc')),
    dateHeader: header(payload, 'Date'),
    messageIdHeader: header(payload, 'Message-ID'),
    inReplyTo: header(payload, 'In-Reply-To'),
    references: header(payload, 'References'),
    snippet: message.snippet ?? null,
    internalDate: Number.isFinite(internalDate) ? internalDate : null,
    sizeEstimate: message.sizeEstimate ?? null,
    historyId: message.historyId ?? null,
    attachmentCount: names.length,
    attachmentNames: names,
  };
}

/** A label refresh (format=minimal) keeps the headers already known locally. */
export function withFreshLabels(local: MessageState, minimal: GmailMessage): MessageState {
  return { ...local, labelIds: sortLabels(minimal.labelIds ?? []), historyId: minimal.historyId ?? local.historyId, snippet: minimal.snippet ?? local.snippet };
}

export function summarize(state: MessageState, ids: { messageId: string; threadId: string }): MessageSummary {
  return {
    messageId: ids.messageId,
    threadId: ids.threadId,
    providerMessageId: state.providerMessageId,
    providerThreadId: state.providerThreadId,
    subject: state.subject,
    from: state.from,
    to: state.to,
    cc: state.cc,
    snippet: state.snippet,
    receivedAt: state.internalDate === null ? null : new Date(state.internalDate).toISOString(),
    labelIds: state.labelIds,
    hasAttachments: state.attachmentCount > 0,
    attachmentCount: state.attachmentCount,
  };
}

export function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((label, index) => label === b[index]);
}
