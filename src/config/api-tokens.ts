import { z } from 'zod';

export type Role = 'auditor' | 'admin';

/** One bearer token of JML_API_TOKENS: its role, and the name of whoever holds it, if given. */
export interface ApiToken {
  role: Role;
  name?: string;
}

/** Names are recorded as the actor of what the token does: short, and nothing a log would mangle. */
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const minSecretLength = 16;

/**
 * JML_API_TOKENS: `role:<token>` or `role:name:<token>`, comma-separated. Every problem names the
 * entry by its position, never by its token (a secret must not reach a log). A token listed
 * twice is an error, under two roles above all: which role it has must not be left to chance.
 */
export const apiTokenList = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const tokens = new Map<string, ApiToken>();
    const positions = new Map<string, number>();
    for (const [i, entry] of value.split(',').map((s) => s.trim()).filter(Boolean).entries()) {
      const at = `entry ${i + 1}`;
      const parts = entry.split(':');
      const role = parts[0];
      const name = parts.length > 2 ? parts[1] : undefined;
      const token = parts.slice(parts.length > 2 ? 2 : 1).join(':');
      if ((role !== 'auditor' && role !== 'admin') || parts.length < 2 || !token) {
        ctx.addIssue({ code: 'custom', message: `${at}: must be role:token or role:name:token with role auditor or admin` });
        return z.NEVER;
      }
      if (name !== undefined && !namePattern.test(name)) {
        ctx.addIssue({ code: 'custom', message: `${at}: the name must be 1-64 letters, digits, ".", "_", "@" or "-"` });
        return z.NEVER;
      }
      if (token.length < minSecretLength) {
        ctx.addIssue({ code: 'custom', message: `${at}: the ${role} token is shorter than ${minSecretLength} characters` });
        return z.NEVER;
      }
      const first = tokens.get(token);
      if (first) {
        const roles = first.role === role ? `twice as ${role}` : `under two roles (${first.role} and ${role})`;
        ctx.addIssue({ code: 'custom', message: `entries ${positions.get(token)} and ${i + 1} list the same token ${roles}` });
        return z.NEVER;
      }
      tokens.set(token, { role, ...(name ? { name } : {}) });
      positions.set(token, i + 1);
    }
    return tokens as ReadonlyMap<string, ApiToken>;
  });
