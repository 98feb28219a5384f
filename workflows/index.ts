export { employeeWorkflow, hrEventSignal, statusQuery } from './employee';
export { leaverWorkflow } from './leaver';
