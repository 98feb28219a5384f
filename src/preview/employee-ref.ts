import { employeeWorkflowId, hrSources, type HrSource } from '../hris/hr-event';

/** A worker as the API and CLI name them: `<source>:<employeeId>`, or a bare ID meaning BambooHR. */
export interface EmployeeRef {
  source: HrSource;
  employeeId: string;
  workflowId: string;
}

export const defaultSource: HrSource = 'bamboohr';

// The alphabet HR intake accepts for employee IDs (they end up in workflow IDs).
const employeeIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/** Parses `<source>:<employeeId>` or a bare ID; throws a message naming what is wrong. */
export function parseEmployeeRef(text: string): EmployeeRef {
  const colon = text.indexOf(':');
  const sourceText = colon < 0 ? defaultSource : text.slice(0, colon);
  const employeeId = colon < 0 ? text : text.slice(colon + 1);
  if (!isHrSource(sourceText)) throw new Error(`unknown HR source "${sourceText}" (use ${hrSources.join(' or ')}, e.g. bamboohr:123)`);
  if (!employeeIdPattern.test(employeeId)) throw new Error(`"${employeeId}" is not an employee ID (1-64 letters, digits, "-" or "_")`);
  return { source: sourceText, employeeId, workflowId: employeeWorkflowId(sourceText, employeeId) };
}

function isHrSource(text: string): text is HrSource {
  return (hrSources as readonly string[]).includes(text);
}
