/** The joiner benchmark's fixed set-up (policy, hire record), one measured joiner, and what measuring one needs. */
import type { TestEngine } from '../test/harness/engine';
import type { Targets } from '../test/harness/targets';
import type { DirectConnectors } from './direct';
import { watching, type PeerWatch, type Seen } from './peer-watch';

/** Every joiner gets an account and a group in both systems, with no approval on the way. */
export const policyYaml = `policy:
  birthright: [{ system: okta, entitlements: ["group:staff"] }]
  rules:
    - name: engineering
      when: { department: Engineering }
      grant: [{ system: aws, entitlements: ["group:engineering"] }]
joiner: { provisionLeadTime: 3d }
`;

/** The group the policy grants in each system (and the bench seeds in both peers). */
export const groups = { okta: 'staff', scim: 'engineering' } as const;

/** A start date long past, so the worker has started and accounts are created active at once. */
export const hireDate = '2024-01-08';

/** A field-based BambooHR delivery: a new Engineering worker, active, started on `hireDate`. */
export function hireDelivery(employeeId: string, workEmail: string) {
  return {
    employees: [
      {
        id: employeeId,
        action: 'Created',
        timestamp: new Date().toISOString(),
        changedFields: [],
        fields: {
          workEmail,
          firstName: 'Bench',
          lastName: `Joiner${employeeId}`,
          status: 'Active',
          hireDate,
          terminationDate: null,
          department: 'Engineering',
        },
      },
    ],
  };
}

export interface Sample {
  employeeId: string;
  login: string;
  /** Epoch ms just before the webhook POST (engine) or the first direct call (baseline). */
  startAt: number;
  granted: Seen;
  /** Engine: 202 received. Baseline: both direct call chains returned. */
  returnedAt: number;
  employeeWorkflowId?: string;
  joinerWorkflowId?: string;
}

/** The measured figure: from the start to both accounts existing with their groups. */
export const grantedMs = (s: Sample) => s.granted.at - s.startAt;

export interface Context {
  engine: TestEngine;
  targets: Targets;
  watch: PeerWatch;
  direct: DirectConnectors;
  nextId: () => { employeeId: string; login: string };
  /** Logins measured and still in the granted groups (see releaseGroups). */
  inGroups: string[];
}

/**
 * Starts watching for a worker nobody has provisioned yet; resolves when the Okta peer shows the
 * user in `staff` and the SCIM server shows the user in `engineering` (each implies the account).
 */
export function watchGranted(ctx: Context, login: string): Promise<Seen> {
  if (ctx.targets.okta.user(login) || ctx.targets.scim.user(login)) throw new Error(`grant watch: ${login} already has an account`);
  return watching(ctx.watch, {
    what: `accounts and groups of ${login}`,
    okta: (t) => t.okta.user(login)?.groups.includes(groups.okta) === true,
    scim: (t) => t.scim.user(login)?.groups.includes(groups.scim) === true,
  });
}

/**
 * Takes the joiners measured so far back out of the two groups, off the clock, so every joiner
 * is granted into a group of the same small size. The SCIM server (scimmy) validates every
 * member of a group on each PATCH /Groups, so its handler time after the latency grows with
 * the group (about 10 ms at a few members, 30-60 ms at 100-300); left to grow, that drift would
 * show in the later samples of both the engine and the baseline. Accounts stay as they are.
 */
export async function releaseGroups(ctx: Context): Promise<void> {
  const logins = ctx.inGroups.splice(0);
  await Promise.all(
    logins.map(async (login) => {
      const oktaId = ctx.targets.okta.user(login)?.id;
      const scimId = ctx.targets.scim.user(login)?.id;
      await Promise.all([
        oktaId ? ctx.direct.okta.revokeEntitlement(oktaId, `group:${groups.okta}`) : undefined,
        scimId ? ctx.direct.scim.revokeEntitlement(scimId, `group:${groups.scim}`) : undefined,
      ]);
    }),
  );
}
