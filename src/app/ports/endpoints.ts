/**
 * Registered webhook endpoints: their target, subscriptions and health. Secrets are not here:
 * they live in the credential store under `webhook:<id>` (and `webhook:<id>:previous`). Every
 * health change is written together with the row it changes, in one method call.
 */
import type { EndpointHealth, HealthUpdate, SubscriptionRule } from '../../core/delivery-schedule.js';

export type SignatureScheme = 'mailmon' | 'standard' | 'both';

export interface EndpointRow {
  id: string;
  url: string;
  description: string | null;
  signatureScheme: SignatureScheme;
  headers: Record<string, string>;
  previousSecretExpiresAt: number | null;
  health: EndpointHealth;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  failingSince: number | null;
  /** Events up to this sequence have been fanned out into deliveries. */
  lastEnqueuedSequence: number;
  createdAt: number;
  updatedAt: number;
}

export interface HealthChangeRow {
  fromHealth: EndpointHealth;
  toHealth: EndpointHealth;
  reason: string;
  at: number;
}

export type NewEndpoint = Pick<EndpointRow, 'id' | 'url' | 'description' | 'signatureScheme' | 'headers' | 'lastEnqueuedSequence' | 'createdAt'>;

export interface HealthOptions {
  /** Overrides the reason kept on the row (null clears it); default: the change's reason when disabling. */
  disabledReason?: string | null;
  /** Also make the endpoint's waiting attempts due at `now` (enabling), in the same transaction. */
  rescheduleBacklog?: boolean;
}

export interface Endpoints {
  /** Oldest first. */
  list(): Promise<EndpointRow[]>;
  get(id: string): Promise<EndpointRow | undefined>;
  subscriptions(id: string): Promise<SubscriptionRule[]>;
  /** The latest `limit` changes, oldest first. */
  healthChanges(id: string, limit?: number): Promise<HealthChangeRow[]>;
  /** The endpoint and its subscription rules, together. Status starts active and enabled. */
  insert(endpoint: NewEndpoint, rules: readonly SubscriptionRule[]): Promise<void>;
  /** Deletes the endpoint with its subscriptions, health history and deliveries; false when absent. */
  remove(id: string): Promise<boolean>;
  /** Writes the health update and, when it carries a change, its history row, atomically. */
  applyHealth(id: string, update: HealthUpdate, now: number, options?: HealthOptions): Promise<void>;
  setPreviousSecretExpiry(id: string, expiresAt: number | null, now: number): Promise<void>;
}

export function secretName(endpointId: string): string {
  return `webhook:${endpointId}`;
}

export function previousSecretName(endpointId: string): string {
  return `webhook:${endpointId}:previous`;
}
