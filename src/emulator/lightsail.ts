// Lightsail, read-only: GetRegions, GetInstances and GetInstancePortStates
// answered from the calling account's inventory; every other operation is
// refused, so nothing can change state.

import type { Caller } from './credentials.js';
import type { ServedAccount } from './accounts.js';
import { listingDrifts } from './faults.js';
import { instanceShape, recordedError } from './fleet.js';
import type { PageTokens } from './page-token.js';
import { regionFacts } from './regions.js';
import { ApiError } from './wire.js';

/** HTTP status per error code: the Lightsail Smithy model, AWS common errors for the rest. */
const ERROR_STATUS = new Map<string, number>([
  ['AccessDeniedException', 403],
  ['AccountSetupInProgressException', 428],
  ['InvalidInputException', 400],
  ['NotFoundException', 404],
  ['OperationFailureException', 400],
  ['RegionSetupInProgressException', 428],
  ['ServiceException', 500],
  ['UnauthenticatedException', 401],
  ['ThrottlingException', 400],
  ['MissingAuthenticationTokenException', 400],
  ['IncompleteSignatureException', 400],
  ['UnknownOperationException', 400],
  ['SerializationException', 400],
  ['UnrecognizedClientException', 403],
  ['ExpiredTokenException', 403],
]);

// A Map, not an object: a recorded code such as "constructor" must not find Object's own members.
export function lightsailErrorStatus(code: string): number {
  return ERROR_STATUS.get(code) ?? 400;
}

export interface ServiceCall {
  operation: string;
  input: Record<string, unknown>;
  region: string;
  caller: Caller;
  /** The caller's account. */
  account: ServedAccount;
}

export interface LightsailSettings {
  pageSize: number;
  tokens: PageTokens;
}

const INSTANCE_NAME = /^(?:\w[\w-]*\w|\w)$/;
const INTERNAL_ERROR = { code: 'ServiceException', message: 'An internal error occurred.' };
const ZONES = ['a', 'b', 'c'] as const;

function getRegions(call: ServiceCall): unknown {
  const zones = (name: string): { zoneName: string; state: string }[] => ZONES.map((z) => ({ zoneName: `${name}${z}`, state: 'available' }));
  const withZones = call.input['includeAvailabilityZones'] === true;
  const withDbZones = call.input['includeRelationalDatabaseAvailabilityZones'] === true;
  return {
    regions: call.account.fleet.regions.map((r) => ({
      ...regionFacts(r.name),
      name: r.name,
      availabilityZones: withZones ? zones(r.name) : [],
      relationalDatabaseAvailabilityZones: withDbZones ? zones(r.name) : [],
    })),
  };
}

function getInstances(call: ServiceCall, settings: LightsailSettings): unknown {
  const { account, region, input } = call;
  const all = account.fleet.byRegion.get(region)?.instances ?? [];
  const scope = `lightsail\0${account.id}\0${region}`;
  let offset = 0;
  if (input['pageToken'] !== undefined) {
    const decoded = settings.tokens.decode(input['pageToken'], scope, all.length);
    if (decoded === undefined || decoded === 0) throw new ApiError('InvalidInputException', 'The pageToken is not valid for this request.');
    offset = decoded;
  }
  const page = all
    .slice(offset, offset + settings.pageSize)
    .map((instance) => instanceShape(instance, account.id, listingDrifts(account.portDrift, account.id, region, instance.name)));
  const next = offset + settings.pageSize;
  return next < all.length ? { instances: page, nextPageToken: settings.tokens.encode(scope, next) } : { instances: page };
}

function getInstancePortStates(call: ServiceCall): unknown {
  const name = call.input['instanceName'];
  if (typeof name !== 'string' || !INSTANCE_NAME.test(name)) {
    throw new ApiError('InvalidInputException', 'instanceName is required and must match \\w[\\w\\-]*\\w');
  }
  const instance = call.account.fleet.byRegion.get(call.region)?.byName.get(name);
  if (!instance || instance.status === 'gone') throw new ApiError('NotFoundException', `The Instance does not exist: ${name}`);
  if (instance.status === 'error') {
    const error = recordedError(instance.error, INTERNAL_ERROR);
    throw new ApiError(error.code, error.message);
  }
  // Raw, exactly as recorded: an absent list stays absent, like an API that answers `{}`.
  return instance.portStates === undefined ? {} : { portStates: instance.portStates };
}

const OPERATIONS = new Map<string, (call: ServiceCall, settings: LightsailSettings) => unknown>([
  ['GetRegions', getRegions],
  ['GetInstances', getInstances],
  ['GetInstancePortStates', getInstancePortStates],
]);

export function answerLightsail(call: ServiceCall, settings: LightsailSettings): unknown {
  const operation = OPERATIONS.get(call.operation);
  if (!operation) {
    throw new ApiError('UnknownOperationException', `Operation ${call.operation || '(none)'} is not supported by the Portolan Lightsail emulator, which is read-only`);
  }
  // A region that could not be read answers its error to every call made in it.
  const regionError = call.account.fleet.byRegion.get(call.region)?.error;
  if (regionError) throw new ApiError(regionError.code, regionError.message);
  return operation(call, settings);
}
