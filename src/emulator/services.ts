// How each service speaks when something goes wrong: its protocol, the HTTP
// status of each error code, and the codes it uses for throttling, internal
// failures and refused session tokens. One table, so faults and credential
// checks answer every service in its own words.

import type { CallerProblem } from './credentials.js';
import { lightsailErrorStatus } from './lightsail.js';
import { organizationsErrorStatus } from './organizations.js';
import type { ServiceName } from './record.js';
import { stsErrorStatus } from './sts.js';
import { ApiError, type Protocol } from './wire.js';

export interface ServiceWords {
  protocol: Protocol;
  status(code: string): number;
  throttled(): ApiError;
  failed(): ApiError;
  refusedToken(problem: CallerProblem): ApiError;
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';

const lightsail: ServiceWords = {
  protocol: 'lightsail-json',
  status: lightsailErrorStatus,
  throttled: () => new ApiError('ThrottlingException', 'Rate exceeded'),
  failed: () => new ApiError('ServiceException', 'An internal error occurred (injected fault).'),
  refusedToken: (problem) =>
    problem === 'expired' ? new ApiError('ExpiredTokenException', EXPIRED_TOKEN) : new ApiError('UnrecognizedClientException', INVALID_TOKEN),
};

export const SERVICE_WORDS: ReadonlyMap<ServiceName | 'unknown', ServiceWords> = new Map<ServiceName | 'unknown', ServiceWords>([
  ['lightsail', lightsail],
  // A request that names no known service is answered as Lightsail answers one it does not know.
  ['unknown', lightsail],
  [
    'organizations',
    {
      protocol: 'organizations-json',
      status: organizationsErrorStatus,
      throttled: () => new ApiError('TooManyRequestsException', 'Rate exceeded'),
      failed: () => new ApiError('ServiceException', 'An internal error occurred (injected fault).'),
      refusedToken: (problem) =>
        problem === 'expired' ? new ApiError('ExpiredTokenException', EXPIRED_TOKEN) : new ApiError('UnrecognizedClientException', INVALID_TOKEN),
    },
  ],
  [
    'sts',
    {
      protocol: 'sts-query',
      status: stsErrorStatus,
      throttled: () => new ApiError('Throttling', 'Rate exceeded'),
      failed: () => new ApiError('InternalFailure', 'An internal error occurred (injected fault).'),
      refusedToken: (problem) =>
        problem === 'expired' ? new ApiError('ExpiredToken', EXPIRED_TOKEN) : new ApiError('InvalidClientTokenId', INVALID_TOKEN),
    },
  ],
]);

export function wordsOf(service: ServiceName | 'unknown'): ServiceWords {
  return SERVICE_WORDS.get(service) ?? lightsail;
}
