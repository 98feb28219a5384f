import { isIP } from 'node:net';
import { z } from 'zod';

/** Express's `trust proxy` setting: true, false, a hop count, or the addresses/subnets trusted. */
export type TrustProxy = boolean | number | string[];

const names = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address, a subnet (address/bits) or one of Express's names for a range. */
function isTrustEntry(entry: string): boolean {
  if (names.has(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/**
 * JML_TRUST_PROXY: which proxies' X-Forwarded-For the engine believes, so what `req.ip` (the
 * evidence "where" and the address 401s are counted by) is. Default `loopback`: only a proxy on
 * the same host. `false` trusts none, `true` every hop (only behind a proxy that overwrites the
 * header), a number that many hops, or a list of addresses, subnets and `loopback`,
 * `linklocal`, `uniquelocal`.
 */
export const trustProxySetting = z
  .string()
  .default('loopback')
  .transform((value, ctx): TrustProxy => {
    const text = value.trim();
    if (text === 'true') return true;
    if (text === 'false') return false;
    if (/^\d{1,2}$/.test(text)) return Number(text);
    const entries = text.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = entries.findIndex((e) => !isTrustEntry(e));
    if (entries.length === 0 || bad >= 0) {
      ctx.addIssue({ code: 'custom', message: `${entries.length === 0 ? 'empty' : `entry ${bad + 1} is not an address, a subnet or loopback|linklocal|uniquelocal`}; or use true, false or a hop count` });
      return z.NEVER;
    }
    return entries;
  });
