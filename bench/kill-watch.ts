/** The leaver's "sessions killed" moment, watched at the peers (see PeerWatch). */
import type { Targets } from '../test/harness/targets';
import { watching, type PeerWatch, type Seen } from './peer-watch';

/** When the kill was seen: Okta peer session count 0, SCIM user inactive; `at` is the later. */
export type Killed = Seen;

/** Starts watching a seeded, live worker; resolves when both systems show the kill. */
export function watchKill(watch: PeerWatch, targets: Targets, login: string): Promise<Killed> {
  if (targets.okta.sessionsOf(login) === 0 || targets.scim.user(login)?.active !== true) {
    throw new Error(`kill watch: ${login} has no live sessions to watch`);
  }
  return watching(watch, {
    what: `sessions of ${login} killed`,
    okta: (t) => t.okta.sessionsOf(login) === 0,
    scim: (t) => t.scim.user(login)?.active === false,
  });
}
