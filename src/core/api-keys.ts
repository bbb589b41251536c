/**
 * The API key format and its hash. A key is `mm_` + 43 base64url characters (32 random bytes);
 * the store keeps only its SHA-256, so a leaked store does not leak usable keys. Pure.
 */
import { createHash } from 'node:crypto';

export const API_KEY_PREFIX = 'mm_';
const KEY_PATTERN = /^mm_[A-Za-z0-9_-]{43}$/;

export function formatApiKey(random: Buffer): string {
  return `${API_KEY_PREFIX}${random.toString('base64url')}`;
}

export function isApiKeyFormat(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** What a listing shows of a key: enough to recognise it, never enough to use it. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}

/** The key of an `Authorization: Bearer mm_…` header; undefined for any other header. */
export function bearerKey(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match && isApiKeyFormat(match[1]) ? match[1] : undefined;
}
