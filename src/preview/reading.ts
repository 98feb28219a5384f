import type { AccountStatus, OptionalAbility } from '../connectors/types';

export interface AccountSummary {
  id: string;
  status: AccountStatus;
}

export interface ReadError {
  /** A ConnectorError code (unavailable, unauthorized, ...), or `no_login` when there was nothing to look up by. */
  code: string;
  message: string;
}

/**
 * What one fresh read of a system found for the worker: their account and every entitlement it
 * holds; or that there was no login to look up (no work email); or that the read failed.
 */
export type SystemReading = { system: string; abilities: readonly OptionalAbility[] } & (
  | { state: 'read'; account: AccountSummary | null; entitlements: readonly string[] }
  | { state: 'no_login' }
  | { state: 'failed'; error: ReadError }
);

export const noLoginMessage = 'the HR record has no work email to match accounts by';
