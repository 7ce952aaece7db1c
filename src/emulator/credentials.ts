// Who signed a call. Credentials AssumeRole hands out carry their session in
// the session token (account, role, session name, expiry), sealed with an
// HMAC under a per-run key: the emulator keeps no table of sessions, so memory
// stays flat however many roles are assumed. Any other credentials are the
// base caller's (the management account). Signatures themselves are not
// verified: this is a local test endpoint.

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isRecord } from './text.js';

export type Caller =
  | { kind: 'base'; accountId: string; accessKeyId: string }
  | { kind: 'session'; accountId: string; accessKeyId: string; roleName: string; sessionName: string; expiresAt: number };

/** Why a session token was refused: not one of this run's, or past its expiry. */
export type CallerProblem = 'invalid' | 'expired';

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface SessionGrant {
  accountId: string;
  roleName: string;
  sessionName: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Every emulator session token starts so; other tokens (e.g. the caller's own) mean base credentials. */
export const SESSION_TOKEN_PREFIX = 'PortolanEmulatorSession.';
const BASE_USER = 'auditor';

export class SessionIssuer {
  private readonly key = randomBytes(32);
  private issued = 0;

  issue(grant: SessionGrant): IssuedCredentials {
    this.issued += 1;
    // ASIA (temporary) + the account id + a counter: readable in logs, unique in a run.
    const accessKeyId = `ASIA${grant.accountId}${(this.issued % 36 ** 4).toString(36).toUpperCase().padStart(4, '0')}`;
    const payload = Buffer.from(
      JSON.stringify({ k: accessKeyId, a: grant.accountId, r: grant.roleName, s: grant.sessionName, x: grant.expiresAt }),
    ).toString('base64url');
    return {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `${SESSION_TOKEN_PREFIX}${payload}.${this.seal(payload).toString('base64url')}`,
      expiration: new Date(grant.expiresAt),
    };
  }

  /** The caller behind an access key and optional session token, at time `now` (epoch ms). */
  resolve(accessKeyId: string, sessionToken: string | undefined, baseAccountId: string, now: number): Caller | CallerProblem {
    if (sessionToken === undefined || !sessionToken.startsWith(SESSION_TOKEN_PREFIX)) return { kind: 'base', accountId: baseAccountId, accessKeyId };
    const [payload, seal, ...rest] = sessionToken.slice(SESSION_TOKEN_PREFIX.length).split('.');
    if (payload === undefined || seal === undefined || rest.length > 0) return 'invalid';
    const expected = this.seal(payload);
    const given = Buffer.from(seal, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    let session: unknown;
    try {
      session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return 'invalid';
    }
    if (!isRecord(session) || session['k'] !== accessKeyId) return 'invalid';
    const { a, r, s, x } = session;
    if (typeof a !== 'string' || typeof r !== 'string' || typeof s !== 'string' || typeof x !== 'number') return 'invalid';
    if (now >= x) return 'expired';
    return { kind: 'session', accountId: a, accessKeyId, roleName: r, sessionName: s, expiresAt: x };
  }

  private seal(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, 16);
  }
}

function idSuffix(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 17).toUpperCase();
}

export function assumedRoleArn(accountId: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
}

/** The role's unique id (AROA...) followed by the session name, as AssumedRoleId and UserId show it. */
export function assumedRoleId(accountId: string, roleName: string, sessionName: string): string {
  return `AROA${idSuffix(`${accountId}\0${roleName}`)}:${sessionName}`;
}

export function callerArn(caller: Caller): string {
  return caller.kind === 'base' ? `arn:aws:iam::${caller.accountId}:user/${BASE_USER}` : assumedRoleArn(caller.accountId, caller.roleName, caller.sessionName);
}

export function callerUserId(caller: Caller): string {
  return caller.kind === 'base' ? `AIDA${idSuffix(`${caller.accountId}\0${BASE_USER}`)}` : assumedRoleId(caller.accountId, caller.roleName, caller.sessionName);
}
