export { employeeWorkflow } from './employee';
export { leaverWorkflow } from './leaver';
export { joinerWorkflow } from './joiner';
export { moverWorkflow } from './mover';
export { reconcileWorkflow } from './reconcile';
export { massHoldWorkflow } from './mass-hold';
export { orphanReconcileWorkflow } from './orphans';
