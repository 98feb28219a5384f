import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Typed search attributes shown in the Temporal UI. IDs and states only: never names or emails. */
export const EmployeeId = defineSearchAttributeKey('EmployeeId', SearchAttributeType.KEYWORD);
export const HrSource = defineSearchAttributeKey('HrSource', SearchAttributeType.KEYWORD);
export const Lifecycle = defineSearchAttributeKey('Lifecycle', SearchAttributeType.KEYWORD);
export const SlaStatus = defineSearchAttributeKey('SlaStatus', SearchAttributeType.KEYWORD);

export const searchAttributeFlags = ['EmployeeId', 'HrSource', 'Lifecycle', 'SlaStatus'].map((name) => `${name}=Keyword`);
