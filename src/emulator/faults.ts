// Fault injection, in one place: the configuration (flags, an inventory's
// `faults`, an organization file's per-service faults), its validation, and
// the per-call draw. Each service of each account draws from its own
// injector, so one account's throttling never touches another's, as in AWS.

import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../core/prng.js';
import type { ServiceName } from './record.js';
import { excerpt, isRecord } from './text.js';

/**
 * The longest delay any fault may add, in ms (one hour). Node clamps a timer
 * above 2^31-1 ms to 1 ms, so an unchecked huge latency would silently become
 * no latency at all; a slower answer than this is no test of anything.
 */
export const MAX_DELAY_MS = 3_600_000;

export interface PortDriftFault {
  /** These instances (by name, in any region) list ports that differ from their port states. */
  instances?: string[];
  /** This fraction (0..1) of all instances does, picked by a hash of account, region and name. */
  rate?: number;
}

export interface FaultConfig {
  /** Fixed latency added to every call, in ms (at most MAX_DELAY_MS). */
  latencyMs?: number;
  /** Extra latency drawn uniformly from 0..jitterMs per call (at most MAX_DELAY_MS). */
  jitterMs?: number;
  /** Token bucket over the service (per account for Lightsail); over the limit the service's throttling error. */
  rateLimit?: { requestsPerSecond: number; burst?: number };
  /** Fraction (0..1) of calls answered with the service's internal error (HTTP 500). */
  errorRate?: number;
  /** Fraction (0..1) of calls whose socket is destroyed without an answer. */
  dropRate?: number;
  /** Extra latency (at most MAX_DELAY_MS) for every call in one region. */
  slowRegion?: { region: string; latencyMs: number };
  /** Seed of the PRNG behind jitter, errorRate and dropRate (default 1). */
  seed?: number;
  /** Lightsail only: GetInstances lists `networking.ports` without the first open port state. */
  portDrift?: PortDriftFault;
  /** Organizations only: every listing starts with an empty page that carries a NextToken. */
  emptyPages?: boolean;
}

const COMMON_KEYS = ['latencyMs', 'jitterMs', 'rateLimit', 'errorRate', 'dropRate', 'slowRegion', 'seed'] as const;
const SERVICE_KEYS: Record<ServiceName, readonly string[]> = {
  lightsail: [...COMMON_KEYS, 'portDrift'],
  organizations: [...COMMON_KEYS, 'emptyPages'],
  sts: COMMON_KEYS,
};
const KEY_SERVICE = new Map<string, string>([
  ['portDrift', 'Lightsail (it changes GetInstances listings)'],
  ['emptyPages', 'Organizations (it changes its listings)'],
]);

const DELAY_WANTED = `milliseconds 0..${MAX_DELAY_MS} (one hour at most)`;

/** Shape problems of a fault section as `path: message`, every one at once. */
export function validateFaults(value: unknown, path: string, service: ServiceName = 'lightsail'): string[] {
  if (!isRecord(value)) return [`${path}: expected an object, got ${excerpt(value)}`];
  const problems: string[] = [];
  const known = SERVICE_KEYS[service];
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const onlyFor = KEY_SERVICE.get(key);
    problems.push(onlyFor ? `${path}.${key}: only for ${onlyFor}` : `${path}.${key}: unknown fault (known: ${known.join(', ')})`);
  }
  const number = (obj: Record<string, unknown>, key: string, where: string, check: (n: number) => boolean, wanted: string, optional = true): void => {
    const v = obj[key];
    if (v === undefined && optional) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) problems.push(`${where}.${key}: expected ${wanted}, got ${excerpt(v)}`);
  };
  const delay = (n: number): boolean => n >= 0 && n <= MAX_DELAY_MS;
  const fraction = (n: number): boolean => n >= 0 && n <= 1;
  number(value, 'latencyMs', path, delay, DELAY_WANTED);
  number(value, 'jitterMs', path, delay, DELAY_WANTED);
  number(value, 'errorRate', path, fraction, 'a fraction 0..1');
  number(value, 'dropRate', path, fraction, 'a fraction 0..1');
  number(value, 'seed', path, (n) => Number.isSafeInteger(n), 'an integer');
  const rate = value['rateLimit'];
  if (rate !== undefined) {
    if (!isRecord(rate)) problems.push(`${path}.rateLimit: expected an object {requestsPerSecond, burst?}, got ${excerpt(rate)}`);
    else {
      number(rate, 'requestsPerSecond', `${path}.rateLimit`, (n) => n > 0, 'a number > 0', false);
      number(rate, 'burst', `${path}.rateLimit`, (n) => Number.isSafeInteger(n) && n >= 1, 'an integer >= 1');
    }
  }
  const slow = value['slowRegion'];
  if (slow !== undefined) {
    if (!isRecord(slow)) problems.push(`${path}.slowRegion: expected an object {region, latencyMs}, got ${excerpt(slow)}`);
    else {
      if (typeof slow['region'] !== 'string') problems.push(`${path}.slowRegion.region: expected a string, got ${excerpt(slow['region'])}`);
      number(slow, 'latencyMs', `${path}.slowRegion`, delay, DELAY_WANTED, false);
    }
  }
  if (known.includes('portDrift')) problems.push(...portDriftProblems(value['portDrift'], `${path}.portDrift`));
  if (known.includes('emptyPages') && value['emptyPages'] !== undefined && typeof value['emptyPages'] !== 'boolean') {
    problems.push(`${path}.emptyPages: expected true or false, got ${excerpt(value['emptyPages'])}`);
  }
  return problems;
}

function portDriftProblems(drift: unknown, path: string): string[] {
  if (drift === undefined) return [];
  if (!isRecord(drift)) return [`${path}: expected an object {instances?, rate?}, got ${excerpt(drift)}`];
  const problems: string[] = [];
  for (const key of Object.keys(drift)) if (key !== 'instances' && key !== 'rate') problems.push(`${path}.${key}: unknown key (known: instances, rate)`);
  const instances = drift['instances'];
  if (instances !== undefined) {
    if (!Array.isArray(instances)) problems.push(`${path}.instances: expected an array of instance names, got ${excerpt(instances)}`);
    else {
      instances.forEach((name: unknown, i) => {
        if (typeof name !== 'string') problems.push(`${path}.instances[${i}]: expected a string, got ${excerpt(name)}`);
      });
    }
  }
  const rate = drift['rate'];
  if (rate !== undefined && (typeof rate !== 'number' || !(rate >= 0 && rate <= 1))) problems.push(`${path}.rate: expected a fraction 0..1, got ${excerpt(rate)}`);
  if (instances === undefined && rate === undefined) problems.push(`${path}: give instances, rate or both`);
  return problems;
}

/** Later layers override earlier ones key by key (objects such as rateLimit are replaced whole). */
export function mergeFaults(...layers: (FaultConfig | undefined)[]): FaultConfig {
  const merged: FaultConfig = {};
  for (const layer of layers) Object.assign(merged, layer);
  return merged;
}

class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private readonly capacity: number;
  constructor(
    private readonly perSecond: number,
    burst: number | undefined,
  ) {
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

/** What a call suffers: `answer` means it is answered normally, after delayMs. */
export interface FaultDraw {
  delayMs: number;
  outcome: 'answer' | 'throttle' | 'drop' | 'error';
}

/** The faults of one service in one account: its own PRNG sequence and token bucket. */
export class FaultInjector {
  private readonly random: () => number;
  private readonly bucket: TokenBucket | undefined;

  /** `salt` 0 draws the seed's own sequence; other scopes pass their own salt (see scopeSalt). */
  constructor(
    readonly config: FaultConfig,
    salt = 0,
  ) {
    this.random = mulberry32(((config.seed ?? 1) + salt) >>> 0);
    this.bucket = config.rateLimit ? new TokenBucket(config.rateLimit.requestsPerSecond, config.rateLimit.burst) : undefined;
  }

  draw(region: string): FaultDraw {
    const { config } = this;
    // Every number is drawn in a fixed order per call, so a seed reproduces the same faults.
    const jitter = (config.jitterMs ?? 0) > 0 ? this.random() * (config.jitterMs ?? 0) : 0;
    const dropDraw = this.random();
    const errorDraw = this.random();
    const throttled = this.bucket !== undefined && !this.bucket.take();
    const slow = config.slowRegion && config.slowRegion.region === region ? config.slowRegion.latencyMs : 0;
    const delayMs = Math.min((config.latencyMs ?? 0) + jitter + slow, 3 * MAX_DELAY_MS);
    if (throttled) return { delayMs, outcome: 'throttle' };
    if (config.dropRate !== undefined && dropDraw < config.dropRate) return { delayMs, outcome: 'drop' };
    if (config.errorRate !== undefined && errorDraw < config.errorRate) return { delayMs, outcome: 'error' };
    return { delayMs, outcome: 'answer' };
  }
}

/** A stable 32-bit number per scope name, so scopes sharing a seed do not fail in lockstep. */
export function scopeSalt(scope: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < scope.length; i++) hash = Math.imul(hash ^ scope.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** Whether an instance's listing drifts: named in `instances`, or picked by `rate` (stable per instance). */
export function listingDrifts(drift: PortDriftFault | undefined, accountId: string, region: string, name: string): boolean {
  if (!drift) return false;
  if (drift.instances?.includes(name)) return true;
  return drift.rate !== undefined && scopeSalt(`${accountId}\0${region}\0${name}`) / 2 ** 32 < drift.rate;
}
