/**
 * An OAuth access token held until shortly before it expires, fetched once however many requests
 * want it at the same moment, and dropped when the system refuses it (a 401), so the next request
 * fetches a fresh one. The fetching (JWT bearer grant, client credentials) is the connector's.
 */
export interface IssuedToken {
  accessToken: string;
  /** Lifetime in seconds from issue, as the token endpoint says (`expires_in`). */
  expiresInSeconds: number;
}

export interface TokenCacheOptions {
  fetchToken: () => Promise<IssuedToken>;
  /** Renew this long before expiry (default 60 s). */
  earlyMs?: number;
  now?: () => number;
}

export class TokenCache {
  private current?: { token: string; renewAtMs: number };
  private pending?: Promise<string>;
  private readonly now: () => number;

  constructor(private readonly options: TokenCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  async get(): Promise<string> {
    if (this.current && this.now() < this.current.renewAtMs) return this.current.token;
    this.pending ??= this.options
      .fetchToken()
      .then((issued) => {
        const early = Math.min(this.options.earlyMs ?? 60_000, (issued.expiresInSeconds * 1000) / 2);
        this.current = { token: issued.accessToken, renewAtMs: this.now() + issued.expiresInSeconds * 1000 - early };
        return issued.accessToken;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** The system refused `token`: forget it (unless a newer one already replaced it). */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }
}
