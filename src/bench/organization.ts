// Organization benchmark: 50 accounts x 100 instances, 20 ms a call, account
// concurrency 8 (and the default 8 reads in flight per account), the
// emulator in its own process. Wall time against the lower bound: the longest
// account's own bound, or every call's latency spread over every slot.
// Figures are printed, never asserted.

import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectOrganization } from '../aws/organization-collector.js';
import { DEFAULT_CONCURRENCY } from '../aws/collector.js';
import { DEFAULT_PAGE_SIZE } from '../emulator/server.js';
import { emulatorProcess, OFFLINE_ENV, type EmulatorHandle } from './emulator-process.js';

/** An organization of `accounts` accounts of `perAccount` instances each, served from a child process. */
function organizationEmulator(accounts: number, perAccount: number, latencyMs: number): Promise<EmulatorHandle> {
  const here = dirname(fileURLToPath(import.meta.url));
  return emulatorProcess(`
    const { startEmulator } = await import(${JSON.stringify(join(here, '..', 'emulator', 'server.js'))});
    const { findingsHeavyFleet } = await import(${JSON.stringify(join(here, 'fleet.js'))});
    const ids = Array.from({ length: ${accounts} }, (_, k) => String(200000000000 + k));
    const spec = {
      version: 1,
      organization: { id: 'o-benchmark01', managementAccountId: '111111111111' },
      units: [{ id: 'ou-root-bench001', name: 'bench', parent: 'r-root' }],
      accounts: ids.map((id, k) => {
        const fleet = findingsHeavyFleet(${perAccount}, 500 + k, id, 1);
        return { id, name: 'bench-' + k, status: 'ACTIVE', parent: 'ou-root-bench001', roles: [{ name: 'PortolanAudit' }], inventory: { regions: fleet.regions, instances: fleet.instances } };
      }),
      faults: { lightsail: { latencyMs: ${latencyMs} }, sts: { latencyMs: ${latencyMs} }, organizations: { latencyMs: ${latencyMs} } },
    };
    const em = await startEmulator({ organization: spec });`);
}

/**
 * The least time the calls can take. One account: AssumeRole, GetRegions and
 * its listing pages one after another, then its reads `concurrency` at a time
 * (listing and reading overlap, so this is generous to us). All accounts:
 * discovery's calls, then every call spread over `accountConcurrency` x
 * `concurrency` slots.
 */
function lowerBoundMs(accounts: number, perAccount: number, latencyMs: number, accountConcurrency: number, concurrency: number): { bound: number; oneAccount: number } {
  const pages = Math.ceil(perAccount / DEFAULT_PAGE_SIZE);
  const discovery = (3 + Math.ceil(accounts / 20)) * latencyMs; // ListAccounts pages, ListRoots, the one unit's children
  const longestAccount = (2 + pages) * latencyMs + Math.ceil(perAccount / concurrency) * latencyMs;
  const calls = accounts * (2 + pages + perAccount);
  const spread = (calls * latencyMs) / (accountConcurrency * concurrency);
  return { bound: discovery + Math.max(longestAccount, spread), oneAccount: longestAccount };
}

export async function runOrganizationBench(): Promise<void> {
  for (const [k, v] of Object.entries(OFFLINE_ENV)) process.env[k] = v;
  const [accounts, perAccount, latencyMs, accountConcurrency] = [50, 100, 20, 8];
  const emulator = await organizationEmulator(accounts, perAccount, latencyMs);
  let counts: Record<string, number> | undefined;
  try {
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const inventory = await collectOrganization({
      excludeAccounts: ['111111111111'], // the management account has no audit role here
      endpointUrl: emulator.url,
      homeRegion: 'us-east-1',
      credentials: () => Promise.resolve({ accessKeyId: 'bench', secretAccessKey: 'bench' }),
      accountConcurrency,
    });
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    counts = await emulator.stop();
    const lost = inventory.instances.filter((i) => i.status === 'error').length + (accounts * perAccount - inventory.instances.length);
    const failedAccounts = inventory.accounts?.filter((a) => a.status === 'error').length ?? accounts;
    const { bound, oneAccount } = lowerBoundMs(accounts, perAccount, latencyMs, accountConcurrency, DEFAULT_CONCURRENCY);
    const calls = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(
      `organization: ${accounts} accounts x ${perAccount} instances, ${latencyMs} ms a call, account concurrency ${accountConcurrency}, ` +
        `${DEFAULT_CONCURRENCY} reads per account: ${(wallMs / 1000).toFixed(2)} s for ${calls} calls, lower bound ${(bound / 1000).toFixed(2)} s, ` +
        `ratio ${(wallMs / bound).toFixed(2)} (target <= 1.3); accounts one after another would take at least ${((oneAccount * accounts) / 1000).toFixed(1)} s; ` +
        `collector CPU ${((cpu.user + cpu.system) / 1000 / calls).toFixed(2)} ms a call (${((cpu.user + cpu.system) / 1e6).toFixed(1)} s in all); ` +
        `${failedAccounts} accounts in error, ${lost} instances lost; ` +
        `load average ${loadavg().map((n) => n.toFixed(2)).join(' ')} on ${availableParallelism()} cores`,
    );
  } finally {
    if (!counts) await emulator.stop().catch(() => undefined);
  }
}
