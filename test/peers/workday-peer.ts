/**
 * A local stand-in for Workday's Human_Resources SOAP service, written from Workday's documented
 * wire format (Get_Workers and Get_Locations, WWS v30+), not from the client's parser:
 *  - POST /ccx/service/<tenant>/Human_Resources/v43.0, a SOAP 1.1 envelope whose
 *    env:Header/wsse:Security/wsse:UsernameToken carries wsse:Username and a PasswordText
 *    wsse:Password; anything else is the fault Workday sends, with HTTP 500:
 *    faultcode SOAP-ENV:Client.authenticationError, faultstring "invalid username or password";
 *  - Get_Workers by Request_References/Worker_Reference/ID (Employee_ID, Contingent_Worker_ID,
 *    WID); an unknown ID is the validation fault "Invalid ID value.  'x' is not a valid ID value
 *    for type = 'Employee_ID'" (SOAP-ENV:Client.validationError, detail wd:Validation_Fault);
 *  - Get_Workers by Request_Criteria/Transaction_Log_Criteria_Data/Transaction_Date_Range_Data/
 *    Updated_From..Updated_Through (a worker with a transaction entered in the window), paged by
 *    Response_Filter/Page and Count, answered with Response_Results;
 *  - Response_Filter/As_Of_Effective_Date picks the worker version effective on that date;
 *  - Response_Group flags decide which Worker_Data sections are sent;
 *  - Personal_Data/Identification_Data/Custom_ID (Custom_ID_Reference, Custom_ID_Data with ID and
 *    ID_Type_Reference/ID[@type='Custom_ID_Type_ID'], Custom_ID_Shared_Reference) for a worker's
 *    custom identifiers, between Name_Data and Contact_Data as Personal_Information_DataType orders them;
 *  - Get_Locations by Location_Reference/ID, with Location_Data/Time_Zone_Reference.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';

export interface WorkdayPeerTransaction {
  wid: string;
  /** Business process type, e.g. "Hire Employee". */
  type: string;
  effectiveMoment?: string;
  enteredMoment: string;
  rescinded?: boolean;
  corrected?: boolean;
}

/** A worker, named like the client's WorkdayWorker, plus what only the peer needs. */
export interface WorkdayPeerWorker {
  workerId: string;
  wid?: string;
  workerType?: 'employee' | 'contingent';
  firstName?: string;
  lastName?: string;
  workEmail?: string;
  homeEmail?: string;
  /** Sent as Position_Data/Business_Title. */
  jobTitle?: string;
  jobProfileName?: string;
  /** Name of the SUPERVISORY organization. */
  department?: string;
  /** Name of the COMPANY organization. */
  division?: string;
  costCenter?: string;
  location?: string;
  locationId?: string;
  /** Served by Get_Locations as the location's Time_Zone_ID. */
  timeZone?: string;
  /** Worker_Type_Reference descriptor and ID, e.g. Regular / Contractor. */
  employmentType?: string;
  managerId?: string;
  /** Employee_IDs from the top of the company down; defaults to [managerId]. */
  managementChain?: string[];
  active?: boolean;
  hireDate?: string;
  terminationDate?: string;
  rehire?: boolean;
  terminationInvoluntary?: boolean;
  /** Custom identifiers by Custom_ID_Type_ID, e.g. { GitHub_Username: 'ada-gh' }. */
  customIds?: Record<string, string>;
  transactions?: WorkdayPeerTransaction[];
}

export interface WorkdayPeerRequest {
  path: string;
  operation?: string;
  authorized: boolean;
  contentType: string;
  soapAction?: string;
  /** The raw request, for asserting on the wire (it contains the password). */
  body: string;
  status: number;
}

export interface WorkdayPeerOptions {
  username: string;
  password: string;
  tenant?: string;
}

export interface WorkdayPeer {
  /** The service URL, as WORKDAY_API_URL takes it. */
  url: string;
  /** Stores a worker; with effectiveFrom (YYYY-MM-DD) it adds a version effective from that date. */
  setWorker(worker: WorkdayPeerWorker, options?: { effectiveFrom?: string }): void;
  removeWorker(workerId: string): void;
  /** Answer every request with this HTTP status until cleared (undefined). */
  failWith(status: number | undefined): void;
  requests(): WorkdayPeerRequest[];
  close(): Promise<void>;
}

const soapNs = 'http://schemas.xmlsoap.org/soap/envelope/';
const wdNs = 'urn:com.workday/bsvc';
const passwordText = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  isArray: (name) => ['ID', 'Worker_Reference', 'Location_Reference'].includes(name),
});

type Node = Record<string, unknown> | string | undefined;
const get = (node: Node, ...path: string[]): Node => path.reduce<Node>((n, k) => (n && typeof n === 'object' ? (n[k] as Node) : undefined), node);
const text = (node: Node): string | undefined => {
  const value = typeof node === 'object' ? node['#text'] : node;
  return value === undefined ? undefined : String(value).trim();
};
const yes = (node: Node) => ['1', 'true'].includes(text(node)?.toLowerCase() ?? '');

const esc = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const el = (name: string, value: string | number | boolean | undefined, attrs = '') =>
  value === undefined ? '' : `<wd:${name}${attrs}>${typeof value === 'boolean' ? (value ? '1' : '0') : esc(String(value))}</wd:${name}>`;
const ref = (name: string, descriptor: string | undefined, ids: [string, string | undefined][]) =>
  `<wd:${name}${descriptor ? ` wd:Descriptor="${esc(descriptor)}"` : ''}>${ids
    .filter(([, v]) => v !== undefined)
    .map(([type, v]) => `<wd:ID wd:type="${type}">${esc(v!)}</wd:ID>`)
    .join('')}</wd:${name}>`;
const wid = (seed: string) => Buffer.from(seed.padEnd(16, '.')).toString('hex').slice(0, 32).padEnd(32, '0');
/** Workday writes xsd:date with the tenant's offset. */
const wdDate = (date: string | undefined) => (date ? `${date}-08:00` : undefined);

function envelope(inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${soapNs}"><env:Body>${inner}</env:Body></env:Envelope>`;
}

function fault(code: string, message: string, detail = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="${soapNs}"><SOAP-ENV:Body>` +
    `<SOAP-ENV:Fault xmlns:SOAP-ENV="${soapNs}" xmlns:wd="${wdNs}"><faultcode>${code}</faultcode><faultstring>${esc(message)}</faultstring>${detail}</SOAP-ENV:Fault>` +
    '</SOAP-ENV:Body></SOAP-ENV:Envelope>'
  );
}

function invalidId(value: string, type: string, xpath: string): string {
  const message = `Invalid ID value.  '${value}' is not a valid ID value for type = '${type}'`;
  const detail =
    `<detail><wd:Validation_Fault><wd:Validation_Error><wd:Message>${esc(message)}</wd:Message>` +
    `<wd:Detail_Message>${esc(message)}</wd:Detail_Message><wd:Xpath>${xpath}</wd:Xpath></wd:Validation_Error></wd:Validation_Fault></detail>`;
  return fault('SOAP-ENV:Client.validationError', `Validation error occurred. ${message}`, detail);
}

/** Identification_Data with one Custom_ID per custom identifier (none without any). */
function identificationXml(w: WorkdayPeerWorker): string {
  const ids = Object.entries(w.customIds ?? {});
  if (ids.length === 0) return '';
  const customIds = ids.map(([type, value]) => {
    const descriptor = type.replace(/_/g, ' ');
    return (
      `<wd:Custom_ID>${ref('Custom_ID_Reference', `${descriptor} ${value}`, [['WID', wid(`cid${w.workerId}${type}`)], ['Custom_Identifier_Reference_ID', `CUSTOM_ID-${w.workerId}-${type}`]])}` +
      `<wd:Custom_ID_Data>${el('ID', value)}${ref('ID_Type_Reference', descriptor, [['WID', wid(`cidtype${type}`)], ['Custom_ID_Type_ID', type]])}</wd:Custom_ID_Data>` +
      `${ref('Custom_ID_Shared_Reference', `${descriptor} ${value}`, [['WID', wid(`cidshared${w.workerId}${type}`)]])}</wd:Custom_ID>`
    );
  });
  return `<wd:Identification_Data>${customIds.join('')}</wd:Identification_Data>`;
}

function workerXml(w: WorkdayPeerWorker, group: Node): string {
  const include = (flag: string) => yes(get(group, flag));
  const contingent = w.workerType === 'contingent';
  const name = [w.firstName, w.lastName].filter(Boolean).join(' ') || w.workerId;
  const idType = contingent ? 'Contingent_Worker_ID' : 'Employee_ID';
  const parts: string[] = [el('Worker_ID', w.workerId)];
  if (include('Include_Personal_Information')) {
    const email = (address: string | undefined, usage: 'WORK' | 'HOME', isPublic: boolean) =>
      address === undefined
        ? ''
        : `<wd:Email_Address_Data>${el('Email_Address', address)}<wd:Usage_Data wd:Public="${isPublic ? 1 : 0}"><wd:Type_Data wd:Primary="1">` +
          `${ref('Type_Reference', usage === 'WORK' ? 'Work' : 'Home', [['WID', wid(usage)], ['Communication_Usage_Type_ID', usage]])}</wd:Type_Data></wd:Usage_Data></wd:Email_Address_Data>`;
    parts.push(
      '<wd:Personal_Data><wd:Name_Data><wd:Legal_Name_Data>' +
        `<wd:Name_Detail_Data wd:Formatted_Name="${esc(name)}" wd:Reporting_Name="${esc(name)}">${el('First_Name', w.firstName)}${el('Last_Name', w.lastName)}</wd:Name_Detail_Data>` +
        '</wd:Legal_Name_Data></wd:Name_Data>' +
        identificationXml(w) +
        `<wd:Contact_Data>${email(w.homeEmail, 'HOME', false)}${email(w.workEmail, 'WORK', true)}</wd:Contact_Data></wd:Personal_Data>`,
    );
  }
  if (include('Include_Employment_Information')) {
    const typeId = w.employmentType?.replace(/\s+/g, '_');
    parts.push(
      '<wd:Employment_Data><wd:Worker_Job_Data wd:Primary_Job="1">' +
        `<wd:Position_Data wd:Effective_Date="${w.hireDate ?? '2020-01-01'}">` +
        `${el('Position_ID', `P-${w.workerId}`)}${el('Position_Title', w.jobTitle)}${el('Business_Title', w.jobTitle)}${el('Start_Date', wdDate(w.hireDate))}` +
        (w.employmentType ? ref('Worker_Type_Reference', w.employmentType, [['WID', wid(w.employmentType)], [contingent ? 'Contingent_Worker_Type_ID' : 'Employee_Type_ID', typeId]]) : '') +
        ref('Position_Time_Type_Reference', 'Full time', [['Position_Time_Type_ID', 'Full_time']]) +
        (w.jobProfileName ? `<wd:Job_Profile_Summary_Data>${ref('Job_Profile_Reference', w.jobProfileName, [['Job_Profile_ID', w.jobProfileName]])}${el('Job_Profile_Name', w.jobProfileName)}</wd:Job_Profile_Summary_Data>` : '') +
        (w.location || w.locationId
          ? `<wd:Business_Site_Summary_Data>${ref('Location_Reference', w.location, [['WID', wid(w.locationId ?? w.location!)], ['Location_ID', w.locationId]])}${el('Name', w.location)}</wd:Business_Site_Summary_Data>`
          : '') +
        '</wd:Position_Data></wd:Worker_Job_Data>' +
        `<wd:Worker_Status_Data>${el('Active', w.active ?? true)}${el('Hire_Date', wdDate(w.hireDate))}${el('Terminated', w.terminationDate !== undefined && !(w.active ?? true))}` +
        `${el('Termination_Date', wdDate(w.terminationDate))}${el('Termination_Involuntary', w.terminationInvoluntary)}${el('Rehire', w.rehire)}</wd:Worker_Status_Data>` +
        '</wd:Employment_Data>',
    );
  }
  if (include('Include_Organizations')) {
    const org = (orgName: string | undefined, typeId: string, typeName: string) =>
      orgName === undefined
        ? ''
        : `<wd:Worker_Organization_Data>${ref('Organization_Reference', orgName, [['WID', wid(orgName)], ['Organization_Reference_ID', `${typeId}-${orgName}`]])}` +
          `<wd:Organization_Data>${el('Organization_Reference_ID', `${typeId}-${orgName}`)}${el('Organization_Name', orgName)}` +
          `${ref('Organization_Type_Reference', typeName, [['WID', wid(typeId)], ['Organization_Type_ID', typeId]])}</wd:Organization_Data></wd:Worker_Organization_Data>`;
    parts.push(`<wd:Organization_Data>${org(w.costCenter, 'COST_CENTER', 'Cost Center')}${org(w.division, 'COMPANY', 'Company')}${org(w.department, 'SUPERVISORY', 'Supervisory')}</wd:Organization_Data>`);
  }
  if (include('Include_Management_Chain_Data')) {
    const chain = w.managementChain ?? (w.managerId ? [w.managerId] : []);
    parts.push(
      '<wd:Management_Chain_Data><wd:Worker_Supervisory_Management_Chain_Data>' +
        chain
          .map((manager, i) => `<wd:Management_Chain_Data>${ref('Organization_Reference', `Level ${i + 1}`, [['WID', wid(`org${i}`)]])}${ref('Manager_Reference', `Manager ${manager}`, [['WID', wid(`mgr${manager}`)], ['Employee_ID', manager]])}</wd:Management_Chain_Data>`)
          .join('') +
        '</wd:Worker_Supervisory_Management_Chain_Data></wd:Management_Chain_Data>',
    );
  }
  if (include('Include_Transaction_Log_Data')) {
    parts.push(
      '<wd:Transaction_Log_Entry_Data>' +
        (w.transactions ?? [])
          .map(
            (t) =>
              `<wd:Transaction_Log_Entry>${ref('Transaction_Log_Reference', `${t.type}: ${name}`, [['WID', t.wid]])}<wd:Transaction_Log_Data>` +
              `${el('Transaction_Log_Description', `${t.type}: ${name}`)}${el('Transaction_Effective_Moment', t.effectiveMoment)}${el('Transaction_Entry_Moment', t.enteredMoment)}` +
              `${ref('Transaction_Log_Type_Reference', t.type, [['WID', wid(t.type)], ['Business_Process_Type', t.type]])}` +
              `${el('Is_Rescind_Or_Rescinded', t.rescinded ?? false)}${el('Is_Correction_Or_Corrected', t.corrected ?? false)}</wd:Transaction_Log_Data></wd:Transaction_Log_Entry>`,
          )
          .join('') +
        '</wd:Transaction_Log_Entry_Data>',
    );
  }
  const reference = include('Include_Reference') ? ref('Worker_Reference', name, [['WID', w.wid], [idType, w.workerId]]) : '';
  return `<wd:Worker>${reference}${el('Worker_Descriptor', name)}<wd:Worker_Data>${parts.join('')}</wd:Worker_Data></wd:Worker>`;
}

export async function start(options: WorkdayPeerOptions): Promise<WorkdayPeer> {
  const tenant = options.tenant ?? 'acme';
  const path = `/ccx/service/${tenant}/Human_Resources/v43.0`;
  const versions = new Map<string, { from: string; worker: WorkdayPeerWorker }[]>();
  const seen: WorkdayPeerRequest[] = [];
  let failure: number | undefined;

  const asOf = (workerId: string, date: string): WorkdayPeerWorker | undefined => {
    const list = versions.get(workerId) ?? [];
    return [...list].reverse().find((v) => v.from <= date)?.worker ?? list[0]?.worker;
  };

  const getWorkers = (request: Node): [number, string] => {
    const filter = get(request, 'Response_Filter');
    const group = get(request, 'Response_Group');
    const effective = text(get(filter, 'As_Of_Effective_Date'))?.slice(0, 10) ?? new Date().toISOString().slice(0, 10);
    const references = (get(request, 'Request_References', 'Worker_Reference') as Node[] | undefined) ?? [];
    let matched: WorkdayPeerWorker[];
    let page = 1;
    let count = 100;
    let total: number;
    if (references.length > 0) {
      matched = [];
      for (const [i, reference] of references.entries()) {
        const ids = (get(reference, 'ID') as Node[] | undefined) ?? [];
        for (const id of ids) {
          const type = typeof id === 'object' ? String(id['@type'] ?? '') : '';
          const value = text(id) ?? '';
          const worker = [...versions.keys()]
            .map((key) => asOf(key, effective)!)
            .find((w) => (type === 'WID' ? w.wid === value : w.workerId === value && (type === 'Contingent_Worker_ID') === (w.workerType === 'contingent')));
          if (!worker) return [500, invalidId(value, type, `/ns0:Get_Workers_Request[1]/ns0:Request_References[1]/ns0:Worker_Reference[${i + 1}]/ns0:ID[1]`)];
          matched.push(worker);
        }
      }
      total = matched.length;
    } else {
      const range = get(request, 'Request_Criteria', 'Transaction_Log_Criteria_Data', 'Transaction_Date_Range_Data');
      const from = Date.parse(text(get(range, 'Updated_From')) ?? '');
      const through = Date.parse(text(get(range, 'Updated_Through')) ?? '');
      const all = [...versions.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map((key) => asOf(key, effective)!);
      const hits = Number.isNaN(from) || Number.isNaN(through)
        ? all
        : all.filter((w) => (w.transactions ?? []).some((t) => Date.parse(t.enteredMoment) >= from && Date.parse(t.enteredMoment) <= through));
      count = Math.min(999, Math.max(1, Number(text(get(filter, 'Count')) ?? 100)));
      page = Math.max(1, Number(text(get(filter, 'Page')) ?? 1));
      total = hits.length;
      matched = hits.slice((page - 1) * count, page * count);
    }
    const results =
      `<wd:Response_Results>${el('Total_Results', total)}${el('Total_Pages', Math.ceil(total / count))}` +
      `${el('Page_Results', matched.length)}${el('Page', page)}</wd:Response_Results>`;
    const echo = `<wd:Response_Filter>${el('As_Of_Effective_Date', effective)}${el('Page', page)}${el('Count', count)}</wd:Response_Filter>`;
    return [
      200,
      envelope(`<wd:Get_Workers_Response xmlns:wd="${wdNs}" wd:version="v43.0">${echo}${results}<wd:Response_Data>${matched.map((w) => workerXml(w, group)).join('')}</wd:Response_Data></wd:Get_Workers_Response>`),
    ];
  };

  const getLocations = (request: Node): [number, string] => {
    const locations = [...versions.values()].flatMap((list) => list.map((v) => v.worker)).filter((w) => w.locationId || w.location);
    const found: string[] = [];
    for (const reference of (get(request, 'Request_References', 'Location_Reference') as Node[] | undefined) ?? []) {
      for (const id of (get(reference, 'ID') as Node[] | undefined) ?? []) {
        const type = typeof id === 'object' ? String(id['@type'] ?? '') : '';
        const value = text(id) ?? '';
        const w = locations.find((l) => (type === 'WID' ? wid(l.locationId ?? l.location!) === value : l.locationId === value));
        if (!w) {
          if (yes(get(request, 'Request_References', '@Skip_Non_Existing_Instances'))) continue;
          return [500, invalidId(value, type, '/ns0:Get_Locations_Request[1]/ns0:Request_References[1]/ns0:Location_Reference[1]/ns0:ID[1]')];
        }
        const zone = w.timeZone ? ref('Time_Zone_Reference', w.timeZone, [['WID', wid(w.timeZone)], ['Time_Zone_ID', w.timeZone]]) : '';
        found.push(
          `<wd:Location>${ref('Location_Reference', w.location, [['WID', wid(w.locationId ?? w.location!)], ['Location_ID', w.locationId]])}` +
            `<wd:Location_Data>${el('Location_Name', w.location)}${zone}</wd:Location_Data></wd:Location>`,
        );
      }
    }
    const results = `<wd:Response_Results>${el('Total_Results', found.length)}${el('Total_Pages', 1)}${el('Page_Results', found.length)}${el('Page', 1)}</wd:Response_Results>`;
    return [200, envelope(`<wd:Get_Locations_Response xmlns:wd="${wdNs}" wd:version="v43.0">${results}<wd:Response_Data>${found.join('')}</wd:Response_Data></wd:Get_Locations_Response>`)];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const record: WorkdayPeerRequest = {
      path: req.url ?? '',
      authorized: false,
      contentType: req.headers['content-type'] ?? '',
      ...(req.headers.soapaction ? { soapAction: String(req.headers.soapaction) } : {}),
      body,
      status: 0,
    };
    seen.push(record);
    const answer = (status: number, xml: string, type = 'text/xml; charset=utf-8') => {
      record.status = status;
      res.writeHead(status, { 'content-type': type }).end(xml);
    };
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== path) return answer(404, 'Not Found', 'text/plain');
    if (failure !== undefined) return answer(failure, '<html><body>Service Unavailable</body></html>', 'text/html');
    let doc: Node;
    try {
      doc = parser.parse(body) as Node;
    } catch {
      return answer(500, fault('SOAP-ENV:Client', 'Unable to parse the request'));
    }
    const token = get(doc, 'Envelope', 'Header', 'Security', 'UsernameToken');
    const password = get(token, 'Password');
    record.authorized =
      text(get(token, 'Username')) === options.username &&
      text(password) === options.password &&
      typeof password === 'object' &&
      password['@Type'] === passwordText;
    if (!record.authorized) return answer(500, fault('SOAP-ENV:Client.authenticationError', 'invalid username or password'));
    const soapBody = get(doc, 'Envelope', 'Body');
    const operation = soapBody && typeof soapBody === 'object' ? Object.keys(soapBody).find((k) => k.endsWith('_Request')) : undefined;
    if (operation) record.operation = operation.replace(/_Request$/, '');
    if (operation === 'Get_Workers_Request') return answer(...getWorkers(get(soapBody, operation)));
    if (operation === 'Get_Locations_Request') return answer(...getLocations(get(soapBody, operation)));
    return answer(500, fault('SOAP-ENV:Client', `Unrecognized operation ${operation ?? '(none)'}`));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${path}`,
    setWorker: (worker, { effectiveFrom } = {}) => {
      const list = effectiveFrom ? (versions.get(worker.workerId) ?? []).filter((v) => v.from !== effectiveFrom) : [];
      list.push({ from: effectiveFrom ?? '0000-01-01', worker: structuredClone(worker) });
      list.sort((a, b) => a.from.localeCompare(b.from));
      versions.set(worker.workerId, list);
    },
    removeWorker: (workerId) => void versions.delete(workerId),
    failWith: (status) => void (failure = status),
    requests: () => [...seen],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
