/**
 * Gmail push through Cloud Pub/Sub, as the push receiver and doctor see it: one subscription to
 * pull and ack, the resources doctor inspects, and a mailbox's users.watch.
 */

/** One Gmail notification as pulled; `emailAddress`/`historyId` are null when the data was not Gmail's. */
export interface PushNotification {
  ackId: string;
  messageId: string;
  emailAddress: string | null;
  historyId: string | null;
}

export interface PushSubscription {
  /** Long-polls: resolves with what arrived (maybe nothing) or throws; aborts with `signal`. */
  pull(signal: AbortSignal): Promise<PushNotification[]>;
  ack(ackIds: string[]): Promise<void>;
}

export interface PubsubAnswer<T> {
  status: number;
  data: T & { error?: { message?: string } };
}

/** What doctor asks of Pub/Sub. */
export interface PushInspector {
  get(name: string): Promise<PubsubAnswer<{ topic?: string }>>;
  topicPolicy(topic: string): Promise<PubsubAnswer<{ bindings?: Array<{ role?: string; members?: string[] }> }>>;
  /** Pulls once without waiting and hands back what it got; throws a MailmonError when it cannot. */
  probe(): Promise<number>;
}

/** A mailbox's Gmail users.watch / users.stop. */
export interface GmailWatch {
  /** Gmail publishes `{emailAddress, historyId}` to the topic on each change until `expiration` (epoch ms). */
  watch(input: { topicName: string; labelIds?: string[] }): Promise<{ historyId: string; expiration: number }>;
  stop(): Promise<void>;
}
