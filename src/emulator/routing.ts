// Which service a request is for, which operation, in which region, signed
// with which key: read from the request alone (pure). Lightsail and
// Organizations name themselves in X-Amz-Target (awsJson1_1); STS sends a
// form with Action (awsQuery). The region and signing service come from the
// SigV4 credential scope, so one endpoint serves every region and service.

import type { IncomingHttpHeaders } from 'node:http';
import type { ServiceName } from './record.js';
import { isRecord } from './text.js';
import { ApiError } from './wire.js';

export interface RequestFacts {
  method: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Route {
  service: ServiceName;
  operation: string;
  region: string;
  accessKeyId: string;
  sessionToken?: string;
  input: Record<string, unknown>;
}

export type RouteOutcome =
  | { ok: true; route: Route }
  | { ok: false; service: ServiceName | 'unknown'; operation: string; region: string; error: ApiError };

const TARGET_PREFIXES = new Map<string, ServiceName>([
  ['Lightsail_20161128.', 'lightsail'],
  ['AWSOrganizationsV20161128.', 'organizations'],
]);
const SIGNING_NAMES = new Map<ServiceName, string>([
  ['lightsail', 'lightsail'],
  ['organizations', 'organizations'],
  ['sts', 'sts'],
]);
/** Operation names come from headers: kept this long in records and messages. */
const MAX_OPERATION_LENGTH = 128;

const CREDENTIAL_SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The service and operation a request names, before anything about it is checked. */
function serviceOf(facts: RequestFacts): { service: ServiceName | 'unknown'; operation: string } {
  const target = header(facts.headers, 'x-amz-target');
  if (target !== undefined) {
    for (const [prefix, service] of TARGET_PREFIXES) {
      if (target.startsWith(prefix)) return { service, operation: target.slice(prefix.length, prefix.length + MAX_OPERATION_LENGTH) };
    }
    return { service: 'unknown', operation: target.slice(0, MAX_OPERATION_LENGTH) };
  }
  const contentType = header(facts.headers, 'content-type') ?? '';
  const scopeService = CREDENTIAL_SCOPE.exec(header(facts.headers, 'authorization') ?? '')?.[4];
  if (contentType.startsWith('application/x-www-form-urlencoded') || scopeService === 'sts') {
    const action = new URLSearchParams(facts.body.toString('utf8')).get('Action') ?? '';
    return { service: 'sts', operation: action.slice(0, MAX_OPERATION_LENGTH) };
  }
  return { service: 'unknown', operation: '' };
}

function authError(service: ServiceName | 'unknown', kind: 'missing' | 'incomplete', detail: string): ApiError {
  // STS speaks the AWS common error codes without the Exception suffix.
  if (service === 'sts') return new ApiError(kind === 'missing' ? 'MissingAuthenticationToken' : 'IncompleteSignature', detail);
  return new ApiError(kind === 'missing' ? 'MissingAuthenticationTokenException' : 'IncompleteSignatureException', detail);
}

function parseInput(service: ServiceName | 'unknown', body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (service === 'sts') return Object.fromEntries(new URLSearchParams(text));
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError('SerializationException', 'The request body is not valid JSON');
  }
  if (!isRecord(parsed)) throw new ApiError('SerializationException', 'The request body must be a JSON object');
  return parsed;
}

export function routeRequest(facts: RequestFacts): RouteOutcome {
  const { service, operation } = serviceOf(facts);
  let region = '';
  try {
    if (facts.method !== 'POST') throw new ApiError('UnknownOperationException', `Method ${facts.method.slice(0, 16)} is not supported; use POST /`);
    const authorization = header(facts.headers, 'authorization');
    if (authorization === undefined || authorization.trim() === '') throw authError(service, 'missing', 'Missing Authentication Token');
    const scope = CREDENTIAL_SCOPE.exec(authorization);
    if (!scope) throw authError(service, 'incomplete', "Authorization header requires 'Credential' of the form AKID/yyyymmdd/region/service/aws4_request");
    const [, accessKeyId, , scopeRegion, signingName] = scope as unknown as [string, string, string, string, string];
    region = scopeRegion;
    const expected = service === 'unknown' ? undefined : SIGNING_NAMES.get(service);
    if (expected !== undefined && signingName !== expected) {
      throw authError(service, 'incomplete', `Credential should be scoped to correct service: '${expected}', not ${JSON.stringify(signingName.slice(0, 40))}`);
    }
    const input = parseInput(service, facts.body);
    if (service === 'unknown') {
      const named = operation === '' ? '(none)' : JSON.stringify(operation.slice(0, 60));
      throw new ApiError('UnknownOperationException', `Operation ${named} is not supported by the Portolan emulator (Lightsail, Organizations and STS reads only)`);
    }
    const sessionToken = header(facts.headers, 'x-amz-security-token');
    return { ok: true, route: { service, operation, region, accessKeyId, input, ...(sessionToken !== undefined ? { sessionToken } : {}) } };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { ok: false, service, operation, region, error };
  }
}
