import { Command } from 'commander';
import { UserInputError } from '../../core/errors.js';
import { readInventoryFile } from '../inventory-file.js';
import { DEFAULT_PAGE_SIZE, isLoopbackHost, startEmulator, type FaultConfig } from '../../emulator/server.js';

/** Flags as commander hands them over: strings, unparsed. */
export interface EmulatorFlags {
  inventory?: string;
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
}

export interface EmulatorSettings {
  inventoryPath: string;
  host: string;
  port: number;
  pageSize: number;
  /** Faults given as flags only; merge with the file's using mergeFaults. */
  faults: FaultConfig;
}

const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const INTEGER = /^\d+$/;

/** Checks every flag, reporting all mistakes at once as UserInputError lines. */
export function parseEmulatorFlags(flags: EmulatorFlags): EmulatorSettings {
  const problems: string[] = [];
  const number = (flag: string, raw: string | undefined, pattern: RegExp, ok: (n: number) => boolean, wanted: string): number | undefined => {
    if (raw === undefined) return undefined;
    const value = pattern.test(raw.trim()) ? Number(raw.trim()) : NaN;
    if (Number.isNaN(value) || !ok(value)) {
      problems.push(`${flag}: expected ${wanted}, got "${raw}"`);
      return undefined;
    }
    return value;
  };

  if (flags.inventory === undefined || flags.inventory === '') problems.push('--inventory: an inventory file is required');
  const host = flags.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) problems.push(`--host: ${host} is not a loopback address (127.0.0.0/8 or ::1); the emulator never listens beyond this machine`);
  const port = number('--port', flags.port, INTEGER, (n) => n <= 65535, 'a port 0..65535 (0 = any free port)') ?? 0;
  const pageSize = number('--page-size', flags.pageSize, INTEGER, (n) => n >= 1, 'an integer >= 1') ?? DEFAULT_PAGE_SIZE;

  const faults: FaultConfig = {};
  const latencyMs = number('--latency', flags.latency, DECIMAL, () => true, 'milliseconds >= 0');
  if (latencyMs !== undefined) faults.latencyMs = latencyMs;
  const jitterMs = number('--jitter', flags.jitter, DECIMAL, () => true, 'milliseconds >= 0');
  if (jitterMs !== undefined) faults.jitterMs = jitterMs;
  const requestsPerSecond = number('--rate-limit', flags.rateLimit, DECIMAL, (n) => n > 0, 'requests per second > 0');
  const burst = number('--burst', flags.burst, INTEGER, (n) => n >= 1, 'an integer >= 1');
  if (burst !== undefined && flags.rateLimit === undefined) problems.push('--burst: only with --rate-limit');
  if (requestsPerSecond !== undefined) faults.rateLimit = burst === undefined ? { requestsPerSecond } : { requestsPerSecond, burst };
  const errorRate = number('--error-rate', flags.errorRate, DECIMAL, (n) => n <= 1, 'a fraction 0..1');
  if (errorRate !== undefined) faults.errorRate = errorRate;
  const dropRate = number('--drop-rate', flags.dropRate, DECIMAL, (n) => n <= 1, 'a fraction 0..1');
  if (dropRate !== undefined) faults.dropRate = dropRate;
  if (flags.slowRegion !== undefined) {
    const m = /^([a-z0-9-]+):(\d+(?:\.\d*)?)$/.exec(flags.slowRegion.trim());
    if (m) faults.slowRegion = { region: m[1] as string, latencyMs: Number(m[2]) };
    else problems.push(`--slow-region: expected REGION:MS (e.g. eu-west-1:500), got "${flags.slowRegion}"`);
  }
  const seed = number('--seed', flags.seed, INTEGER, (n) => Number.isSafeInteger(n), 'a non-negative integer');
  if (seed !== undefined) faults.seed = seed;

  if (problems.length > 0) throw new UserInputError(problems);
  return { inventoryPath: flags.inventory as string, host, port, pageSize, faults };
}

/** Flags override the inventory file's `faults` section, key by key. */
export function mergeFaults(fromFile: FaultConfig | undefined, fromFlags: FaultConfig): FaultConfig {
  return { ...fromFile, ...fromFlags };
}

function describeFaults(faults: FaultConfig): string {
  const parts: string[] = [];
  if (faults.latencyMs) parts.push(`latency ${faults.latencyMs} ms`);
  if (faults.jitterMs) parts.push(`jitter 0..${faults.jitterMs} ms`);
  if (faults.rateLimit) parts.push(`rate limit ${faults.rateLimit.requestsPerSecond}/s${faults.rateLimit.burst ? ` burst ${faults.rateLimit.burst}` : ''}`);
  if (faults.errorRate) parts.push(`error rate ${faults.errorRate}`);
  if (faults.dropRate) parts.push(`drop rate ${faults.dropRate}`);
  if (faults.slowRegion) parts.push(`${faults.slowRegion.region} +${faults.slowRegion.latencyMs} ms`);
  if (parts.length > 0 && faults.seed !== undefined) parts.push(`seed ${faults.seed}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

export function emulatorCommand(): Command {
  return new Command('emulator')
    .description('Serve an inventory file as a local, read-only Lightsail API on loopback (for tests, demos and CI)')
    .requiredOption('--inventory <file>', 'inventory JSON to serve (as written by `portolan collect`)')
    .option('--host <address>', 'loopback address to listen on (127.0.0.0/8 or ::1)', '127.0.0.1')
    .option('--port <n>', 'port, 0 = any free port', '0')
    .option('--page-size <n>', 'GetInstances page size', String(DEFAULT_PAGE_SIZE))
    .option('--latency <ms>', 'fixed latency added to every call')
    .option('--jitter <ms>', 'extra random latency, uniform 0..ms')
    .option('--rate-limit <rps>', 'token bucket over the whole server; over it calls get ThrottlingException')
    .option('--burst <n>', 'token bucket size for --rate-limit (default: the rate, at least 1)')
    .option('--error-rate <fraction>', 'fraction of calls answered with ServiceException (HTTP 500)')
    .option('--drop-rate <fraction>', 'fraction of calls whose connection is dropped without an answer')
    .option('--slow-region <region:ms>', 'extra latency for every call in one region')
    .option('--seed <n>', 'seed for jitter and random faults (reproducible runs)')
    .action(async (flags: EmulatorFlags) => {
      const settings = parseEmulatorFlags(flags);
      const file = readInventoryFile(settings.inventoryPath);
      const faults = mergeFaults(file.faults, settings.faults);
      let emulator;
      try {
        emulator = await startEmulator({ inventory: file.inventory, host: settings.host, port: settings.port, pageSize: settings.pageSize, faults });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
          throw new UserInputError(`--port: cannot listen on ${settings.host}:${settings.port} (${code})`);
        }
        throw error;
      }
      process.stdout.write(`Lightsail emulator listening on ${emulator.url}\n`);
      const regions = new Set([...file.inventory.regions.map((r) => r.name), ...file.inventory.instances.map((i) => i.region)]);
      process.stdout.write(
        `Serving ${file.inventory.instances.length} instances in ${regions.size} regions from ${settings.inventoryPath} (page size ${settings.pageSize}; faults: ${describeFaults(faults)}). Read-only; signatures are not checked. Ctrl-C to stop.\n`,
      );
      const running = emulator;
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void running.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
