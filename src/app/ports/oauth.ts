/**
 * Google OAuth for the installed-app flow, as login and logout need it: authorize (loopback
 * redirect on 127.0.0.1, PKCE S256, a random state, offline access) up to the refresh token,
 * the account a token belongs to, revocation, and showing the authorize URL.
 */
export interface OAuthClient {
  /** Base URL of the OAuth server (Google's, or a fixture server). */
  oauthUrl: string;
  clientId: string;
  clientSecret?: string;
}

export interface AuthorizeInput extends OAuthClient {
  scopes: string[];
  loginHint?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Shows the authorize URL to the user (or follows it); the flow then waits for the redirect. */
  present(authUrl: string): Promise<void>;
}

export interface OAuthFlow {
  /**
   * Runs the flow and exchanges the code. refreshToken is null when the server granted none.
   * oauth_timeout | oauth_denied | oauth_failed (the exchange failed) as MailmonErrors.
   */
  authorize(input: AuthorizeInput): Promise<{ refreshToken: string | null }>;
  /** The Gmail address a refresh token belongs to. */
  whoAmI(input: OAuthClient & { apiUrl: string; refreshToken: string; signal?: AbortSignal }): Promise<{ emailAddress: string }>;
  /** Revokes a token at the server's revocation endpoint; rejects when it refuses. */
  revoke(input: { oauthUrl: string; token: string }): Promise<void>;
  /** Opens the URL in the user's browser. */
  openBrowser(url: string): Promise<void>;
  /** The fixture server's CI path: asks its authorize endpoint and delivers the redirect itself. */
  followAuthorizeRedirect(authUrl: string): Promise<void>;
}
