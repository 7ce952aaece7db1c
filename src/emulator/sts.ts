// STS: AssumeRole into a member account's role, and GetCallerIdentity. A
// role can be assumed when its account is ACTIVE, lists the role, and the
// ExternalId matches where the role sets one; anything else is AccessDenied,
// as AWS answers it (without saying which check failed).

import type { ServedWorld } from './accounts.js';
import { assumedRoleArn, assumedRoleId, callerArn, callerUserId, type SessionIssuer } from './credentials.js';
import type { ServiceCall } from './lightsail.js';
import { excerpt } from './text.js';
import { ApiError } from './wire.js';

/** HTTP status per error code: the STS model and the AWS common errors of query APIs. */
const ERROR_STATUS = new Map<string, number>([
  ['AccessDenied', 403],
  ['ValidationError', 400],
  ['InvalidAction', 400],
  ['Throttling', 400],
  ['InternalFailure', 500],
  ['MissingAuthenticationToken', 403],
  ['IncompleteSignature', 400],
  ['InvalidClientTokenId', 403],
  ['ExpiredToken', 403],
]);

export function stsErrorStatus(code: string): number {
  return ERROR_STATUS.get(code) ?? 400;
}

const API_VERSION = '2011-06-15';
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/** A session assumed with role credentials (role chaining) lasts at most an hour. */
const CHAINED_MAX_SECONDS = 3600;

function validation(message: string): ApiError {
  return new ApiError('ValidationError', message);
}

function required(value: unknown, member: string): string {
  if (typeof value !== 'string') throw validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** Real STS answers without milliseconds; a sub-second lifetime keeps them. */
function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

interface AssumeRoleRequest {
  roleArn: string;
  accountId: string;
  roleName: string;
  sessionName: string;
  externalId?: string;
  durationSeconds?: number;
}

function readAssumeRole(input: Record<string, unknown>): AssumeRoleRequest {
  const roleArn = required(input['RoleArn'], 'roleArn');
  const sessionName = required(input['RoleSessionName'], 'roleSessionName');
  if (!SESSION_NAME.test(sessionName)) {
    throw validation(`1 validation error detected: Value ${excerpt(sessionName)} at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}`);
  }
  const arn = ROLE_ARN.exec(roleArn);
  if (!arn) throw validation(`${excerpt(roleArn)} is not a valid role ARN (arn:aws:iam::ACCOUNT:role/NAME)`);
  const request: AssumeRoleRequest = { roleArn, accountId: arn[1] as string, roleName: arn[2] as string, sessionName };
  const externalId = input['ExternalId'];
  if (externalId !== undefined) {
    if (typeof externalId !== 'string' || !EXTERNAL_ID.test(externalId)) {
      throw validation("1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]{2,1224}");
    }
    request.externalId = externalId;
  }
  const duration = input['DurationSeconds'];
  if (duration !== undefined) {
    const seconds = typeof duration === 'string' && /^\d{1,6}$/.test(duration) ? Number(duration) : NaN;
    if (!(seconds >= 900 && seconds <= 43200)) {
      throw validation(`1 validation error detected: Value ${excerpt(duration)} at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
    }
    request.durationSeconds = seconds;
  }
  return request;
}

export class StsApi {
  constructor(
    private readonly world: ServedWorld,
    private readonly issuer: SessionIssuer,
    /** When set, every issued credential expires after this many seconds, whatever was asked (tests of refresh). */
    private readonly credentialLifetimeSeconds: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  answer(call: ServiceCall): unknown {
    const version = call.input['Version'];
    if (version !== undefined && version !== API_VERSION) {
      throw new ApiError('InvalidAction', `Could not find operation ${call.operation} for version ${excerpt(version)}`);
    }
    if (call.operation === 'GetCallerIdentity') return { UserId: callerUserId(call.caller), Account: call.caller.accountId, Arn: callerArn(call.caller) };
    if (call.operation === 'AssumeRole') return this.assumeRole(call);
    throw new ApiError('InvalidAction', `Could not find operation ${call.operation || '(none)'} for version ${API_VERSION} (the Portolan emulator answers AssumeRole and GetCallerIdentity)`);
  }

  private assumeRole(call: ServiceCall): unknown {
    const request = readAssumeRole(call.input);
    const account = this.world.accounts.get(request.accountId);
    const role = account?.roles.get(request.roleName);
    if (account?.state !== 'ACTIVE' || role === undefined || (role.externalId !== undefined && role.externalId !== request.externalId)) {
      throw new ApiError('AccessDenied', `User: ${callerArn(call.caller)} is not authorized to perform: sts:AssumeRole on resource: ${request.roleArn}`);
    }
    const chained = call.caller.kind === 'session';
    if (chained && (request.durationSeconds ?? 0) > CHAINED_MAX_SECONDS) {
      throw validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    }
    if ((request.durationSeconds ?? 0) > role.maxSessionSeconds) throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    const lifetimeSeconds = this.credentialLifetimeSeconds ?? request.durationSeconds ?? 3600;
    const issued = this.issuer.issue({
      accountId: request.accountId,
      roleName: request.roleName,
      sessionName: request.sessionName,
      expiresAt: this.now() + lifetimeSeconds * 1000,
    });
    return {
      Credentials: {
        AccessKeyId: issued.accessKeyId,
        SecretAccessKey: issued.secretAccessKey,
        SessionToken: issued.sessionToken,
        Expiration: isoTime(issued.expiration.getTime()),
      },
      AssumedRoleUser: {
        AssumedRoleId: assumedRoleId(request.accountId, request.roleName, request.sessionName),
        Arn: assumedRoleArn(request.accountId, request.roleName, request.sessionName),
      },
    };
  }
}
