import { callWorkday, child, children, idOf, wdElement, WorkdayClientError, xmlEscape, type SoapEndpoint, type XmlNode } from './soap';
import { ianaTimeZone, parseResponseResults, parseWorkers, type WorkdayWorker } from './worker';

export { WorkdayClientError, type WorkdayClientErrorCode } from './soap';

/**
 * Reads workers from Workday's Human_Resources service (SOAP, Get_Workers) as the integration
 * system user, with WS-Security UsernameToken. One HTTP request per call, plus one Get_Locations
 * per location not seen before when time zones are resolved. Errors are WorkdayClientErrors
 * (see ./soap); a worker Workday does not know is undefined, not an error.
 */
export interface WorkdayClientOptions {
  /** The Human_Resources service URL with its version, e.g. .../ccx/service/acme/Human_Resources/v43.0. */
  apiUrl: string;
  /** The integration system user, as Workday expects it (often user@tenant). */
  username: string;
  password: string;
  /** Per request, connect to last byte. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Workers per page for changedWorkers (Workday allows 1-999). */
  pageSize?: number;
  /** Look up each location's time zone with Get_Locations (default true). */
  resolveTimeZones?: boolean;
}

export interface WorkdayAsOf {
  /** Response_Filter/As_Of_Effective_Date (YYYY-MM-DD): the data effective on that date. */
  effective?: string;
  /** Response_Filter/As_Of_Entry_DateTime (ISO-8601 with zone): the data as entered by then. */
  entryMoment?: string;
}

export interface ChangedWorkersPage {
  workers: WorkdayWorker[];
  page: number;
  totalPages: number;
  totalResults: number;
}

/**
 * What Get_Workers is asked to include, in the order Worker_Response_GroupType declares.
 * Include_Personal_Information brings Personal_Data: the legal name, Contact_Data (work email)
 * and Identification_Data, whose Custom IDs hold the HR fields of identity.hrFields.
 */
const responseGroup = [
  'Include_Reference',
  'Include_Personal_Information',
  'Include_Employment_Information',
  'Include_Organizations',
  'Exclude_Organization_Support_Role_Data',
  'Exclude_Location_Hierarchies',
  'Exclude_Cost_Center_Hierarchies',
  'Exclude_Company_Hierarchies',
  'Exclude_Matrix_Organizations',
  'Exclude_Pay_Groups',
  'Exclude_Regions',
  'Exclude_Region_Hierarchies',
  'Include_Management_Chain_Data',
  'Include_Transaction_Log_Data',
]
  .map((name) => wdElement(name, true))
  .join('');

const wrap = (name: string, inner: string) => (inner ? `<wd:${name}>${inner}</wd:${name}>` : '');
const datePattern = /^\d{4}-\d{2}-\d{2}$/;
const momentPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export class WorkdayClient {
  private readonly endpoint: SoapEndpoint;
  private readonly version: string | undefined;
  private readonly pageSize: number;
  private readonly resolveTimeZones: boolean;
  private readonly zones = new Map<string, Promise<string | undefined>>();

  constructor(options: WorkdayClientOptions) {
    const url = new URL(options.apiUrl);
    this.endpoint = {
      url: url.toString().replace(/\/+$/, ''),
      username: options.username,
      password: options.password,
      timeoutMs: options.timeoutMs ?? 30_000,
      fetch: options.fetch ?? fetch,
    };
    // The version in the URL (…/Human_Resources/v43.0) is also stated on every request element.
    this.version = /\/(v\d+(?:\.\d+)?)\/*$/.exec(url.pathname)?.[1];
    this.pageSize = Math.min(999, Math.max(1, Math.floor(options.pageSize ?? 100)));
    this.resolveTimeZones = options.resolveTimeZones ?? true;
  }

  /**
   * One worker by its Employee_ID (or, failing that, Contingent_Worker_ID), with personal,
   * employment, organization, management chain and transaction log data. undefined when
   * Workday answers that no worker has that ID.
   */
  async getWorker(workerId: string, asOf: WorkdayAsOf = {}): Promise<WorkdayWorker | undefined> {
    if (asOf.effective !== undefined && !datePattern.test(asOf.effective)) throw new RangeError('asOf.effective must be YYYY-MM-DD');
    if (asOf.entryMoment !== undefined && !momentPattern.test(asOf.entryMoment)) {
      throw new RangeError('asOf.entryMoment must be an ISO-8601 date-time with a zone');
    }
    for (const type of ['Employee_ID', 'Contingent_Worker_ID'] as const) {
      const request =
        `<wd:Get_Workers_Request${this.versionAttribute()}>` +
        '<wd:Request_References wd:Skip_Non_Existing_Instances="false">' +
        `<wd:Worker_Reference><wd:ID wd:type="${type}">${xmlEscape(workerId)}</wd:ID></wd:Worker_Reference>` +
        '</wd:Request_References>' +
        wrap('Response_Filter', wdElement('As_Of_Effective_Date', asOf.effective) + wdElement('As_Of_Entry_DateTime', asOf.entryMoment)) +
        `<wd:Response_Group>${responseGroup}</wd:Response_Group>` +
        '</wd:Get_Workers_Request>';
      let response: XmlNode;
      try {
        response = await callWorkday(this.endpoint, 'Get_Workers', request);
      } catch (err) {
        if (err instanceof WorkdayClientError && err.code === 'workday_not_found') continue;
        throw err;
      }
      const [worker] = parseWorkers(response);
      if (worker) return this.withTimeZone(worker);
    }
    return undefined;
  }

  /**
   * Workers with a transaction entered in the window (Transaction_Log_Criteria_Data/
   * Transaction_Date_Range_Data/Updated_From..Updated_Through), one page at a time. The data is
   * read as entered by `through` (As_Of_Entry_DateTime), so pages stay consistent while HR works.
   */
  async changedWorkers(window: { from: string; through: string }, page = 1): Promise<ChangedWorkersPage> {
    if (!momentPattern.test(window.from) || !momentPattern.test(window.through)) {
      throw new RangeError('window.from and window.through must be ISO-8601 date-times with a zone');
    }
    if (Date.parse(window.from) > Date.parse(window.through)) throw new RangeError('window.from must not be after window.through');
    if (!Number.isInteger(page) || page < 1) throw new RangeError('page must be a positive integer');
    const request =
      `<wd:Get_Workers_Request${this.versionAttribute()}>` +
      '<wd:Request_Criteria><wd:Transaction_Log_Criteria_Data><wd:Transaction_Date_Range_Data>' +
      `${wdElement('Updated_From', window.from)}${wdElement('Updated_Through', window.through)}` +
      '</wd:Transaction_Date_Range_Data></wd:Transaction_Log_Criteria_Data></wd:Request_Criteria>' +
      `<wd:Response_Filter>${wdElement('As_Of_Entry_DateTime', window.through)}${wdElement('Page', page)}${wdElement('Count', this.pageSize)}</wd:Response_Filter>` +
      `<wd:Response_Group>${responseGroup}</wd:Response_Group>` +
      '</wd:Get_Workers_Request>';
    const response = await callWorkday(this.endpoint, 'Get_Workers', request);
    const results = parseResponseResults(response);
    const workers = await Promise.all(parseWorkers(response).map((worker) => this.withTimeZone(worker)));
    return { workers, page: results.page, totalPages: results.totalPages, totalResults: results.totalResults };
  }

  private versionAttribute(): string {
    return this.version ? ` wd:version="${xmlEscape(this.version)}"` : '';
  }

  private async withTimeZone(worker: WorkdayWorker): Promise<WorkdayWorker> {
    if (!this.resolveTimeZones || !worker.locationRef || worker.timeZone) return worker;
    const zone = await this.locationTimeZone(worker.locationRef);
    return zone ? { ...worker, timeZone: zone } : worker;
  }

  /**
   * Get_Locations for one location, remembered for the client's life. A refusal (the user may
   * lack the location domain) or an unknown location leaves the zone unknown; an outage is
   * thrown so that the caller retries, and not remembered.
   */
  private locationTimeZone(ref: { type: string; id: string }): Promise<string | undefined> {
    const key = `${ref.type}:${ref.id}`;
    let pending = this.zones.get(key);
    if (!pending) {
      const request =
        `<wd:Get_Locations_Request${this.versionAttribute()}>` +
        '<wd:Request_References wd:Skip_Non_Existing_Instances="true">' +
        `<wd:Location_Reference><wd:ID wd:type="${xmlEscape(ref.type)}">${xmlEscape(ref.id)}</wd:ID></wd:Location_Reference>` +
        '</wd:Request_References>' +
        `<wd:Response_Group>${wdElement('Include_Reference', true)}${wdElement('Include_Location_Data', true)}</wd:Response_Group>` +
        '</wd:Get_Locations_Request>';
      pending = callWorkday(this.endpoint, 'Get_Locations', request).then(
        (response) => {
          const location = children(child(response, 'Response_Data'), 'Location')[0];
          return ianaTimeZone(idOf(child(location, 'Location_Data', 'Time_Zone_Reference'), 'Time_Zone_ID'));
        },
        (err: unknown) => {
          if (err instanceof WorkdayClientError && !err.retryable) return undefined;
          this.zones.delete(key);
          throw err;
        },
      );
      this.zones.set(key, pending);
    }
    return pending;
  }
}
