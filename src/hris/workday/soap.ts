import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * SOAP 1.1 transport for Workday Web Services: builds the envelope with a WS-Security
 * UsernameToken (PasswordText, as Workday expects for an integration system user), posts it,
 * and turns the answer into either the response element of the Body or a WorkdayClientError.
 *
 * Workday answers every SOAP fault with HTTP 500 and a body such as
 *   <SOAP-ENV:Fault><faultcode>SOAP-ENV:Client.authenticationError</faultcode>
 *   <faultstring>invalid username or password</faultstring></SOAP-ENV:Fault>
 * or, for a request it cannot accept, faultcode SOAP-ENV:Client.validationError with
 * detail/wd:Validation_Fault/wd:Validation_Error/wd:Message ("Invalid ID value.  '42' is not a
 * valid ID value for type = 'Employee_ID'"). The fault, not the status, says what went wrong.
 * Error messages carry the operation and Workday's own wording, never the password.
 */

export const soapEnvelopeNamespace = 'http://schemas.xmlsoap.org/soap/envelope/';
export const workdayNamespace = 'urn:com.workday/bsvc';
const wsseNamespace = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const passwordTextType = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';

export type WorkdayClientErrorCode =
  | 'workday_unauthorized' // authentication or authorization fault, 401/403: retrying will not help
  | 'workday_not_found' // validation fault "Invalid ID value": Workday knows no such instance
  | 'workday_unavailable' // 5xx without a client fault, 429, timeouts, connection errors: retry later
  | 'workday_bad_response'; // any other refusal, or an answer that is not the SOAP Workday documents

export class WorkdayClientError extends Error {
  override readonly name = 'WorkdayClientError';
  constructor(
    readonly code: WorkdayClientErrorCode,
    message: string,
    readonly status?: number,
    /** Workday's faultcode, e.g. SOAP-ENV:Client.validationError. */
    readonly faultCode?: string,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.code === 'workday_unavailable';
  }
}

// ---- Writing XML ------------------------------------------------------------------------

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text or attribute value for XML; characters XML 1.0 cannot carry at all are dropped. */
export function xmlEscape(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '').replace(/[&<>"']/g, (c) => escapes[c]!);
}

/** <wd:name>escaped text</wd:name>, or nothing when the value is undefined. */
export function wdElement(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<wd:${name}>${xmlEscape(String(value))}</wd:${name}>`;
}

export interface SoapCredentials {
  username: string;
  password: string;
}

/** The whole request: envelope, WS-Security header and the operation's request element. */
export function soapEnvelope(credentials: SoapCredentials, requestXml: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<env:Envelope xmlns:env="${soapEnvelopeNamespace}" xmlns:wd="${workdayNamespace}">` +
    '<env:Header>' +
    `<wsse:Security xmlns:wsse="${wsseNamespace}" env:mustUnderstand="1">` +
    '<wsse:UsernameToken>' +
    `<wsse:Username>${xmlEscape(credentials.username)}</wsse:Username>` +
    `<wsse:Password Type="${passwordTextType}">${xmlEscape(credentials.password)}</wsse:Password>` +
    '</wsse:UsernameToken>' +
    '</wsse:Security>' +
    '</env:Header>' +
    `<env:Body>${requestXml}</env:Body>` +
    '</env:Envelope>'
  );
}

// ---- Reading XML ------------------------------------------------------------------------

/**
 * A parsed element: a string when it holds only text, else an object whose keys are child
 * element names (always arrays, whether the element occurs once or many times), attributes
 * as "@_name" and text as "#text". Namespace prefixes are removed, so wd:ID and ID are one.
 */
export type XmlNode = string | { [key: string]: unknown };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

/** Parses a document; undefined when it is not well-formed XML or carries a DTD (SOAP forbids one). */
export function parseXml(text: string): XmlNode | undefined {
  if (/<!DOCTYPE/i.test(text) || XMLValidator.validate(text) !== true) return undefined;
  try {
    return parser.parse(text) as XmlNode;
  } catch {
    return undefined;
  }
}

/** Child elements of that name (local name, any namespace). */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  if (node === undefined || typeof node === 'string') return [];
  const value = node[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is XmlNode => typeof v === 'string' || (typeof v === 'object' && v !== null));
}

/** The first element down a path of names. */
export function child(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let current = node;
  for (const name of path) current = children(current, name)[0];
  return current;
}

/** Trimmed text content; undefined when empty. */
export function textOf(node: XmlNode | undefined): string | undefined {
  const raw = typeof node === 'string' ? node : node?.['#text'];
  const text = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
  return text === '' ? undefined : text;
}

export function attr(node: XmlNode | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  const value = node[`@_${name}`];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The value of a reference's <wd:ID wd:type="type">, e.g. idOf(Worker_Reference, 'Employee_ID'). */
export function idOf(reference: XmlNode | undefined, type: string): string | undefined {
  for (const id of children(reference, 'ID')) if (attr(id, 'type') === type) return textOf(id);
  return undefined;
}

/** xsd:boolean as Workday writes it: "1"/"0" or "true"/"false". */
export function isTrue(value: string | undefined): boolean {
  return value === '1' || value?.toLowerCase() === 'true';
}

// ---- Faults -----------------------------------------------------------------------------

export interface SoapFault {
  code: string;
  message: string;
  /** Validation_Error and Processing_Fault messages from the detail. */
  details: string[];
}

export function readFault(envelope: XmlNode | undefined): SoapFault | undefined {
  const fault = child(envelope, 'Body', 'Fault');
  if (fault === undefined) return undefined;
  const detail = child(fault, 'detail');
  const details = [
    ...children(child(detail, 'Validation_Fault'), 'Validation_Error').map((e) => textOf(child(e, 'Message'))),
    textOf(child(detail, 'Processing_Fault', 'Detail_Message')),
  ].filter((m): m is string => m !== undefined);
  return { code: textOf(child(fault, 'faultcode')) ?? '', message: textOf(child(fault, 'faultstring')) ?? '', details };
}

export function faultErrorCode(fault: SoapFault, status: number): WorkdayClientErrorCode {
  const code = fault.code.toLowerCase();
  const said = [fault.message, ...fault.details].join(' ');
  if (/authenticationerror|authorizationerror/.test(code) || /invalid username or password|not authorized/i.test(said)) return 'workday_unauthorized';
  if (/invalid id value/i.test(said)) return 'workday_not_found';
  if (/(^|[:.])server/.test(code) || status === 429 || status >= 502) return 'workday_unavailable';
  return 'workday_bad_response';
}

// ---- Calling ----------------------------------------------------------------------------

export interface SoapEndpoint extends SoapCredentials {
  /** The service URL, e.g. https://wd2-impl-services1.workday.com/ccx/service/acme/Human_Resources/v43.0. */
  url: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

/**
 * Posts one request element (e.g. <wd:Get_Workers_Request>) and returns the response element
 * inside the Body (e.g. Get_Workers_Response), or throws a WorkdayClientError.
 */
export async function callWorkday(endpoint: SoapEndpoint, operation: string, requestXml: string): Promise<XmlNode> {
  const what = `Workday ${operation}`;
  const redact = redactor(endpoint.password);
  let response: Response;
  let text: string;
  try {
    response = await endpoint.fetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', accept: 'text/xml', soapaction: `"${operation}"` },
      body: soapEnvelope(endpoint, requestXml),
      signal: AbortSignal.timeout(endpoint.timeoutMs),
    });
    text = await response.text();
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${endpoint.timeoutMs} ms` : 'connection failed';
    throw new WorkdayClientError('workday_unavailable', `${what}: ${reason}`);
  }
  const { status } = response;
  const envelope = child(parseXml(text), 'Envelope');
  const fault = readFault(envelope);
  if (fault) {
    const code = faultErrorCode(fault, status);
    const said = redact([fault.message, ...fault.details.filter((d) => !fault.message.includes(d))].filter(Boolean).join('; ')).slice(0, 400);
    const lead = {
      workday_unauthorized: 'Workday refused the integration user',
      workday_not_found: 'Workday knows no such instance',
      workday_unavailable: 'Workday could not process the request now',
      workday_bad_response: 'Workday rejected the request',
    }[code];
    throw new WorkdayClientError(code, `${what}: ${lead} (${redact(fault.code) || 'no faultcode'}: ${said || 'no faultstring'})`, status, fault.code || undefined);
  }
  if (status === 401 || status === 403) {
    throw new WorkdayClientError('workday_unauthorized', `${what}: Workday answered ${status}`, status);
  }
  if (status < 200 || status > 299) {
    const code = status === 429 || status >= 500 ? 'workday_unavailable' : 'workday_bad_response';
    throw new WorkdayClientError(code, `${what}: Workday answered ${status}`, status);
  }
  const body = child(envelope, 'Body');
  const name = body && typeof body !== 'string' ? Object.keys(body).find((k) => !k.startsWith('@_') && k !== '#text') : undefined;
  const element = name ? child(body, name) : undefined;
  if (!element) throw new WorkdayClientError('workday_bad_response', `${what}: Workday answered ${status} without a SOAP response element`, status);
  return element;
}

/** Removes the password (raw or XML-escaped) from text that came back from the server. */
function redactor(password: string): (text: string) => string {
  const secrets = [...new Set([password, xmlEscape(password)])].filter((s) => s.length >= 4);
  return (text) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}
