/**
 * Pub/Sub against a fixture server the way an app calls Google's Pub/Sub REST API: an
 * OAuth2Client from google-auth-library holding a token with the pubsub scope (obtained through
 * the fixture's own authorize + token endpoints), and `client.request({url, method, data})`.
 */
import type { OAuth2Client } from 'google-auth-library';
import type { FixtureServer } from '../../src/fixtures/server.js';
import { oauthClient } from './fixture-gmail.js';

export const PUBSUB_SCOPE = 'https://www.googleapis.com/auth/pubsub';

/** An OAuth2Client signed in to the mailbox with these scopes (default: pubsub), no browser. */
export async function authorizedClient(server: FixtureServer, scopes: string[] = [PUBSUB_SCOPE], mailbox?: string): Promise<OAuth2Client> {
  const auth = oauthClient(server.url);
  const authUrl = auth.generateAuthUrl({ scope: scopes, ...(mailbox ? { login_hint: mailbox } : {}) });
  const redirect = await fetch(authUrl, { redirect: 'manual' });
  const code = new URL(redirect.headers.get('location') ?? '').searchParams.get('code');
  if (!code) throw new Error(`the fixture's authorize endpoint gave no code: ${redirect.status}`);
  const { tokens } = await auth.getToken(code);
  auth.setCredentials(tokens);
  return auth;
}

export interface PubsubCall<T = unknown> {
  status: number;
  data: T;
}

/** One Pub/Sub REST call; a Google error answer is returned (status + body), not thrown. */
export async function pubsub<T = unknown>(auth: OAuth2Client, server: FixtureServer, method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, data?: unknown): Promise<PubsubCall<T>> {
  try {
    const response = await auth.request<T>({ url: `${server.url}v1/${path}`, method, ...(data === undefined ? {} : { data }), retry: false });
    return { status: response.status, data: response.data };
  } catch (error) {
    const response = (error as { response?: { status: number; data: T } }).response;
    if (response) return { status: response.status, data: response.data };
    throw error;
  }
}

export interface Notification {
  ackId: string;
  deliveryAttempt: number;
  messageId: string;
  publishTime: string;
  emailAddress: string;
  historyId: number;
}

/** Pulls and decodes Gmail notifications (`message.data` is base64 JSON). */
export async function pullNotifications(auth: OAuth2Client, server: FixtureServer, subscription: string, body: Record<string, unknown> = { maxMessages: 100 }): Promise<{ raw: unknown; notifications: Notification[] }> {
  const response = await pubsub<{ receivedMessages?: Array<{ ackId: string; deliveryAttempt: number; message: { data: string; messageId: string; publishTime: string } }> }>(auth, server, 'POST', `${subscription}:pull`, body);
  if (response.status !== 200) throw new Error(`pull answered ${response.status}: ${JSON.stringify(response.data)}`);
  const notifications = (response.data.receivedMessages ?? []).map((received) => {
    const decoded = JSON.parse(Buffer.from(received.message.data, 'base64').toString('utf8')) as { emailAddress: string; historyId: number };
    return { ackId: received.ackId, deliveryAttempt: received.deliveryAttempt, messageId: received.message.messageId, publishTime: received.message.publishTime, ...decoded };
  });
  return { raw: response.data, notifications };
}
