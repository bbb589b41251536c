/**
 * Access tokens kept in memory between syncs, per mailbox, so a process that syncs a mailbox every
 * few seconds (the daemon, listen) asks the token endpoint about once an hour instead of once per
 * sync: Google rate-limits token requests. A token is reused only with the refresh token it was
 * issued for (a new login starts afresh); the OAuth client refreshes it shortly before it expires
 * (google-auth-library's eager threshold, 5 minutes) and the Gmail port drops it on a 401.
 * Never written anywhere: it lives as long as the process.
 */
export interface AccessToken {
  accessToken: string;
  /** Epoch ms, as the OAuth client computes it from expires_in. */
  expiryDate: number;
}

/** One mailbox's slot, what the Gmail port reads and updates. */
export interface AccessTokenSlot {
  get(): AccessToken | null;
  set(token: AccessToken | null): void;
}

export class AccessTokenCache {
  private readonly tokens = new Map<string, AccessToken & { refreshToken: string }>();

  slot(mailboxId: string, refreshToken: string): AccessTokenSlot {
    return {
      get: () => {
        const cached = this.tokens.get(mailboxId);
        return cached && cached.refreshToken === refreshToken ? { accessToken: cached.accessToken, expiryDate: cached.expiryDate } : null;
      },
      set: (token) => {
        if (token) this.tokens.set(mailboxId, { ...token, refreshToken });
        else if (this.tokens.get(mailboxId)?.refreshToken === refreshToken) this.tokens.delete(mailboxId);
      },
    };
  }
}
