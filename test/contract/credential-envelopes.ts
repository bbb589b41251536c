/**
 * The CredentialEnvelopes port's promises (src/app/ports/credential-envelopes.ts), for every
 * implementation: rows round trip, and replaceAll swaps every envelope or none — also while
 * another connection writes one of them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnvelopeReplacement, StoredEnvelopeFields } from '../../src/app/ports/credential-envelopes.js';
import type { Storage } from '../../src/app/ports/storage.js';
import type { StoreFactory, StoreUnderTest } from './stores.js';

const sealed = (tag: string): StoredEnvelopeFields => ({ envelopeVersion: 1, keyId: `key-${tag}`, nonce: `nonce-${tag}`, tag: `tag-${tag}`, ciphertext: `ciphertext-${tag}` });
const inKeychain: StoredEnvelopeFields = { envelopeVersion: null, keyId: null, nonce: null, tag: null, ciphertext: null };
const fieldsOf = (row: StoredEnvelopeFields | undefined) => row && { envelopeVersion: row.envelopeVersion, keyId: row.keyId, nonce: row.nonce, tag: row.tag, ciphertext: row.ciphertext };

export function credentialEnvelopesContract(factory: StoreFactory): void {
  describe(`CredentialEnvelopes (${factory.name})`, () => {
    let store: StoreUnderTest;
    beforeEach(async () => {
      store = await factory.create();
      for (const id of ['mbx_b', 'mbx_a', 'mbx_c']) {
        await store.storage.mailboxes.insert({ id, emailAddress: `${id}@example.com`, name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1);
      }
    });
    afterEach(async () => {
      await store.close();
    });

    /** Credentials of mbx_a and mbx_b and one secret, all sealed with "old". */
    async function populate(storage: Storage = store.storage): Promise<void> {
      const envelopes = storage.credentialEnvelopes;
      await envelopes.upsert('credential', 'mbx_b', { store: 'file', ...sealed('b-old'), clientId: 'client', scope: 'gmail' }, 10);
      await envelopes.upsert('credential', 'mbx_a', { store: 'file', ...sealed('a-old') }, 10);
      await envelopes.upsert('secret', 'webhook', { store: 'file', ...sealed('s-old') }, 10);
    }
    const rewrapOf = async (storage: Storage): Promise<EnvelopeReplacement[]> =>
      (await storage.credentialEnvelopes.list()).map((row) => ({ type: row.type, owner: row.owner, expected: row, next: sealed(`${row.owner}-new`) }));

    it('round trips rows: credentials by mailbox id, then secrets by name; a replace keeps createdAt', async () => {
      const envelopes = store.storage.credentialEnvelopes;
      await populate();
      await envelopes.upsert('secret', 'keychained', { store: 'keychain', ...inKeychain }, 20);
      expect((await envelopes.list()).map((row) => [row.type, row.owner, row.store])).toEqual([
        ['credential', 'mbx_a', 'file'], ['credential', 'mbx_b', 'file'], ['secret', 'keychained', 'keychain'], ['secret', 'webhook', 'file'],
      ]);
      expect(await envelopes.get('credential', 'mbx_b')).toEqual({ type: 'credential', owner: 'mbx_b', store: 'file', ...sealed('b-old'), clientId: 'client', scope: 'gmail', createdAt: 10, updatedAt: 10 });
      expect(await envelopes.get('secret', 'keychained')).toMatchObject({ ...inKeychain, clientId: null, scope: null });
      await envelopes.upsert('credential', 'mbx_b', { store: 'keychain', ...inKeychain }, 30);
      expect(await envelopes.get('credential', 'mbx_b')).toMatchObject({ store: 'keychain', ...inKeychain, createdAt: 10, updatedAt: 30 });
      expect(await envelopes.get('credential', 'mbx_c')).toBeUndefined();
      expect(await envelopes.get('secret', 'nope')).toBeUndefined();
    });

    it('a credential needs its mailbox (mailbox_not_found); delete says whether a row went', async () => {
      const envelopes = store.storage.credentialEnvelopes;
      await expect(envelopes.upsert('credential', 'mbx_missing', { store: 'file', ...sealed('x') }, 1)).rejects.toMatchObject({ code: 'mailbox_not_found' });
      await populate();
      expect(await envelopes.delete('credential', 'mbx_a')).toBe(true);
      expect(await envelopes.delete('credential', 'mbx_a')).toBe(false);
      expect(await envelopes.delete('secret', 'webhook')).toBe(true);
      expect((await envelopes.list()).map((row) => row.owner)).toEqual(['mbx_b']);
    });

    it('lists the mailboxes without a credential, by id', async () => {
      await store.storage.credentialEnvelopes.upsert('credential', 'mbx_b', { store: 'file', ...sealed('b') }, 1);
      expect(await store.storage.credentialEnvelopes.mailboxesWithoutCredential()).toEqual([
        { mailboxId: 'mbx_a', emailAddress: 'mbx_a@example.com', status: 'pending' },
        { mailboxId: 'mbx_c', emailAddress: 'mbx_c@example.com', status: 'pending' },
      ]);
    });

    it('replaceAll swaps every envelope and stamps updatedAt', async () => {
      await populate();
      const envelopes = store.storage.credentialEnvelopes;
      await envelopes.replaceAll(await rewrapOf(store.storage), 50);
      const rows = await envelopes.list();
      expect(rows.map((row) => [row.owner, row.keyId, row.updatedAt])).toEqual([['mbx_a', 'key-mbx_a-new', 50], ['mbx_b', 'key-mbx_b-new', 50], ['webhook', 'key-webhook-new', 50]]);
      expect(rows[1]).toMatchObject({ clientId: 'client', scope: 'gmail', createdAt: 10 });
    });

    it('replaceAll changes nothing when any row changed, went to the keychain or disappeared since it was read', async () => {
      const envelopes = store.storage.credentialEnvelopes;
      await populate();
      const changes: Array<() => Promise<unknown>> = [
        () => envelopes.upsert('secret', 'webhook', { store: 'file', ...sealed('s-other') }, 20),
        () => envelopes.upsert('secret', 'webhook', { store: 'keychain', ...inKeychain }, 20),
        () => envelopes.delete('secret', 'webhook'),
      ];
      for (const change of changes) {
        await populate();
        const replacements = await rewrapOf(store.storage);
        await change();
        const before = await envelopes.list();
        await expect(envelopes.replaceAll(replacements, 50)).rejects.toMatchObject({ code: 'credential_changed' });
        expect(await envelopes.list()).toEqual(before);
      }
    });

    it('replaceAll racing a write on another connection: all swapped (the write lands after) or none', async () => {
      const other = await store.connect();
      for (let trial = 0; trial < 20; trial++) {
        await populate();
        const replacements = await rewrapOf(store.storage);
        const swap = () => store.storage.credentialEnvelopes.replaceAll(replacements, 50).then(() => true, (error: { code?: string }) => {
          if (error.code !== 'credential_changed') throw error;
          return false;
        });
        const write = () => other.credentialEnvelopes.upsert('credential', 'mbx_b', { store: 'file', ...sealed(`b-${trial}`) }, 60);
        // Either may start first; an implementation with real concurrency interleaves them.
        let swapped: boolean;
        if (trial % 2 === 0) [swapped] = await Promise.all([swap(), write()]);
        else [, swapped] = await Promise.all([write(), swap()]);
        const rows = await other.credentialEnvelopes.list();
        expect(fieldsOf(rows.find((row) => row.owner === 'mbx_b'))).toEqual(sealed(`b-${trial}`));
        for (const owner of ['mbx_a', 'webhook']) {
          const expected = swapped ? sealed(`${owner}-new`) : replacements.find((r) => r.owner === owner)!.expected;
          expect(fieldsOf(rows.find((row) => row.owner === owner))).toEqual(fieldsOf(expected));
        }
      }
    });
  });
}
