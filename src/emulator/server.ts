// A local, read-only AWS endpoint for Lightsail, Organizations and STS,
// serving an inventory (one account) or an organization file (many) over the
// real wire protocols, so the collector, the JS SDK and the AWS CLI can be
// exercised without an AWS account. Loopback only; signatures are not
// checked (it is a test endpoint), but the SigV4 credential scope picks the
// region and the session token picks the account.
//
// This module is the HTTP side: options, listening, reading bodies, delays,
// writing answers and the call record. What each call gets is planned in
// dispatch.ts.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { UserInputError } from '../core/errors.js';
import type { Inventory } from '../core/types.js';
import { worldFromInventory, worldFromOrganization } from './accounts.js';
import { SessionIssuer } from './credentials.js';
import { Dispatcher, type CallPlan } from './dispatch.js';
import { validateFaults, type FaultConfig } from './faults.js';
import { OrganizationsApi } from './organizations.js';
import { validateOrganization, type OrganizationSpec } from './organization-file.js';
import { PageTokens } from './page-token.js';
import { CallLog, DEFAULT_CALL_RECORD_LIMIT, type CallCounts, type CallFilter, type CallRecord } from './record.js';
import { StsApi } from './sts.js';
import { excerpt, isRecord } from './text.js';
import { renderInternalError, type WireResponse } from './wire.js';

export { DEFAULT_ACCOUNT_ID, synthesizedArn } from './fleet.js';
export { DEFAULT_CALL_RECORD_LIMIT, type CallCounts, type CallFilter, type CallRecord } from './record.js';
export { MAX_DELAY_MS, type FaultConfig } from './faults.js';
export type { OrganizationSpec } from './organization-file.js';

export interface EmulatorOptions {
  /** One account (111122223333) in no organization. Give this or `organization`. */
  inventory?: Inventory;
  /** An organization (org-v1 O1) with every inventory inline: see loadOrganizationFile. */
  organization?: OrganizationSpec;
  /** Default 127.0.0.1; anything but a loopback address is refused. `[::1]` is read as ::1. */
  host?: string;
  /** 0 (default) = a free port. */
  port?: number;
  /** GetInstances page size, default 20. */
  pageSize?: number;
  /** Faults for every service of every account; they override an organization file's, key by key. */
  faults?: FaultConfig;
  /** How many recent calls `calls` keeps whole (default 10,000); totals are kept for all. */
  callRecordLimit?: number;
  /** Every credential AssumeRole hands out expires after this many seconds (e.g. 2, to test refresh). */
  credentialLifetimeSeconds?: number;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  /** The most recent calls (at most callRecordLimit), oldest first: a fresh array on each read. */
  readonly calls: CallRecord[];
  /** Exact totals by service, operation, account and outcome, over every answered call. */
  readonly counts: CallCounts;
  /** Exact number of answered calls matching every given field. */
  callCount(filter?: CallFilter): number;
  close(): Promise<void>;
}

/** The emulator could not listen: a user's mistake (port in use, no IPv6 on this host), with the errno code. */
export class ListenError extends UserInputError {
  constructor(
    readonly code: string,
    line: string,
  ) {
    super(line);
    this.name = 'ListenError';
  }
}

export const DEFAULT_PAGE_SIZE = 20;
const MAX_BODY_BYTES = 1024 * 1024;
/** A session longer than AWS allows (12 hours) is no test of anything. */
const MAX_CREDENTIAL_LIFETIME_SECONDS = 43_200;

/** True for 127.0.0.0/8 and ::1 (also in its long and bracketed forms). */
export function isLoopbackHost(host: string): boolean {
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) return v4.slice(1).every((octet) => Number(octet) <= 255);
  const bare = listenAddress(host);
  if (!bare.includes(':')) return false;
  // Expand "::" and compare with 0:0:0:0:0:0:0:1.
  const halves = bare.toLowerCase().split('::');
  if (halves.length > 2) return false;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return false;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return false;
  return groups.every((g, i) => parseInt(g, 16) === (i === 7 ? 1 : 0));
}

/** The address to listen on: `[::1]` (URL form) is `::1` to the socket layer, which would look the bracketed text up as a name. */
export function listenAddress(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function optionProblems(options: EmulatorOptions): string[] {
  const problems: string[] = [];
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) problems.push(`emulator host ${excerpt(host)} is not a loopback address (use 127.0.0.1 or ::1)`);
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) problems.push(`emulator page size must be a positive integer, got ${excerpt(pageSize)}`);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`emulator port must be 0..65535, got ${excerpt(port)}`);
  const limit = options.callRecordLimit ?? DEFAULT_CALL_RECORD_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 0) problems.push(`emulator callRecordLimit must be an integer >= 0, got ${excerpt(limit)}`);
  const lifetime = options.credentialLifetimeSeconds;
  if (lifetime !== undefined && !(typeof lifetime === 'number' && lifetime > 0 && lifetime <= MAX_CREDENTIAL_LIFETIME_SECONDS)) {
    problems.push(`emulator credentialLifetimeSeconds must be a number of seconds in (0, ${MAX_CREDENTIAL_LIFETIME_SECONDS}], got ${excerpt(lifetime)}`);
  }
  if (options.faults !== undefined) problems.push(...validateFaults(options.faults, 'faults'));
  if ((options.inventory === undefined) === (options.organization === undefined)) problems.push('emulator: give exactly one of inventory and organization');
  if (options.organization !== undefined) {
    problems.push(...validateOrganization(options.organization).map((p) => `organization: ${p}`));
    // Typed as inline by now, but a caller's object is not checked by the compiler at run time.
    const accounts: unknown = options.organization.accounts;
    (Array.isArray(accounts) ? (accounts as unknown[]) : []).forEach((account, i) => {
      if (isRecord(account) && typeof account['inventory'] === 'string') {
        problems.push(`organization: accounts[${i}].inventory: a file path; read the file with loadOrganizationFile first`);
      }
    });
  }
  return problems;
}

/** Reads a request body up to MAX_BODY_BYTES; `tooLarge` when it was longer (the rest is discarded, not buffered). */
function readBody(req: IncomingMessage, done: (body: Buffer, tooLarge: boolean) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    done(Buffer.concat(chunks), size > MAX_BODY_BYTES);
  });
  // A client that goes away mid-request leaves nothing to answer.
  req.on('error', () => undefined);
}

function writeResponse(res: ServerResponse, response: WireResponse, requestId: string): void {
  res.writeHead(response.status, {
    ...response.headers,
    'Content-Length': Buffer.byteLength(response.body),
    'x-amzn-RequestId': requestId,
  });
  res.end(response.body);
}

/** Writes the answer; if that fails (it must not), a fixed internal error; if even that cannot go out, the connection closes. */
function deliver(req: IncomingMessage, res: ServerResponse, response: WireResponse, requestId: string): void {
  try {
    writeResponse(res, response, requestId);
  } catch {
    try {
      if (!res.headersSent) writeResponse(res, renderInternalError('lightsail-json', requestId), requestId);
      else req.socket.destroy();
    } catch {
      req.socket.destroy();
    }
  }
}

const TOO_LARGE: WireResponse = {
  status: 413,
  headers: { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-ErrorType': 'SerializationException' },
  body: JSON.stringify({ __type: 'SerializationException', message: `The request body exceeds ${MAX_BODY_BYTES} bytes`, code: 'SerializationException' }),
};

export function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const problems = optionProblems(options);
  if (problems.length > 0) return Promise.reject(new UserInputError(problems));
  const world = options.organization ? worldFromOrganization(options.organization, options.faults) : worldFromInventory(options.inventory as Inventory, options.faults);
  const issuer = new SessionIssuer();
  const tokens = new PageTokens();
  const dispatcher = new Dispatcher(world, issuer, {
    lightsail: { pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE, tokens },
    organizations: new OrganizationsApi(world, tokens, world.organizationsFaults.config.emptyPages === true),
    sts: new StsApi(world, issuer, options.credentialLifetimeSeconds),
  });
  const log = new CallLog(options.callRecordLimit ?? DEFAULT_CALL_RECORD_LIMIT);
  const timers = new Set<NodeJS.Timeout>();

  const carryOut = (req: IncomingMessage, res: ServerResponse, plan: CallPlan, record: CallRecord, requestId: string, started: number): void => {
    record.durationMs = performance.now() - started;
    if (plan.kind === 'drop') {
      record.outcome = 'dropped';
      req.socket.destroy();
    } else {
      record.outcome = plan.outcome;
      deliver(req, res, plan.response, requestId);
    }
    log.finished(record);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer, tooLarge: boolean): void => {
    const started = performance.now();
    const requestId = randomUUID();
    const record: CallRecord = { service: 'unknown', operation: '', accountId: '', region: '', outcome: 'pending', startedAt: Date.now(), durationMs: 0 };
    log.started(record);
    const plan: CallPlan = tooLarge
      ? { kind: 'respond', response: TOO_LARGE, outcome: 'SerializationException', delayMs: 0 }
      : dispatcher.plan({ method: req.method ?? '', headers: req.headers, body }, record, requestId);
    if (plan.delayMs <= 0) {
      carryOut(req, res, plan, record, requestId, started);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      carryOut(req, res, plan, record, requestId, started);
    }, plan.delayMs);
    timers.add(timer);
  };

  const server = createServer({ keepAlive: true }, (req, res) => {
    res.on('error', () => undefined);
    readBody(req, (body, tooLarge) => {
      handle(req, res, body, tooLarge);
    });
  });
  return listen(server, options.host ?? '127.0.0.1', options.port ?? 0, timers).then(({ url, close }) => ({
    url,
    get calls() {
      return log.recent();
    },
    get counts() {
      return log.counts();
    },
    callCount: (filter?: CallFilter) => log.count(filter),
    close,
  }));
}

function listen(server: Server, host: string, port: number, timers: Set<NodeJS.Timeout>): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const address = listenAddress(host);
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      const code = error.code ?? 'ERROR';
      const shown = address.includes(':') ? `[${address}]` : address;
      reject(new ListenError(code, `cannot listen on ${shown}:${port}: ${code} (${excerpt(error.message, 80)})`));
    };
    server.once('error', failed);
    server.listen(port, address, () => {
      server.off('error', failed);
      // Listening: a later server error (e.g. out of file descriptors on accept) must not end the process.
      server.on('error', () => undefined);
      const bound = server.address() as AddressInfo;
      const hostText = bound.family === 'IPv6' || bound.address.includes(':') ? `[${bound.address}]` : bound.address;
      resolve({
        url: `http://${hostText}:${bound.port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const timer of timers) clearTimeout(timer);
            timers.clear();
            server.close(() => {
              done();
            });
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}
