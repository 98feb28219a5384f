import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export type Role = 'auditor' | 'admin';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bearer-token guard: 401 without a known token, 403 when the token's role is not allowed.
 * Tokens are compared as digests with a timing-safe compare.
 */
export function requireRole(tokens: ReadonlyMap<string, Role>, ...allowed: Role[]) {
  const known = [...tokens].map(([token, role]) => ({ hash: digest(token), role }));
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const presented = match ? digest(match[1] as string) : undefined;
    const role = presented ? known.find((k) => timingSafeEqual(k.hash, presented))?.role : undefined;
    if (!role) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized', message: 'a valid bearer token is required' });
      return;
    }
    if (!allowed.includes(role)) {
      res.status(403).json({ error: 'forbidden', message: `this route needs role ${allowed.join(' or ')}` });
      return;
    }
    res.locals.role = role;
    next();
  };
}
