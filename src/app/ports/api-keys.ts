/**
 * API keys of the HTTP API. Only a hash of each key is stored: the key itself is shown once, at
 * creation, and cannot be read back. A revoked key stays listed (who had access, until when) but
 * is never found by its hash again.
 */
export type ApiKeyScope = 'read' | 'write';

export interface ApiKeyRow {
  id: string;
  name: string | null;
  scope: ApiKeyScope;
  /** SHA-256 of the whole key, hex. */
  keyHash: string;
  /** The key's first characters, to recognise it in a listing. */
  keyPrefix: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface ApiKeys {
  /** Rejects when a key with the same hash already exists. */
  create(row: Pick<ApiKeyRow, 'id' | 'name' | 'scope' | 'keyHash' | 'keyPrefix'>, now: number): Promise<void>;
  /** The key with this hash, unless revoked. */
  findByHash(keyHash: string): Promise<ApiKeyRow | undefined>;
  /** Every key, revoked ones included, oldest first. */
  list(): Promise<ApiKeyRow[]>;
  /** false when there is no such key or it was already revoked. */
  revoke(id: string, now: number): Promise<boolean>;
  /** How many keys are not revoked. */
  countActive(): Promise<number>;
}
