/** An in-memory stand-in for the OS keychain, passed to the vault as a parameter (no module mocks). */
import type { KeychainAccess } from '../../src/adapters/secrets/credential-vault.js';

export function memoryKeychain(available = true): KeychainAccess & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    probe: async () => ({ available, reason: available ? undefined : 'no secret service in this test', elapsedMs: 0 }),
    keychain: {
      set: async (account, value) => void entries.set(account, value),
      get: async (account) => entries.get(account),
      delete: async (account) => entries.delete(account),
    },
  };
}
