/** The OAuth client id a mailbox was authorized with (null: the configured one applies). */
import type Database from 'better-sqlite3';

export function credentialClientId(sqlite: Database.Database, mailboxId: string): string | null {
  const row = sqlite.prepare('select client_id as clientId from credentials where mailbox_id = ?').get(mailboxId) as { clientId: string | null } | undefined;
  return row?.clientId ?? null;
}
