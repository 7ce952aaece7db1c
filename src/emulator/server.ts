// A local, read-only Lightsail endpoint that serves an inventory over the real
// awsJson1_1 wire protocol, so the collector, the JS SDK and the AWS CLI can be
// exercised without an AWS account. Loopback only; signatures are not checked
// (it is a test endpoint), but the SigV4 credential scope picks the region.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { UserInputError } from '../core/errors.js';
import type { ErrorInfo, Inventory, InventoryInstance } from '../core/types.js';
import { mulberry32 } from '../core/prng.js';

export interface FaultConfig {
  /** Fixed latency added to every call, in ms. */
  latencyMs?: number;
  /** Extra latency drawn uniformly from 0..jitterMs per call. */
  jitterMs?: number;
  /** Token bucket across the whole server; over the limit => ThrottlingException (HTTP 400). */
  rateLimit?: { requestsPerSecond: number; burst?: number };
  /** Fraction (0..1) of calls answered with ServiceException (HTTP 500). */
  errorRate?: number;
  /** Fraction (0..1) of calls whose socket is destroyed without an answer. */
  dropRate?: number;
  /** Extra latency for every call in one region. */
  slowRegion?: { region: string; latencyMs: number };
  /** Seed of the PRNG behind jitter, errorRate and dropRate (default 1). */
  seed?: number;
}

export interface EmulatorOptions {
  inventory: Inventory;
  /** Default 127.0.0.1; anything but a loopback address is refused. */
  host?: string;
  /** 0 (default) = a free port. */
  port?: number;
  /** GetInstances page size, default 20. */
  pageSize?: number;
  faults?: FaultConfig;
}

export interface CallRecord {
  operation: string;
  region: string;
  /** 'ok', the error code answered, or 'dropped'. */
  outcome: string;
  instanceName?: string;
  /** Epoch ms when the request had been read. */
  startedAt: number;
  durationMs: number;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  calls: CallRecord[];
  close(): Promise<void>;
}

export const DEFAULT_PAGE_SIZE = 20;
export const DEFAULT_ACCOUNT_ID = '111122223333';
const TARGET_PREFIX = 'Lightsail_20161128.';
const MAX_BODY_BYTES = 1024 * 1024;
const INSTANCE_NAME = /^(?:\w[\w-]*\w|\w)$/;

/** HTTP status per error code: the Lightsail Smithy model, AWS common errors for the rest. */
const ERROR_STATUS: Record<string, number> = {
  AccessDeniedException: 403,
  AccountSetupInProgressException: 428,
  InvalidInputException: 400,
  NotFoundException: 404,
  OperationFailureException: 400,
  RegionSetupInProgressException: 428,
  ServiceException: 500,
  UnauthenticatedException: 401,
  ThrottlingException: 400,
  MissingAuthenticationTokenException: 400,
  IncompleteSignatureException: 400,
  UnknownOperationException: 400,
  SerializationException: 400,
};

export function statusForErrorCode(code: string): number {
  return ERROR_STATUS[code] ?? 400;
}

/** True for 127.0.0.0/8 and ::1 (also in its long forms). */
export function isLoopbackHost(host: string): boolean {
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) return v4.slice(1).every((octet) => Number(octet) <= 255);
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
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

// ---------------------------------------------------------------- regions

interface RegionFacts {
  continentCode: string;
  displayName: string;
  description: string;
}

const KNOWN_REGIONS: Record<string, RegionFacts> = {
  'us-east-1': { continentCode: 'NA', displayName: 'Virginia', description: 'This region is recommended to serve users in the eastern United States' },
  'us-east-2': { continentCode: 'NA', displayName: 'Ohio', description: 'This region is recommended to serve users in the eastern United States' },
  'us-west-2': { continentCode: 'NA', displayName: 'Oregon', description: 'This region is recommended to serve users in the northwestern United States, Alaska, and western Canada' },
  'ca-central-1': { continentCode: 'NA', displayName: 'Montreal', description: 'This region is recommended to serve users in Canada' },
  'eu-west-1': { continentCode: 'EU', displayName: 'Ireland', description: 'This region is recommended to serve users in Ireland, the United Kingdom, and Iceland' },
  'eu-west-2': { continentCode: 'EU', displayName: 'London', description: 'This region is recommended to serve users in the United Kingdom and northern Europe' },
  'eu-west-3': { continentCode: 'EU', displayName: 'Paris', description: 'This region is recommended to serve users in France and western Europe' },
  'eu-central-1': { continentCode: 'EU', displayName: 'Frankfurt', description: 'This region is recommended to serve users in Germany, central Europe, and eastern Europe' },
  'eu-north-1': { continentCode: 'EU', displayName: 'Stockholm', description: 'This region is recommended to serve users in Scandinavia and northern Europe' },
  'ap-south-1': { continentCode: 'AP', displayName: 'Mumbai', description: 'This region is recommended to serve users in India and Sri Lanka' },
  'ap-northeast-1': { continentCode: 'AP', displayName: 'Tokyo', description: 'This region is recommended to serve users in Japan' },
  'ap-northeast-2': { continentCode: 'AP', displayName: 'Seoul', description: 'This region is recommended to serve users in South Korea' },
  'ap-southeast-1': { continentCode: 'AP', displayName: 'Singapore', description: 'This region is recommended to serve users in Southeast Asia' },
  'ap-southeast-2': { continentCode: 'AP', displayName: 'Sydney', description: 'This region is recommended to serve users in Australia and New Zealand' },
  'ap-southeast-3': { continentCode: 'AP', displayName: 'Jakarta', description: 'This region is recommended to serve users in Indonesia' },
  'ap-southeast-5': { continentCode: 'AP', displayName: 'Malaysia', description: 'This region is recommended to serve users in Malaysia' },
};

function regionFacts(name: string): RegionFacts {
  const known = KNOWN_REGIONS[name];
  if (known) return known;
  const prefix = name.split('-')[0] ?? '';
  const continentCode = ({ us: 'NA', ca: 'NA', eu: 'EU', ap: 'AP', sa: 'SA', af: 'AF', me: 'ME' } as Record<string, string>)[prefix] ?? 'NA';
  return { continentCode, displayName: name, description: `Region ${name}` };
}

// ---------------------------------------------------------------- the served fleet

interface RegionView {
  name: string;
  /** Set when the whole region answers this error. */
  error?: ErrorInfo;
  instances: InventoryInstance[];
  byName: Map<string, InventoryInstance>;
}

interface Fleet {
  /** Inventory order: regions[] first, then regions only instances name. */
  regions: RegionView[];
  byRegion: Map<string, RegionView>;
}

const DEFAULT_REGION_ERROR: ErrorInfo = {
  code: 'AccessDeniedException',
  message: 'User is not authorized to perform lightsail operations in this region',
};

function indexFleet(inventory: Inventory): Fleet {
  const byRegion = new Map<string, RegionView>();
  const regions: RegionView[] = [];
  const regionView = (name: string): RegionView => {
    let view = byRegion.get(name);
    if (!view) {
      view = { name, instances: [], byName: new Map() };
      byRegion.set(name, view);
      regions.push(view);
    }
    return view;
  };
  for (const region of inventory.regions) {
    const view = regionView(region.name);
    if (region.status === 'error') view.error = region.error ?? DEFAULT_REGION_ERROR;
  }
  for (const instance of inventory.instances) {
    const view = regionView(instance.region);
    view.instances.push(instance);
    // The first of two same-named instances wins, as a name is unique per region in Lightsail.
    if (!view.byName.has(instance.name)) view.byName.set(instance.name, instance);
  }
  return { regions, byRegion };
}

/** Stable hex digest of the instance identity, the source of every synthesized field. */
function identityHash(instance: InventoryInstance): string {
  return createHash('sha256').update(`${instance.region}\0${instance.name}`).digest('hex');
}

function uuidFromHash(hex: string): string {
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function synthesizedArn(name: string, region: string): string {
  const hex = identityHash({ name, region });
  return `arn:aws:lightsail:${region}:${DEFAULT_ACCOUNT_ID}:Instance/${uuidFromHash(hex)}`;
}

function stringField(instance: InventoryInstance, key: string): string | undefined {
  const value = instance[key];
  return typeof value === 'string' ? value : undefined;
}

function accessFrom(cidrs: unknown, ipv6Cidrs: unknown, aliases: unknown): string {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  if (list(cidrs).includes('0.0.0.0/0') || list(ipv6Cidrs).includes('::/0')) return 'Anywhere (0.0.0.0/0 and ::/0)';
  if (list(aliases).includes('lightsail-connect')) return 'Lightsail browser SSH/RDP';
  const all = [...list(cidrs), ...list(ipv6Cidrs)];
  return all.length === 1 && typeof all[0] === 'string' ? all[0] : 'Custom';
}

/** The Instance shape of GetInstances, built from an inventory entry. */
function instanceShape(instance: InventoryInstance): Record<string, unknown> {
  const hex = identityHash(instance);
  const arn = instance.arn ?? `arn:aws:lightsail:${instance.region}:${DEFAULT_ACCOUNT_ID}:Instance/${uuidFromHash(hex)}`;
  const account = arn.split(':')[4] || DEFAULT_ACCOUNT_ID;
  const ipv6 = Array.isArray(instance.ipv6Addresses) ? instance.ipv6Addresses : [];
  const publicIp = instance.publicIpAddress;
  const createdAtRaw = instance['createdAt'];
  // Deterministic creation time within 2024 unless the inventory gives one.
  const createdAt =
    typeof createdAtRaw === 'number'
      ? createdAtRaw
      : typeof createdAtRaw === 'string' && !Number.isNaN(Date.parse(createdAtRaw))
        ? Date.parse(createdAtRaw) / 1000
        : 1704067200 + (parseInt(hex.slice(0, 8), 16) % 31_536_000);
  const states = Array.isArray(instance.portStates) ? instance.portStates : [];
  const ports = states
    .filter((s) => s !== null && typeof s === 'object' && s.state !== 'closed')
    .map((s) => ({
      fromPort: s.fromPort,
      toPort: s.toPort,
      protocol: s.protocol,
      accessFrom: accessFrom(s.cidrs, s.ipv6Cidrs, s.cidrListAliases),
      accessType: 'public',
      commonName: '',
      accessDirection: 'inbound',
      cidrs: s.cidrs,
      ipv6Cidrs: s.ipv6Cidrs,
      cidrListAliases: s.cidrListAliases,
    }));
  const ipAddressType =
    stringField(instance, 'ipAddressType') ?? (publicIp === undefined && ipv6.length > 0 ? 'ipv6' : ipv6.length > 0 ? 'dualstack' : 'ipv4');
  const shape: Record<string, unknown> = {
    name: instance.name,
    arn,
    supportCode: `${account}/i-${hex.slice(32, 49)}`,
    createdAt,
    location: { availabilityZone: `${instance.region}a`, regionName: instance.region },
    resourceType: 'Instance',
    tags: Array.isArray(instance.tags) ? instance.tags : [],
    blueprintId: stringField(instance, 'blueprintId') ?? 'ubuntu_22_04',
    blueprintName: stringField(instance, 'blueprintName') ?? 'Ubuntu',
    bundleId: stringField(instance, 'bundleId') ?? 'small_3_0',
    isStaticIp: instance['isStaticIp'] === true,
    privateIpAddress:
      stringField(instance, 'privateIpAddress') ??
      `172.26.${parseInt(hex.slice(50, 52), 16)}.${(parseInt(hex.slice(52, 54), 16) % 254) + 1}`,
    ipv6Addresses: ipv6,
    ipAddressType,
    hardware: { cpuCount: 2, ramSizeInGb: 2 },
    state: { code: 16, name: 'running' },
    username: 'ubuntu',
    sshKeyName: 'LightsailDefaultKeyPair',
    networking: { monthlyTransfer: { gbPerMonthAllocated: 3072 }, ports },
  };
  if (publicIp !== undefined) shape['publicIpAddress'] = publicIp;
  return shape;
}

// ---------------------------------------------------------------- faults


class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private readonly capacity: number;
  constructor(private readonly perSecond: number, burst: number | undefined) {
    this.capacity = Math.max(1, burst ?? Math.ceil(perSecond));
    this.tokens = this.capacity;
  }
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

// ---------------------------------------------------------------- requests

class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly status = statusForErrorCode(code)) {
    super(message);
  }
}

const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/** The region of the SigV4 credential scope, or an ApiError like AWS answers an unsigned call. */
export function regionFromAuthorization(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const scope = CREDENTIAL_SCOPE.exec(header);
  if (!scope) {
    throw new ApiError(
      'IncompleteSignatureException',
      "Authorization header requires 'Credential' of the form AKID/yyyymmdd/region/lightsail/aws4_request",
    );
  }
  if (scope[3] !== 'lightsail') {
    throw new ApiError('IncompleteSignatureException', `Credential should be scoped to correct service: 'lightsail', not '${scope[3]}'`);
  }
  return scope[2] as string;
}

interface PageToken {
  region: string;
  offset: number;
  nonce: string;
}

export function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    return Promise.reject(new UserInputError(`emulator host ${host} is not a loopback address (use 127.0.0.1 or ::1)`));
  }
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    return Promise.reject(new UserInputError(`emulator page size must be a positive integer, got ${pageSize}`));
  }
  const faults = options.faults ?? {};
  const fleet = indexFleet(options.inventory);
  const random = mulberry32(faults.seed ?? 1);
  const bucket = faults.rateLimit ? new TokenBucket(faults.rateLimit.requestsPerSecond, faults.rateLimit.burst) : undefined;
  // Tokens from one server run are meaningless to another: a per-server nonce.
  const nonce = randomBytes(6).toString('hex');
  const calls: CallRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const encodeToken = (token: PageToken): string =>
    Buffer.from(JSON.stringify({ r: token.region, o: token.offset, n: token.nonce })).toString('base64url');

  const decodeToken = (raw: unknown, region: string, total: number): number => {
    const invalid = new ApiError('InvalidInputException', 'The pageToken is not valid for this request.');
    if (typeof raw !== 'string' || !/^[A-Za-z0-9_-]+$/.test(raw)) throw invalid;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    } catch {
      throw invalid;
    }
    if (parsed === null || typeof parsed !== 'object') throw invalid;
    const { r, o, n } = parsed as Record<string, unknown>;
    if (r !== region || n !== nonce || typeof o !== 'number' || !Number.isInteger(o) || o < 1 || o >= total) throw invalid;
    return o;
  };

  const answer = (region: RegionView | undefined, regionName: string, operation: string, input: Record<string, unknown>): unknown => {
    switch (operation) {
      case 'GetRegions': {
        if (region?.error) throw new ApiError(region.error.code, region.error.message);
        const withZones = input['includeAvailabilityZones'] === true;
        const withDbZones = input['includeRelationalDatabaseAvailabilityZones'] === true;
        const zones = (name: string) => (['a', 'b', 'c'] as const).map((z) => ({ zoneName: `${name}${z}`, state: 'available' }));
        return {
          regions: fleet.regions.map((r) => ({
            ...regionFacts(r.name),
            name: r.name,
            availabilityZones: withZones ? zones(r.name) : [],
            relationalDatabaseAvailabilityZones: withDbZones ? zones(r.name) : [],
          })),
        };
      }
      case 'GetInstances': {
        if (region?.error) throw new ApiError(region.error.code, region.error.message);
        const all = region?.instances ?? [];
        const offset = input['pageToken'] === undefined ? 0 : decodeToken(input['pageToken'], regionName, all.length);
        const page = all.slice(offset, offset + pageSize).map(instanceShape);
        const next = offset + pageSize;
        return next < all.length
          ? { instances: page, nextPageToken: encodeToken({ region: regionName, offset: next, nonce }) }
          : { instances: page };
      }
      case 'GetInstancePortStates': {
        if (region?.error) throw new ApiError(region.error.code, region.error.message);
        const name = input['instanceName'];
        if (typeof name !== 'string' || !INSTANCE_NAME.test(name)) {
          throw new ApiError('InvalidInputException', 'instanceName is required and must match \\w[\\w\\-]*\\w');
        }
        const instance = region?.byName.get(name);
        if (!instance || instance.status === 'gone') {
          throw new ApiError('NotFoundException', `The Instance does not exist: ${name}`);
        }
        if (instance.status === 'error') {
          const error = instance.error ?? { code: 'ServiceException', message: 'An internal error occurred.' };
          throw new ApiError(error.code, error.message);
        }
        // Raw, exactly as recorded: an absent list stays absent, like an API that answers `{}`.
        return instance.portStates === undefined ? {} : { portStates: instance.portStates };
      }
      default:
        throw new ApiError(
          'UnknownOperationException',
          `Operation ${operation || '(none)'} is not supported by the Portolan Lightsail emulator, which is read-only`,
        );
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const started = performance.now();
    const record: CallRecord = { operation: '', region: '', outcome: 'ok', startedAt: Date.now(), durationMs: 0 };
    calls.push(record);
    const target = req.headers['x-amz-target'];
    const targetText = typeof target === 'string' ? target : '';
    record.operation = targetText.startsWith(TARGET_PREFIX) ? targetText.slice(TARGET_PREFIX.length) : targetText;
    const auth = req.headers['authorization'];

    // Draw every random number in a fixed order per call, so a seed reproduces the same faults.
    const jitter = (faults.jitterMs ?? 0) > 0 ? random() * (faults.jitterMs ?? 0) : 0;
    const dropDraw = random();
    const errorDraw = random();
    const throttled = bucket !== undefined && !bucket.take();

    let payload: { status: number; body: unknown; errorCode?: string };
    let region = '';
    try {
      if (req.method !== 'POST') throw new ApiError('UnknownOperationException', `Method ${req.method ?? ''} is not supported; use POST /`);
      region = regionFromAuthorization(typeof auth === 'string' ? auth : undefined);
      record.region = region;
      let input: Record<string, unknown> = {};
      const text = body.toString('utf8').trim();
      if (text !== '') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new ApiError('SerializationException', 'The request body is not valid JSON');
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new ApiError('SerializationException', 'The request body must be a JSON object');
        }
        input = parsed as Record<string, unknown>;
      }
      if (typeof input['instanceName'] === 'string') record.instanceName = input['instanceName'];
      if (throttled) throw new ApiError('ThrottlingException', 'Rate exceeded');
      if (faults.dropRate !== undefined && dropDraw < faults.dropRate) {
        payload = { status: 0, body: undefined, errorCode: 'dropped' };
      } else if (faults.errorRate !== undefined && errorDraw < faults.errorRate) {
        throw new ApiError('ServiceException', 'An internal error occurred (injected fault).');
      } else {
        payload = { status: 200, body: answer(fleet.byRegion.get(region), region, record.operation, input) };
      }
    } catch (caught) {
      // A bug here must not kill a server others are using: answer it as AWS would.
      const error = caught instanceof ApiError ? caught : new ApiError('ServiceException', `Emulator internal error: ${String(caught)}`);
      payload = {
        status: error.status,
        body: { __type: error.code, message: error.message, code: error.code },
        errorCode: error.code,
      };
    }

    const delay =
      (faults.latencyMs ?? 0) + jitter + (faults.slowRegion && faults.slowRegion.region === region ? faults.slowRegion.latencyMs : 0);
    const finish = (): void => {
      record.durationMs = performance.now() - started;
      if (payload.errorCode === 'dropped') {
        record.outcome = 'dropped';
        req.socket.destroy();
        return;
      }
      record.outcome = payload.errorCode ?? 'ok';
      const text = JSON.stringify(payload.body);
      const headers: Record<string, string | number> = {
        'Content-Type': 'application/x-amz-json-1.1',
        'Content-Length': Buffer.byteLength(text),
        'x-amzn-RequestId': randomUUID(),
      };
      if (payload.errorCode) headers['x-amzn-ErrorType'] = payload.errorCode;
      res.writeHead(payload.status, headers);
      res.end(text);
    };
    if (delay > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        finish();
      }, delay);
      timers.add(timer);
    } else {
      finish();
    }
  };

  const server = createServer({ keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.socket.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size <= MAX_BODY_BYTES) handle(req, res, Buffer.concat(chunks));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const hostText = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${hostText}:${address.port}`,
        calls,
        close: () =>
          new Promise<void>((done) => {
            for (const timer of timers) clearTimeout(timer);
            timers.clear();
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}
