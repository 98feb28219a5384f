/**
 * Slack's Web API answers HTTP 200 with `{ok:false, error}` for API errors; this table turns each
 * documented error into a ConnectorError code. "Not found" comes only from these well-formed
 * bodies, never from a bare HTTP status.
 */
import { ConnectorError, type ConnectorErrorCode } from '../errors';
import type { WebAnswer } from './convert';

const byError: Record<string, ConnectorErrorCode> = {
  not_authed: 'unauthorized',
  invalid_auth: 'unauthorized',
  token_revoked: 'unauthorized',
  token_expired: 'unauthorized',
  account_inactive: 'unauthorized',
  missing_scope: 'unauthorized',
  not_an_admin: 'unauthorized',
  not_allowed_token_type: 'unauthorized',
  no_permission: 'unauthorized',
  permission_denied: 'unauthorized',
  feature_not_enabled: 'unauthorized',
  enterprise_is_restricted: 'unauthorized',
  user_not_found: 'not_found',
  users_not_found: 'not_found',
  ratelimited: 'rate_limited',
  fatal_error: 'unavailable',
  internal_error: 'unavailable',
  service_unavailable: 'unavailable',
  request_timeout: 'unavailable',
  user_session_reset_failed: 'unavailable',
  no_such_subteam: 'bad_request',
  invalid_users: 'bad_request',
  no_users_provided: 'bad_request',
  failed_for_some_users: 'bad_request',
  invalid_arguments: 'bad_request',
  missing_argument: 'bad_request',
  invalid_cursor: 'bad_request',
  invalid_team: 'bad_request',
  cannot_reset_bot: 'bad_request',
  cannot_reset_primary_owner: 'bad_request',
  session_reset_not_allowed: 'bad_request',
  restricted_action: 'bad_request',
  unknown_method: 'bad_request',
};

/** The code for a Web API `error`; an error this table does not know is the caller's fault (bad_request). */
export function codeForSlackError(error: string): ConnectorErrorCode {
  return byError[error] ?? 'bad_request';
}

/**
 * The ConnectorError for an `ok:false` answer to `method`. missing_scope names the scope Slack
 * says is `needed`. `status` is the HTTP status the answer came with (Slack sends 200).
 */
export function slackApiError(system: string, method: string, answer: WebAnswer, status: number, retryAfterMs?: number): SlackApiError {
  const error = answer.error ?? 'unknown_error';
  const code = codeForSlackError(error);
  const needed = error === 'missing_scope' && answer.needed ? ` (the token lacks scope ${answer.needed})` : '';
  const wait = code === 'rate_limited' && retryAfterMs !== undefined ? ` (retry after ${retryAfterMs} ms)` : '';
  return new SlackApiError(error, code, `${system}: ${method} answered ok:false ${error}${needed}${wait}`, system, status, code === 'rate_limited' ? (retryAfterMs ?? 1000) : undefined);
}

/** A ConnectorError from an `ok:false` answer, keeping Slack's own error name. */
export class SlackApiError extends ConnectorError {
  constructor(
    readonly slackError: string,
    ...rest: ConstructorParameters<typeof ConnectorError>
  ) {
    super(...rest);
  }
}
