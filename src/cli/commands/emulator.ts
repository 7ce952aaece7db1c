import { Command } from 'commander';
import { UserInputError } from '../../core/errors.js';
import { readInventoryFile } from '../inventory-file.js';
import { interruption } from '../interrupt.js';
import { stdout } from '../output.js';
import { MAX_DELAY_MS, mergeFaults, type FaultConfig } from '../../emulator/faults.js';
import { loadOrganizationFile, type OrganizationSpec } from '../../emulator/organization-file.js';
import { DEFAULT_PAGE_SIZE, isLoopbackHost, ListenError, startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/server.js';
import { excerpt } from '../../emulator/text.js';

export { mergeFaults };

/** Flags as commander hands them over: strings, unparsed. */
export interface EmulatorFlags {
  inventory?: string;
  organization?: string;
  host?: string;
  port?: string;
  pageSize?: string;
  latency?: string;
  jitter?: string;
  rateLimit?: string;
  burst?: string;
  errorRate?: string;
  dropRate?: string;
  slowRegion?: string;
  seed?: string;
  credentialLifetime?: string;
}

export interface EmulatorSettings {
  /** Set when serving one inventory. */
  inventoryPath?: string;
  /** Set when serving an organization file. */
  organizationPath?: string;
  host: string;
  port: number;
  pageSize: number;
  /** Faults given as flags only: merged over the file's (every service and account), key by key. */
  faults: FaultConfig;
  credentialLifetimeSeconds?: number;
}

const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const INTEGER = /^\d+$/;
const DELAY_WANTED = `milliseconds 0..${MAX_DELAY_MS} (one hour at most)`;

type NumberFlag = (flag: string, raw: string | undefined, pattern: RegExp, ok: (n: number) => boolean, wanted: string) => number | undefined;

function numberFlagReader(problems: string[]): NumberFlag {
  return (flag, raw, pattern, ok, wanted) => {
    if (raw === undefined) return undefined;
    const value = pattern.test(raw.trim()) ? Number(raw.trim()) : NaN;
    if (Number.isNaN(value) || !ok(value)) {
      problems.push(`${flag}: expected ${wanted}, got ${excerpt(raw)}`);
      return undefined;
    }
    return value;
  };
}

function parseFaultFlags(flags: EmulatorFlags, number: NumberFlag, problems: string[]): FaultConfig {
  const faults: FaultConfig = {};
  const delay = (n: number): boolean => n <= MAX_DELAY_MS;
  const latencyMs = number('--latency', flags.latency, DECIMAL, delay, DELAY_WANTED);
  if (latencyMs !== undefined) faults.latencyMs = latencyMs;
  const jitterMs = number('--jitter', flags.jitter, DECIMAL, delay, DELAY_WANTED);
  if (jitterMs !== undefined) faults.jitterMs = jitterMs;
  const requestsPerSecond = number('--rate-limit', flags.rateLimit, DECIMAL, (n) => n > 0, 'requests per second > 0');
  const burst = number('--burst', flags.burst, INTEGER, (n) => n >= 1 && Number.isSafeInteger(n), 'an integer >= 1');
  if (burst !== undefined && flags.rateLimit === undefined) problems.push('--burst: only with --rate-limit');
  if (requestsPerSecond !== undefined) faults.rateLimit = burst === undefined ? { requestsPerSecond } : { requestsPerSecond, burst };
  const errorRate = number('--error-rate', flags.errorRate, DECIMAL, (n) => n <= 1, 'a fraction 0..1');
  if (errorRate !== undefined) faults.errorRate = errorRate;
  const dropRate = number('--drop-rate', flags.dropRate, DECIMAL, (n) => n <= 1, 'a fraction 0..1');
  if (dropRate !== undefined) faults.dropRate = dropRate;
  if (flags.slowRegion !== undefined) {
    const m = /^([a-z0-9-]+):(\d+(?:\.\d*)?)$/.exec(flags.slowRegion.trim());
    if (!m) problems.push(`--slow-region: expected REGION:MS (e.g. eu-west-1:500), got ${excerpt(flags.slowRegion)}`);
    else if (Number(m[2]) > MAX_DELAY_MS) problems.push(`--slow-region: expected REGION:MS with MS ${DELAY_WANTED}, got ${excerpt(flags.slowRegion)}`);
    else faults.slowRegion = { region: m[1] as string, latencyMs: Number(m[2]) };
  }
  const seed = number('--seed', flags.seed, INTEGER, (n) => Number.isSafeInteger(n), 'a non-negative integer');
  if (seed !== undefined) faults.seed = seed;
  return faults;
}

/** Checks every flag, reporting all mistakes at once as UserInputError lines. */
export function parseEmulatorFlags(flags: EmulatorFlags): EmulatorSettings {
  const problems: string[] = [];
  const number = numberFlagReader(problems);
  const inventoryPath = flags.inventory === '' ? undefined : flags.inventory;
  const organizationPath = flags.organization === '' ? undefined : flags.organization;
  if (inventoryPath === undefined && organizationPath === undefined) problems.push('--inventory: an inventory file (or --organization FILE) is required');
  if (inventoryPath !== undefined && organizationPath !== undefined) problems.push('--organization: serves a whole organization; give it or --inventory, not both');
  const host = flags.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) problems.push(`--host: ${excerpt(host)} is not a loopback address (127.0.0.0/8 or ::1); the emulator never listens beyond this machine`);
  const port = number('--port', flags.port, INTEGER, (n) => n <= 65535, 'a port 0..65535 (0 = any free port)') ?? 0;
  const pageSize = number('--page-size', flags.pageSize, INTEGER, (n) => n >= 1 && Number.isSafeInteger(n), 'an integer >= 1') ?? DEFAULT_PAGE_SIZE;
  const faults = parseFaultFlags(flags, number, problems);
  const lifetime = number('--credential-lifetime', flags.credentialLifetime, DECIMAL, (n) => n > 0 && n <= 43_200, 'seconds > 0, at most 43200 (12 hours)');
  if (lifetime !== undefined && organizationPath === undefined) problems.push('--credential-lifetime: only with --organization (only AssumeRole hands out credentials)');
  if (problems.length > 0) throw new UserInputError(problems);
  return {
    ...(inventoryPath !== undefined ? { inventoryPath } : {}),
    ...(organizationPath !== undefined ? { organizationPath } : {}),
    host,
    port,
    pageSize,
    faults,
    ...(lifetime !== undefined ? { credentialLifetimeSeconds: lifetime } : {}),
  };
}

export function describeFaults(faults: FaultConfig): string {
  const parts: string[] = [];
  if (faults.latencyMs) parts.push(`latency ${faults.latencyMs} ms`);
  if (faults.jitterMs) parts.push(`jitter 0..${faults.jitterMs} ms`);
  if (faults.rateLimit) parts.push(`rate limit ${faults.rateLimit.requestsPerSecond}/s${faults.rateLimit.burst ? ` burst ${faults.rateLimit.burst}` : ''}`);
  if (faults.errorRate) parts.push(`error rate ${faults.errorRate}`);
  if (faults.dropRate) parts.push(`drop rate ${faults.dropRate}`);
  if (faults.slowRegion) parts.push(`${faults.slowRegion.region} +${faults.slowRegion.latencyMs} ms`);
  if (faults.portDrift) parts.push('port drift');
  if (parts.length > 0 && faults.seed !== undefined) parts.push(`seed ${faults.seed}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

interface Served {
  options: Pick<EmulatorOptions, 'inventory' | 'organization' | 'faults'>;
  /** What the second line of output says is served. */
  summary: string;
}

async function serveInventory(settings: EmulatorSettings, path: string): Promise<Served> {
  const file = await readInventoryFile(path);
  const faults = mergeFaults(file.faults, settings.faults);
  const regions = new Set([...file.inventory.regions.map((r) => r.name), ...file.inventory.instances.map((i) => i.region)]);
  return {
    options: { inventory: file.inventory, faults },
    summary: `Serving ${file.inventory.instances.length} instances in ${regions.size} regions from ${path} (page size ${settings.pageSize}; faults: ${describeFaults(faults)}).`,
  };
}

function organizationSummary(spec: OrganizationSpec, settings: EmulatorSettings, path: string): string {
  // A file may leave out its management account: it is served all the same, active.
  const withManagement = spec.accounts.some((a) => a.id === spec.organization.managementAccountId) ? 0 : 1;
  const total = spec.accounts.length + withManagement;
  const active = spec.accounts.filter((a) => a.status === 'ACTIVE').length + withManagement;
  const lifetime = settings.credentialLifetimeSeconds === undefined ? '' : `; credentials expire after ${settings.credentialLifetimeSeconds} s`;
  return (
    `Serving organization ${spec.organization.id} from ${path}: ${total} accounts (${active} active) in ${spec.units?.length ?? 0} units; ` +
    `Organizations, STS and each account's Lightsail (page size ${settings.pageSize}; faults from flags: ${describeFaults(settings.faults)}${lifetime}).`
  );
}

async function serveOrganization(settings: EmulatorSettings, path: string): Promise<Served> {
  const spec = await loadOrganizationFile(path, { loadInventory: async (file) => await readInventoryFile(file) });
  return { options: { organization: spec, faults: settings.faults }, summary: organizationSummary(spec, settings, path) };
}

async function start(settings: EmulatorSettings, served: Served): Promise<RunningEmulator> {
  try {
    return await startEmulator({
      ...served.options,
      host: settings.host,
      port: settings.port,
      pageSize: settings.pageSize,
      ...(settings.credentialLifetimeSeconds !== undefined ? { credentialLifetimeSeconds: settings.credentialLifetimeSeconds } : {}),
    });
  } catch (error) {
    if (!(error instanceof ListenError)) throw error;
    // A port in use or denied is the port's fault; an address this host lacks (no IPv6) the host's.
    const flag = error.code === 'EADDRINUSE' || error.code === 'EACCES' ? '--port' : '--host';
    throw new UserInputError(`${flag}: ${error.message}`);
  }
}

export function emulatorCommand(): Command {
  return new Command('emulator')
    .description('Serve an inventory (one account) or an organization file (Organizations, STS and every account\'s Lightsail) as a local, read-only AWS endpoint on loopback, for tests, demos and CI')
    .option('--inventory <file>', 'inventory JSON to serve, as `portolan collect` writes it (this or --organization is required)')
    .option('--organization <file>', 'organization file to serve: Organizations, STS and every account (see README, organization mode)')
    .option('--host <address>', 'loopback address to listen on: 127.0.0.0/8 or ::1 (default: 127.0.0.1)')
    .option('--port <n>', 'port; 0 picks a free one (default: 0)')
    .option('--page-size <n>', `GetInstances page size (default: ${DEFAULT_PAGE_SIZE})`)
    .option('--latency <ms>', `fixed latency added to every call, at most ${MAX_DELAY_MS} (default: 0)`)
    .option('--jitter <ms>', `extra random latency, uniform 0..ms, at most ${MAX_DELAY_MS} (default: 0)`)
    .option('--rate-limit <rps>', 'token bucket per service and account; over it calls get the service\'s throttling error (default: none)')
    .option('--burst <n>', 'token bucket size for --rate-limit (default: the rate, at least 1)')
    .option('--error-rate <fraction>', 'fraction of calls answered with an internal error, HTTP 500 (default: 0)')
    .option('--drop-rate <fraction>', 'fraction of calls whose connection is dropped without an answer (default: 0)')
    .option('--slow-region <region:ms>', 'extra latency for every call in one region (default: none)')
    .option('--seed <n>', 'seed for jitter and random faults, for reproducible runs (default: 1)')
    .option('--credential-lifetime <seconds>', 'with --organization: credentials from AssumeRole expire after this long, to test refresh (default: the DurationSeconds asked for, else 3600)')
    .action(async (flags: EmulatorFlags) => {
      const settings = parseEmulatorFlags(flags);
      const served = settings.organizationPath !== undefined ? await serveOrganization(settings, settings.organizationPath) : await serveInventory(settings, settings.inventoryPath as string);
      const emulator = await start(settings, served);
      // Serving until stopped: a signal is this command's normal end (exit 0), not an interruption.
      const stopped = interruption().stopGracefully();
      interruption().install();
      const out = stdout();
      out.write(`Lightsail emulator listening on ${emulator.url}\n`);
      out.line(`${served.summary} Read-only; signatures are not checked. Ctrl-C to stop.`);
      if (!stopped.aborted) {
        await new Promise<void>((resolve) => {
          stopped.addEventListener('abort', () => {
            resolve();
          }, { once: true });
        });
      }
      await emulator.close();
    });
}
