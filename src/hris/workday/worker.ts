import { attr, child, children, idOf, isTrue, textOf, type XmlNode } from './soap';

/**
 * A worker as Get_Workers (Human_Resources, v30 and later) reports it, reduced to what the
 * engine uses. Element paths, relative to wd:Worker (all in urn:com.workday/bsvc):
 *
 *  workerId, workerType  Worker_Reference/ID[@type='Employee_ID'] (employee) or
 *                        ID[@type='Contingent_Worker_ID'] (contingent); else Worker_Data/Worker_ID
 *  wid                   Worker_Reference/ID[@type='WID']
 *  firstName, lastName   Worker_Data/Personal_Data/Name_Data/Legal_Name_Data/Name_Detail_Data/
 *                        First_Name, Last_Name (the legal name, which Workday always holds)
 *  workEmail             Worker_Data/Personal_Data/Contact_Data/Email_Address_Data/Email_Address
 *                        whose Usage_Data/Type_Data/Type_Reference/ID[@type='Communication_Usage_Type_ID']
 *                        is WORK; the one whose Type_Data/@Primary is true wins
 *  (primary job)         Worker_Data/Employment_Data/Worker_Job_Data[@Primary_Job=1] (else the first)
 *  jobTitle              <job>/Position_Data/Business_Title, else
 *                        <job>/Position_Data/Job_Profile_Summary_Data/Job_Profile_Name
 *  location, locationRef <job>/Position_Data/Business_Site_Summary_Data/Name (else the
 *                        Location_Reference/@Descriptor) and Location_Reference/ID (Location_ID, else WID)
 *  employmentType        <job>/Position_Data/Worker_Type_Reference: @Descriptor, else the
 *                        Employee_Type_ID / Contingent_Worker_Type_ID (e.g. Regular, Temporary, Contractor);
 *                        the worker type says more about access than full/part time does
 *  department            name of the SUPERVISORY organization: <job>/Position_Organizations_Data/
 *                        Position_Organization_Data, else Worker_Data/Organization_Data/
 *                        Worker_Organization_Data; the type is Organization_Data/Organization_Type_Reference/
 *                        ID[@type='Organization_Type_ID'], the name Organization_Data/Organization_Name
 *  division              name of the COMPANY organization (the legal entity), found the same way;
 *                        cost centers are accounting, not a line of business
 *  managerId             Worker_Data/Management_Chain_Data/Worker_Supervisory_Management_Chain_Data/
 *                        Management_Chain_Data (top of the company down, so the last is the nearest)/
 *                        Manager_Reference/ID[@type='Employee_ID' or 'Contingent_Worker_ID'],
 *                        skipping the worker themself (a manager's own organization lists them)
 *  active, hireDate, terminationDate, rehire, terminationInvoluntary
 *                        Worker_Data/Employment_Data/Worker_Status_Data/Active, Hire_Date,
 *                        Termination_Date, Rehire, Termination_Involuntary
 *  customIds             Worker_Data/Personal_Data/Identification_Data/Custom_ID/Custom_ID_Data:
 *                        ID (the value) by ID_Type_Reference/ID[@type='Custom_ID_Type_ID'] (e.g.
 *                        GitHub_Username); the first of a type wins, blank values are left out
 *  transactions          Worker_Data/Transaction_Log_Entry_Data/Transaction_Log_Entry: see below
 *
 * timeZone is not part of Get_Workers (Location_Summary_Data has none); the client fills it from
 * Get_Locations (Location_Data/Time_Zone_Reference/ID[@type='Time_Zone_ID']) when that is an
 * IANA zone. Dates are cut to YYYY-MM-DD: Workday writes xsd:date with a zone (2026-03-16-08:00).
 */
export interface WorkdayWorker {
  workerId: string;
  wid?: string;
  workerType: 'employee' | 'contingent';
  firstName?: string;
  lastName?: string;
  workEmail?: string;
  jobTitle?: string;
  department?: string;
  division?: string;
  location?: string;
  /** The location's reference, for looking up its time zone. */
  locationRef?: { type: 'Location_ID' | 'WID'; id: string };
  /** IANA zone of the worker's location, when Workday gives one. */
  timeZone?: string;
  employmentType?: string;
  managerId?: string;
  active: boolean;
  hireDate?: string;
  terminationDate?: string;
  /** Workday's flag that the most recent hire was a rehire. */
  rehire?: boolean;
  /** Workday's flag that the most recent termination was involuntary. */
  terminationInvoluntary?: boolean;
  /** The worker's custom identifiers by Custom_ID_Type_ID (the source of identity.hrFields' workday types). */
  customIds: Record<string, string>;
  transactions: WorkdayTransaction[];
  /**
   * Whether Workday sent the transaction log at all (Transaction_Log_Entry_Data present, if
   * empty). It leaves the element out when the integration user may not see the log.
   */
  transactionLogIncluded?: boolean;
}

/**
 * One Transaction_Log_Entry:
 *  wid              Transaction_Log_Reference/ID[@type='WID'] (lower case)
 *  type             Transaction_Log_Data/Transaction_Log_Type_Reference/ID[@type='Business_Process_Type']
 *                   (e.g. "Hire Employee"), else its @Descriptor
 *  effectiveMoment  Transaction_Log_Data/Transaction_Effective_Moment
 *  enteredMoment    Transaction_Log_Data/Transaction_Entry_Moment
 *  rescinded        Transaction_Log_Data/Is_Rescind_Or_Rescinded (the rescinded event, or the rescind itself)
 *  corrected        Transaction_Log_Data/Is_Correction_Or_Corrected (likewise)
 */
export interface WorkdayTransaction {
  wid: string;
  type: string;
  effectiveMoment?: string;
  enteredMoment?: string;
  rescinded: boolean;
  corrected: boolean;
}

/** Every worker of a Get_Workers_Response (Response_Data/Worker); unusable entries are skipped. */
export function parseWorkers(response: XmlNode): WorkdayWorker[] {
  return children(child(response, 'Response_Data'), 'Worker')
    .map(parseWorker)
    .filter((w): w is WorkdayWorker => w !== undefined);
}

export interface ResponseResults {
  totalResults: number;
  totalPages: number;
  pageResults: number;
  page: number;
}

/** Response_Results: Total_Results, Total_Pages, Page_Results, Page (sent as decimals, e.g. "17.0"). */
export function parseResponseResults(response: XmlNode): ResponseResults {
  const results = child(response, 'Response_Results');
  const count = (name: string, fallback: number) => {
    const value = Number(textOf(child(results, name)));
    return Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
  };
  const pageResults = count('Page_Results', children(child(response, 'Response_Data'), 'Worker').length);
  return { totalResults: count('Total_Results', pageResults), totalPages: count('Total_Pages', 1), pageResults, page: count('Page', 1) };
}

export function parseWorker(node: XmlNode): WorkdayWorker | undefined {
  const reference = child(node, 'Worker_Reference');
  const data = child(node, 'Worker_Data');
  const employment = child(data, 'Employment_Data');
  const job = primaryJob(employment);
  const position = child(job, 'Position_Data');
  const workerTypeRef = child(position, 'Worker_Type_Reference');

  const employeeId = idOf(reference, 'Employee_ID');
  const contingentId = idOf(reference, 'Contingent_Worker_ID');
  const workerId = employeeId ?? contingentId ?? textOf(child(data, 'Worker_ID'));
  if (!workerId) return undefined;
  const contingent = contingentId !== undefined || (!employeeId && idOf(workerTypeRef, 'Contingent_Worker_Type_ID') !== undefined);
  const wid = idOf(reference, 'WID')?.toLowerCase();

  const name = child(data, 'Personal_Data', 'Name_Data', 'Legal_Name_Data', 'Name_Detail_Data');
  const status = child(employment, 'Worker_Status_Data');
  const site = child(position, 'Business_Site_Summary_Data');
  const locationReference = child(site, 'Location_Reference');
  const locationId = idOf(locationReference, 'Location_ID');
  const locationWid = idOf(locationReference, 'WID');
  const flag = (element: string) => {
    const text = textOf(child(status, element));
    return text === undefined ? undefined : isTrue(text);
  };

  const worker: WorkdayWorker = {
    workerId,
    workerType: contingent ? 'contingent' : 'employee',
    active: isTrue(textOf(child(status, 'Active'))),
    customIds: customIdsOf(child(data, 'Personal_Data', 'Identification_Data')),
    transactions: transactionsOf(data),
    transactionLogIncluded: child(data, 'Transaction_Log_Entry_Data') !== undefined,
  };
  const put = <K extends keyof WorkdayWorker>(key: K, value: WorkdayWorker[K] | undefined) => {
    if (value !== undefined) worker[key] = value;
  };
  put('wid', wid);
  put('firstName', textOf(child(name, 'First_Name')));
  put('lastName', textOf(child(name, 'Last_Name')));
  put('workEmail', workEmailOf(child(data, 'Personal_Data', 'Contact_Data')));
  put('jobTitle', textOf(child(position, 'Business_Title')) ?? textOf(child(position, 'Job_Profile_Summary_Data', 'Job_Profile_Name')));
  put('department', organizationName(data, job, 'SUPERVISORY'));
  put('division', organizationName(data, job, 'COMPANY'));
  put('location', textOf(child(site, 'Name')) ?? attr(locationReference, 'Descriptor'));
  put('locationRef', locationId ? { type: 'Location_ID', id: locationId } : locationWid ? { type: 'WID', id: locationWid } : undefined);
  put(
    'employmentType',
    attr(workerTypeRef, 'Descriptor') ?? idOf(workerTypeRef, 'Employee_Type_ID') ?? idOf(workerTypeRef, 'Contingent_Worker_Type_ID'),
  );
  put('managerId', managerIdOf(data, new Set([workerId.toLowerCase(), ...(wid ? [wid] : [])])));
  put('hireDate', workdayDate(textOf(child(status, 'Hire_Date'))));
  put('terminationDate', workdayDate(textOf(child(status, 'Termination_Date'))));
  put('rehire', flag('Rehire'));
  put('terminationInvoluntary', flag('Termination_Involuntary'));
  return worker;
}

function primaryJob(employment: XmlNode | undefined): XmlNode | undefined {
  const jobs = children(employment, 'Worker_Job_Data');
  return jobs.find((job) => isTrue(attr(job, 'Primary_Job'))) ?? jobs[0];
}

function workEmailOf(contact: XmlNode | undefined): string | undefined {
  let fallback: string | undefined;
  for (const email of children(contact, 'Email_Address_Data')) {
    const address = textOf(child(email, 'Email_Address'));
    if (!address) continue;
    for (const usage of children(email, 'Usage_Data')) {
      for (const type of children(usage, 'Type_Data')) {
        if (idOf(child(type, 'Type_Reference'), 'Communication_Usage_Type_ID')?.toUpperCase() !== 'WORK') continue;
        if (isTrue(attr(type, 'Primary'))) return address;
        fallback ??= address;
      }
    }
  }
  return fallback;
}

const foldType = (value: string | undefined) => value?.toUpperCase().replace(/[^A-Z]/g, '');

function organizationName(data: XmlNode | undefined, job: XmlNode | undefined, typeId: 'SUPERVISORY' | 'COMPANY'): string | undefined {
  const memberships = [
    ...children(child(job, 'Position_Organizations_Data'), 'Position_Organization_Data'),
    ...children(child(data, 'Organization_Data'), 'Worker_Organization_Data'),
  ];
  for (const membership of memberships) {
    const organization = child(membership, 'Organization_Data');
    const type = child(organization, 'Organization_Type_Reference');
    if (foldType(idOf(type, 'Organization_Type_ID') ?? attr(type, 'Descriptor')) !== typeId) continue;
    const name = textOf(child(organization, 'Organization_Name')) ?? attr(child(membership, 'Organization_Reference'), 'Descriptor');
    if (name) return name;
  }
  return undefined;
}

function managerIdOf(data: XmlNode | undefined, self: ReadonlySet<string>): string | undefined {
  const chain = children(child(data, 'Management_Chain_Data', 'Worker_Supervisory_Management_Chain_Data'), 'Management_Chain_Data');
  for (const level of [...chain].reverse()) {
    const managers = [...children(level, 'Manager_Reference'), ...children(level, 'Manager').map((m) => child(m, 'Worker_Reference'))];
    for (const manager of managers) {
      const ids = [idOf(manager, 'Employee_ID'), idOf(manager, 'Contingent_Worker_ID'), idOf(manager, 'WID')];
      if (ids.some((id) => id !== undefined && self.has(id.toLowerCase()))) continue;
      const id = ids[0] ?? ids[1];
      if (id) return id;
    }
  }
  return undefined;
}

function customIdsOf(identification: XmlNode | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const custom of children(identification, 'Custom_ID')) {
    const data = child(custom, 'Custom_ID_Data');
    const type = idOf(child(data, 'ID_Type_Reference'), 'Custom_ID_Type_ID');
    const value = textOf(child(data, 'ID'));
    if (type && value && !(type in out)) out[type] = value;
  }
  return out;
}

function transactionsOf(data: XmlNode | undefined): WorkdayTransaction[] {
  const out: WorkdayTransaction[] = [];
  for (const entry of children(child(data, 'Transaction_Log_Entry_Data'), 'Transaction_Log_Entry')) {
    const wid = idOf(child(entry, 'Transaction_Log_Reference'), 'WID')?.toLowerCase();
    const log = child(entry, 'Transaction_Log_Data');
    const types = children(log, 'Transaction_Log_Type_Reference');
    const type =
      types.map((t) => idOf(t, 'Business_Process_Type')).find((t) => t !== undefined) ??
      types.map((t) => attr(t, 'Descriptor')).find((t) => t !== undefined);
    if (!wid || !type) continue;
    const transaction: WorkdayTransaction = {
      wid,
      type,
      rescinded: isTrue(textOf(child(log, 'Is_Rescind_Or_Rescinded'))),
      corrected: isTrue(textOf(child(log, 'Is_Correction_Or_Corrected'))),
    };
    const effective = textOf(child(log, 'Transaction_Effective_Moment'));
    const entered = textOf(child(log, 'Transaction_Entry_Moment'));
    if (effective) transaction.effectiveMoment = effective;
    if (entered) transaction.enteredMoment = entered;
    out.push(transaction);
  }
  return out;
}

/** YYYY-MM-DD of an xsd:date or dateTime as written (any zone suffix is dropped), if a real date. */
export function workdayDate(value: string | undefined): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? match[0] : undefined;
}

/** The zone if the runtime knows it as an IANA time zone (Europe/London), else undefined. */
export function ianaTimeZone(value: string | undefined): string | undefined {
  const zone = value?.trim();
  if (!zone || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)+$|^UTC$/.test(zone)) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}
