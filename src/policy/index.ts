export {
  birthrightSource,
  compareEntitlements,
  desiredAccess,
  needsApproval,
  ruleLabel,
  validatePolicy,
  type AccessSource,
  type ApprovalMode,
  type DesiredAccess,
  type DesiredEntitlement,
  type Policy,
  type PolicyProblem,
} from './evaluate';
export { compileMatcher, compileMatcherList, type PolicyRule, type ValueMatcher } from './matcher';
export { accessSetFrom, diffAccess, type AccessDiff, type AccessGrant, type AccessRevoke, type AccessSet } from './diff';
export { managedEntitlements } from './managed';
