import type { ConfigFile } from '../config/file';
import type { WorkerAttributes } from '../hris/hr-event';
import { compileConditions, compileMatcher, type PolicyRule } from './matcher';

export type Policy = ConfigFile['policy'];
export type ApprovalMode = PolicyRule['approval'];

/** Why a worker should hold an entitlement: birthright or one rule, and whether that rule asks for approval. */
export interface AccessSource {
  /** 'birthright', the rule's name, or 'rules[<index>]' for an unnamed rule. */
  rule: string;
  approval: ApprovalMode;
}

export interface DesiredEntitlement {
  system: string;
  entitlement: string;
  /** Birthright first, then rules in config order; never empty. */
  sources: AccessSource[];
}

/**
 * Everything a worker should hold, one item per system and entitlement, sorted by both.
 * Plain arrays rather than Maps so it survives Temporal's JSON payloads unchanged.
 */
export type DesiredAccess = DesiredEntitlement[];

export interface PolicyProblem {
  /** Dotted path from the config root, as config errors print it: policy.rules.2.when.jobTitle */
  path: string;
  message: string;
}

export const birthrightSource = 'birthright';
const unnamedRuleLabel = /^rules\[\d+\]$/;

/** The label a rule's grants carry: its name when it has one, else its position. */
export function ruleLabel(rule: Pick<PolicyRule, 'name'>, index: number): string {
  const name = rule.name?.trim();
  return name ? name : `rules[${index}]`;
}

/**
 * What the policy says this worker should hold now. Birthright applies to everyone; every
 * matching rule applies, in order. Assumes a policy that passed validatePolicy: an invalid
 * regular expression throws here.
 */
export function desiredAccess(policy: Policy, worker: WorkerAttributes): DesiredAccess {
  const items = new Map<string, DesiredEntitlement>();
  const addSource = (grants: PolicyRule['grant'], source: AccessSource) => {
    // A rule listing the same entitlement twice is still one reason to hold it.
    const seenForThisSource = new Set<string>();
    for (const { system, entitlements } of grants) {
      for (const entitlement of entitlements) {
        const key = entitlementKey(system, entitlement);
        if (seenForThisSource.has(key)) continue;
        seenForThisSource.add(key);
        const item = items.get(key) ?? { system, entitlement, sources: [] };
        item.sources.push({ ...source });
        items.set(key, item);
      }
    }
  };

  addSource(policy.birthright, { rule: birthrightSource, approval: 'none' });
  policy.rules.forEach((rule, index) => {
    if (compileConditions(rule.when)(worker)) addSource(rule.grant, { rule: ruleLabel(rule, index), approval: rule.approval });
  });
  return [...items.values()].sort(compareEntitlements);
}

/**
 * One reason to hold an entitlement without approval is enough: if birthright or any rule
 * without approval grants it, asking a manager would only delay what the policy already
 * allows. Only when every source requires approval does it wait. Fails closed on no sources.
 */
export function needsApproval(item: Pick<DesiredEntitlement, 'sources'>): boolean {
  return !item.sources.some((source) => source.approval === 'none');
}

/**
 * Problems the schema cannot see: matchers that do not compile, and rule names that would make
 * two sources indistinguishable in grants, approvals and evidence. Empty means valid.
 */
export function validatePolicy(policy: Policy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const firstIndexByName = new Map<string, number>();

  policy.rules.forEach((rule, index) => {
    const rulePath = `policy.rules.${index}`;
    for (const [attribute, matcher] of Object.entries(rule.when)) {
      if (matcher === undefined) continue;
      const texts = typeof matcher === 'string' ? [{ text: matcher, path: '' }] : matcher.map((text, i) => ({ text, path: `.${i}` }));
      for (const { text, path } of texts) {
        try {
          compileMatcher(text);
        } catch (err) {
          problems.push({ path: `${rulePath}.when.${attribute}${path}`, message: (err as Error).message });
        }
      }
    }

    const name = rule.name?.trim();
    if (!name) return;
    const namePath = `${rulePath}.name`;
    if (name === birthrightSource || unnamedRuleLabel.test(name)) {
      problems.push({ path: namePath, message: `rule name "${name}" is reserved; choose another` });
    } else if (firstIndexByName.has(name)) {
      problems.push({ path: namePath, message: `duplicate rule name "${name}" (also policy.rules.${firstIndexByName.get(name)})` });
    } else {
      firstIndexByName.set(name, index);
    }
  });
  return problems;
}

/**
 * Orders by system, then entitlement, by UTF-16 code units. Not localeCompare: its result
 * depends on the ICU build, and workflow code must order the same on every replay.
 */
export function compareEntitlements(a: { system: string; entitlement: string }, b: { system: string; entitlement: string }): number {
  return compareText(a.system, b.system) || compareText(a.entitlement, b.entitlement);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A collision-free map key for one system's entitlement. */
export function entitlementKey(system: string, entitlement: string): string {
  return JSON.stringify([system, entitlement]);
}
