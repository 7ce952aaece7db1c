// Answers on the wire, per protocol: awsJson1_1 for Lightsail and
// Organizations, awsQuery (XML) for STS. Pure: values in, status, headers and
// body text out. Whatever an error code holds, the headers stay valid.

export type Protocol = 'lightsail-json' | 'organizations-json' | 'sts-query';

/** An error as AWS answers it; `fields` are extra members of the error body (e.g. Organizations' Reason). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/**
 * x-amzn-ErrorType only carries a plain ASCII token: a code recorded in an
 * inventory may hold anything, and one bad header character makes Node throw.
 * Clients read the body's `__type` when the header is absent.
 */
const ERROR_TYPE_HEADER = /^[A-Za-z0-9_.#:/-]{1,256}$/;

export function errorTypeHeader(code: string): Record<string, string> {
  return ERROR_TYPE_HEADER.test(code) ? { 'x-amzn-ErrorType': code } : {};
}

export function renderResult(protocol: Protocol, operation: string, result: unknown, requestId: string): WireResponse {
  if (protocol === 'sts-query') {
    const body =
      `<${operation}Response xmlns="${STS_NAMESPACE}"><${operation}Result>${xmlElements(result)}</${operation}Result>` +
      `<ResponseMetadata><RequestId>${xmlText(requestId)}</RequestId></ResponseMetadata></${operation}Response>`;
    return { status: 200, headers: { 'Content-Type': 'text/xml' }, body };
  }
  return { status: 200, headers: { 'Content-Type': JSON_CONTENT_TYPE }, body: JSON.stringify(result) };
}

export function renderError(protocol: Protocol, error: ApiError, status: number, requestId: string): WireResponse {
  if (protocol === 'sts-query') {
    // Sender faults are the caller's; Receiver ones (5xx) the service's.
    const type = status >= 500 ? 'Receiver' : 'Sender';
    const body =
      `<ErrorResponse xmlns="${STS_NAMESPACE}"><Error><Type>${type}</Type><Code>${xmlText(error.code)}</Code>` +
      `<Message>${xmlText(error.message)}</Message></Error><RequestId>${xmlText(requestId)}</RequestId></ErrorResponse>`;
    return { status, headers: { 'Content-Type': 'text/xml' }, body };
  }
  // Lightsail sends message and code in lower case; Organizations models its member as Message.
  const members =
    protocol === 'lightsail-json'
      ? { __type: error.code, message: error.message, code: error.code, ...error.fields }
      : { __type: error.code, Message: error.message, ...error.fields };
  return { status, headers: { 'Content-Type': JSON_CONTENT_TYPE, ...errorTypeHeader(error.code) }, body: JSON.stringify(members) };
}

/** The last resort when rendering itself failed: a fixed, always valid internal error. */
export function renderInternalError(protocol: Protocol, requestId: string): WireResponse {
  const code = protocol === 'sts-query' ? 'InternalFailure' : 'ServiceException';
  return renderError(protocol, new ApiError(code, 'The emulator could not answer this request.'), 500, requestId);
}

// Characters XML 1.0 cannot carry at all, not even as references (controls, lone surrogates, U+FFFE/F).
const XML_INVALID = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;
const XML_ESCAPES = new Map([
  ['&', '&amp;'],
  ['<', '&lt;'],
  ['>', '&gt;'],
  ['"', '&quot;'],
  ["'", '&apos;'],
]);

export function xmlText(text: string): string {
  return text.replace(XML_INVALID, '\ufffd').replace(/[&<>"']/g, (c) => XML_ESCAPES.get(c) ?? c);
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** Elements from a plain object tree: strings and numbers as text, objects nested, undefined left out. */
function xmlElements(value: unknown): string {
  if (value === null || typeof value !== 'object') return '';
  let out = '';
  for (const [name, member] of Object.entries(value as Record<string, unknown>)) {
    if (member === undefined) continue;
    const inner = typeof member === 'object' && member !== null ? xmlElements(member) : xmlText(scalarText(member));
    out += `<${name}>${inner}</${name}>`;
  }
  return out;
}
