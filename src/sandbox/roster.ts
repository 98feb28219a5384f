/**
 * The sandbox's sample people (fictional, at the reserved example.com domain): who is already
 * in the sandbox directory, and what `jml simulate` sends to the engine for each, as BambooHR's
 * field-based webhook carries them.
 */
export interface SamplePerson {
  employeeId: string;
  firstName: string;
  lastName: string;
  workEmail: string;
  department: string;
  jobTitle: string;
  /** Their manager's employee ID (BambooHR's supervisorEId). */
  supervisorEId?: string;
  hireDate: string;
  /** In the sandbox directory from the start (false: a joiner waiting to be hired). */
  seeded: boolean;
  groups: string[];
}

export const sampleRoster: readonly SamplePerson[] = [
  { employeeId: '1001', firstName: 'Ada', lastName: 'Park', workEmail: 'ada.park@example.com', department: 'Engineering', jobTitle: 'Engineering Manager', hireDate: '2019-03-04', seeded: true, groups: ['everyone', 'engineering'] },
  { employeeId: '1002', firstName: 'Ben', lastName: 'Okafor', workEmail: 'ben.okafor@example.com', department: 'Engineering', jobTitle: 'Site Reliability Engineer', supervisorEId: '1001', hireDate: '2021-06-14', seeded: true, groups: ['everyone', 'engineering'] },
  { employeeId: '1003', firstName: 'Chloe', lastName: 'Ferris', workEmail: 'chloe.ferris@example.com', department: 'Sales', jobTitle: 'Account Executive', supervisorEId: '1005', hireDate: '2022-01-10', seeded: true, groups: ['everyone', 'sales'] },
  { employeeId: '1004', firstName: 'Dev', lastName: 'Malik', workEmail: 'dev.malik@example.com', department: 'Finance', jobTitle: 'Financial Analyst', supervisorEId: '1005', hireDate: '2020-09-01', seeded: true, groups: ['everyone'] },
  { employeeId: '1005', firstName: 'Esme', lastName: 'Quinn', workEmail: 'esme.quinn@example.com', department: 'Sales', jobTitle: 'Head of Sales', hireDate: '2018-11-19', seeded: true, groups: ['everyone', 'sales'] },
  { employeeId: '1006', firstName: 'Femi', lastName: 'Laine', workEmail: 'femi.laine@example.com', department: 'Engineering', jobTitle: 'Software Engineer', supervisorEId: '1001', hireDate: '', seeded: false, groups: [] },
];

/** The sandbox's policy: everyone gets `everyone`, each department its group. */
export const samplePolicy = {
  birthright: [{ system: 'sandbox', entitlements: ['group:everyone'] }],
  rules: [
    { when: { department: 'Engineering' }, grant: [{ system: 'sandbox', entitlements: ['group:engineering'] }] },
    { when: { department: 'Sales' }, grant: [{ system: 'sandbox', entitlements: ['group:sales'] }] },
  ],
};
