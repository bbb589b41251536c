/**
 * Which fixture server (and which of its mailboxes) a `mailmon trigger` / `mailmon fixtures …`
 * call means when no --server is given: the one a mailbox was signed in to with
 * `mailmon login --fixture URL` — the mailbox chosen with --mailbox, or the only fixture mailbox.
 */
import { fixtureServerOf } from '../core/fixture-mailbox.js';
import type { Storage } from './ports/storage.js';

export interface RememberedFixture {
  url: string;
  /** The mailbox's address on that server. */
  mailbox: string;
}

export type RememberedFixtureLookup = { found: RememberedFixture } | { found: null; candidates: string[] };

/** `ref` is --mailbox (an address, a mailbox id or name); without it, only a single fixture mailbox is unambiguous. */
export async function rememberedFixture(deps: Pick<Storage, 'mailboxes'>, ref: string | undefined): Promise<RememberedFixtureLookup> {
  const fixtures = (await deps.mailboxes.list()).filter((mailbox) => fixtureServerOf(mailbox) !== null);
  const wanted = ref?.toLowerCase();
  const matches = wanted === undefined ? fixtures : fixtures.filter((mailbox) => mailbox.emailAddress.toLowerCase() === wanted || mailbox.id === ref || mailbox.name === ref);
  if (matches.length !== 1) return { found: null, candidates: fixtures.map((mailbox) => mailbox.emailAddress) };
  return { found: { url: fixtureServerOf(matches[0])!, mailbox: matches[0].emailAddress } };
}
