import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { ApiToken, Role } from '../config/api-tokens';

export type { ApiToken, Role } from '../config/api-tokens';
export type ApiTokens = ReadonlyMap<string, ApiToken>;

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bearer-token guard: 401 without a known token, 403 when the token's role is not allowed.
 * Tokens are compared as digests with a timing-safe compare.
 */
export function requireRole(tokens: ApiTokens, ...allowed: Role[]) {
  const known = [...tokens].map(([token, t]) => ({ hash: digest(token), ...t }));
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const presented = match ? digest(match[1] as string) : undefined;
    const holder = presented ? known.find((k) => timingSafeEqual(k.hash, presented)) : undefined;
    const role = holder?.role;
    if (!role) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized', message: 'a valid bearer token is required' });
      return;
    }
    if (!allowed.includes(role)) {
      res.status(403).json({ error: 'forbidden', message: `this route needs role ${allowed.join(' or ')}` });
      return;
    }
    res.locals.role = role;
    res.locals.actor = apiActor(holder);
    next();
  };
}

/**
 * Who the API records as having acted: `api:<role>:<name>` for a named token, `api:<role>` for one
 * without a name (tokens then carry a role, not a person).
 */
export function apiActor(token: ApiToken | undefined): string {
  if (!token) return 'api:unknown';
  return token.name ? `api:${token.role}:${token.name}` : `api:${token.role}`;
}

/** The actor requireRole found for this request. */
export const actorOf = (res: Response): string => (typeof res.locals.actor === 'string' ? res.locals.actor : 'api:unknown');
