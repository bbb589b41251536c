/**
 * The CredentialVault port's promises (src/app/ports/credentials.ts), for every vault: values
 * round trip (also through a second vault on the same store, as another process would open),
 * a missing credential is a clear MailmonError, and no save leaves a value behind a bad owner.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMailmonError } from '../../src/core/errors.js';
import type { CredentialVault } from '../../src/app/ports/credentials.js';

export interface VaultUnderTest {
  vault: CredentialVault;
  /** Adds a mailbox (a credential needs one). */
  addMailbox(id: string): Promise<void>;
  /** Another vault over the same store and keys. */
  reopen(): Promise<CredentialVault>;
  close(): Promise<void>;
}

export interface VaultFactory {
  name: string;
  create(): Promise<VaultUnderTest>;
}

const TOKEN = '1//0g-contract-refresh-token-aaaaaaaaaaaaaaaa';

export function credentialsContract(factory: VaultFactory): void {
  describe(`CredentialVault (${factory.name})`, () => {
    let under: VaultUnderTest;
    beforeEach(async () => {
      under = await factory.create();
      await under.addMailbox('mbx_a');
      await under.addMailbox('mbx_b');
    });
    afterEach(async () => {
      await under.close();
    });

    it('saves, loads, replaces and deletes a refresh token; another vault on the same store reads it', async () => {
      const { vault } = under;
      await vault.saveRefreshToken('mbx_a', TOKEN, { clientId: 'client', scope: 'gmail' });
      expect(await vault.loadRefreshToken('mbx_a')).toBe(TOKEN);
      await vault.saveRefreshToken('mbx_a', `${TOKEN}-2`);
      const other = await under.reopen();
      expect(await other.loadRefreshToken('mbx_a')).toBe(`${TOKEN}-2`);
      expect(await other.deleteCredential('mbx_a')).toBe(true);
      expect(await vault.deleteCredential('mbx_a')).toBe(false);
    });

    it('a missing credential is credential_missing, naming the mailbox and saying to log in', async () => {
      const error = await under.vault.loadRefreshToken('mbx_b').then(() => undefined, (caught: unknown) => caught);
      expect(isMailmonError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'credential_missing', message: expect.stringContaining('mbx_b'), hint: expect.stringContaining('mailmon login') });
      await under.vault.saveRefreshToken('mbx_b', TOKEN);
      await under.vault.deleteCredential('mbx_b');
      await expect(under.vault.loadRefreshToken('mbx_b')).rejects.toMatchObject({ code: 'credential_missing' });
    });

    it('refuses a credential for an unknown mailbox and an empty value, storing nothing', async () => {
      await expect(under.vault.saveRefreshToken('mbx_missing', TOKEN)).rejects.toMatchObject({ code: 'mailbox_not_found' });
      await expect(under.vault.loadRefreshToken('mbx_missing')).rejects.toMatchObject({ code: 'credential_missing' });
      await expect(under.vault.saveRefreshToken('mbx_a', '')).rejects.toMatchObject({ code: 'usage' });
      await expect(under.vault.loadRefreshToken('mbx_a')).rejects.toMatchObject({ code: 'credential_missing' });
      await expect(under.vault.saveSecret('', 'value')).rejects.toMatchObject({ code: 'usage' });
    });

    it('saves, loads and deletes named secrets; a missing secret is undefined', async () => {
      const { vault } = under;
      expect(await vault.loadSecret('webhook')).toBeUndefined();
      await vault.saveSecret('webhook', 'whsec_one');
      await vault.saveSecret('webhook:previous', 'whsec_zero');
      expect(await (await under.reopen()).loadSecret('webhook')).toBe('whsec_one');
      expect(await vault.deleteSecret('webhook')).toBe(true);
      expect(await vault.deleteSecret('webhook')).toBe(false);
      expect(await vault.loadSecret('webhook')).toBeUndefined();
      expect(await vault.loadSecret('webhook:previous')).toBe('whsec_zero');
    });

    it('concurrent saves from two vaults all land, each under its own owner', async () => {
      const other = await under.reopen();
      await Promise.all([
        under.vault.saveRefreshToken('mbx_a', `${TOKEN}-a`),
        other.saveRefreshToken('mbx_b', `${TOKEN}-b`),
        under.vault.saveSecret('one', 'value-1'),
        other.saveSecret('two', 'value-2'),
      ]);
      expect(await other.loadRefreshToken('mbx_a')).toBe(`${TOKEN}-a`);
      expect(await under.vault.loadRefreshToken('mbx_b')).toBe(`${TOKEN}-b`);
      expect([await other.loadSecret('one'), await under.vault.loadSecret('two')]).toEqual(['value-1', 'value-2']);
    });
  });
}
