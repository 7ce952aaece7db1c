// Collector benchmarks against the local emulator (loopback only, dummy
// credentials). Prints figures; asserts nothing. Targets:
//   pipeline: wall time <= 1.15 x the lower bound
//             (port-state calls x latency / concurrency + pages of the longest region x latency)
//   rate limit 100 req/s: >= 90 successful req/s, zero instances lost
//   20,000-instance collect: peak RSS (measured in a child process)

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { collectInventory, type CollectOptions } from '../aws/collector.js';
import type { RetryMode } from '../aws/client.js';
import type { Inventory, InventoryInstance } from '../core/types.js';
import { DEFAULT_PAGE_SIZE, startEmulator, type FaultConfig } from '../emulator/server.js';
import { emulatorProcess, OFFLINE_ENV, type EmulatorHandle } from './emulator-process.js';

/** Dummy keys too: the CLI child of the memory benchmark has no credentials of its own. */
const BENCH_ENV: Record<string, string> = { ...OFFLINE_ENV, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' };

const credentials = () => Promise.resolve({ accessKeyId: 'bench', secretAccessKey: 'bench' });

export function benchFleet(regions: number, perRegion: number): Inventory {
  const names = Array.from({ length: regions }, (_, r) => `xx-bench-${r + 1}`);
  const instances: InventoryInstance[] = [];
  for (const region of names) {
    for (let k = 0; k < perRegion; k++) {
      instances.push({
        name: `i-${k}`,
        region,
        arn: `arn:aws:lightsail:${region}:111122223333:Instance/00000000-0000-4000-8000-${String(k).padStart(12, '0')}`,
        tags: [{ key: 'env', value: k % 2 ? 'prod' : 'dev' }],
        publicIpAddress: `203.0.113.${k % 250}`,
        ipv6Addresses: [],
        portStates: [
          { fromPort: 22, toPort: 22, protocol: 'tcp', state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: ['::/0'], cidrListAliases: [] },
          { fromPort: 443, toPort: 443, protocol: 'tcp', state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], cidrListAliases: [] },
        ],
      });
    }
  }
  return { version: 1, collectedAt: '2026-11-25T12:00:00Z', regions: names.map((name) => ({ name, status: 'ok' })), instances };
}

interface RunFigures {
  wallMs: number;
  /** Collector CPU (user + system) per API call, in ms: on a busy 2-core machine this bounds the pipeline. */
  cpuMsPerCall: number;
  okCalls: number;
  calls: number;
  lost: number;
  throttled: number;
}

function fleetEmulator(regions: number, perRegion: number, faults: FaultConfig, pageSize = DEFAULT_PAGE_SIZE): Promise<EmulatorHandle> {
  const here = dirname(fileURLToPath(import.meta.url));
  return emulatorProcess(`
    const { startEmulator } = await import(${JSON.stringify(join(here, '..', 'emulator', 'server.js'))});
    const { benchFleet } = await import(${JSON.stringify(join(here, 'collector.js'))});
    const em = await startEmulator({ inventory: benchFleet(${regions}, ${perRegion}), pageSize: ${pageSize}, faults: ${JSON.stringify(faults)} });`);
}

async function timedCollect(regionCount: number, perRegion: number, faults: FaultConfig, options: Partial<CollectOptions>): Promise<RunFigures> {
  const fleet = benchFleet(regionCount, perRegion);
  const emulator = await fleetEmulator(regionCount, perRegion, faults);
  let counts: Record<string, number> | undefined;
  try {
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const got = await collectInventory({
      endpointUrl: emulator.url,
      homeRegion: fleet.regions[0]?.name ?? 'us-east-1',
      credentials,
      ...options,
    });
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    const read = new Set(got.instances.filter((i) => i.status === undefined && Array.isArray(i.portStates)).map((i) => `${i.region}/${i.name}`));
    const lost = fleet.instances.filter((i) => !read.has(`${i.region}/${i.name}`)).length;
    counts = await emulator.stop();
    const calls = Object.values(counts).reduce((a, b) => a + b, 0);
    return {
      wallMs,
      cpuMsPerCall: (cpu.user + cpu.system) / 1000 / Math.max(1, calls),
      okCalls: counts['ok'] ?? 0,
      calls,
      lost,
      throttled: counts['ThrottlingException'] ?? 0,
    };
  } finally {
    if (!counts) await emulator.stop().catch(() => undefined);
  }
}

function lowerBoundMs(regions: number, perRegion: number, latencyMs: number, concurrency: number): number {
  const pages = Math.max(1, Math.ceil(perRegion / DEFAULT_PAGE_SIZE));
  // + 1 latency for GetRegions, which everything waits on.
  return (regions * perRegion * latencyMs) / concurrency + pages * latencyMs + latencyMs;
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

async function pipelineBench(): Promise<void> {
  const latencyMs = 20;
  const [regions, perRegion, concurrency] = [16, 250, 16];
  // JIT warm-up of the SDK path, so the figure is the steady state, not Node's compile time.
  await timedCollect(2, 500, {}, { concurrency });
  const run = await timedCollect(regions, perRegion, { latencyMs }, { concurrency });
  const bound = lowerBoundMs(regions, perRegion, latencyMs, concurrency);
  console.log(
    `collector pipeline: ${regions} regions x ${perRegion} instances, ${latencyMs} ms/call, concurrency ${concurrency}: ` +
      `${f1(run.wallMs)} ms, lower bound ${f1(bound)} ms, ratio ${f2(run.wallMs / bound)} (target <= 1.15), lost ${run.lost}; ` +
      `collector CPU ${f2(run.cpuMsPerCall)} ms/call against ${f2(bound / (regions * perRegion + 1))} ms/call of wall time the bound allows, ` +
      `load average ${loadavg().map(f2).join(' ')} on ${availableParallelism()} cores`,
  );
  // Concurrency 1 over the whole fleet would take 4000 x 20 ms = 80 s: a 2-region subset shows the same per-call cost.
  const [subRegions, subPer] = [2, 250];
  const one = await timedCollect(subRegions, subPer, { latencyMs }, { concurrency: 1 });
  const oneBound = lowerBoundMs(subRegions, subPer, latencyMs, 1);
  const perInstanceOne = one.wallMs / (subRegions * subPer);
  const perInstance16 = run.wallMs / (regions * perRegion);
  console.log(
    `collector pipeline: concurrency 1 on a ${subRegions} x ${subPer} subset (the full fleet would take ~80 s): ` +
      `${f1(one.wallMs)} ms, ratio ${f2(one.wallMs / oneBound)}; ${f2(perInstanceOne)} ms/instance vs ${f2(perInstance16)} ms/instance at 16 ` +
      `(speed-up ${f1(perInstanceOne / perInstance16)}x)`,
  );
}

async function rateLimitBench(): Promise<void> {
  const faults: FaultConfig = { latencyMs: 20, rateLimit: { requestsPerSecond: 100, burst: 10 } };
  for (const retryMode of ['standard', 'adaptive'] as RetryMode[]) {
    const run = await timedCollect(8, 125, faults, { concurrency: 16, retryMode });
    console.log(
      `collector rate limit 100 req/s (burst 10), 1000 instances, concurrency 16, retry mode ${retryMode}: ` +
        `${f1(run.okCalls / (run.wallMs / 1000))} successful req/s (target >= 90), ${run.throttled} throttled answers, ` +
        `${f1(run.wallMs)} ms, lost ${run.lost} (target 0)`,
    );
  }
}

async function rssBench(): Promise<void> {
  const count = 20_000;
  const fleet = benchFleet(8, count / 8);
  const emulator = await startEmulator({ inventory: fleet, pageSize: 50 });
  const dir = mkdtempSync(join(tmpdir(), 'portolan-bench-'));
  try {
    const measure = join(dirname(fileURLToPath(import.meta.url)), 'measure.js');
    const args = [measure, 'cli', 'collect', '--out', join(dir, 'inventory.json'), '--endpoint-url', emulator.url, '--home-region', 'xx-bench-1', '--concurrency', '32', '--quiet'];
    const stderr = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, args, { env: { ...process.env, ...BENCH_ENV }, stdio: ['ignore', 'ignore', 'pipe'] });
      let text = '';
      child.stderr.on('data', (d: Buffer) => {
        text += d.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve(text);
        else reject(new Error(`collect child exited ${code ?? 'by a signal'}: ${text.slice(-500)}`));
      });
    });
    const last = stderr.trim().split('\n').pop() ?? '{}';
    const figures = JSON.parse(last) as { wallMs: number; maxRssMB: number };
    console.log(
      `collector memory: ${count} instances collected by the CLI in a child process: peak RSS ${f1(figures.maxRssMB)} MB, ${f1(figures.wallMs)} ms (no latency, concurrency 32)`,
    );
  } finally {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The collector's own CPU per call, with no latency to hide it: what bounds a large organization on two cores. */
async function cpuBench(): Promise<void> {
  await timedCollect(2, 500, {}, { concurrency: 32 }); // JIT warm-up
  const run = await timedCollect(4, 1000, {}, { concurrency: 32 });
  console.log(
    `collector CPU: 4 regions x 1000 instances, no latency, concurrency 32: ${f1(run.wallMs)} ms for ${run.calls} calls, ` +
      `${f2(run.cpuMsPerCall)} ms of collector CPU a call, ${f1(1000 / run.cpuMsPerCall)} calls a second per core of the collector ` +
      `(the emulator runs in its own process on the other core)`,
  );
}

export async function runCollectorBench(): Promise<void> {
  for (const [k, v] of Object.entries(BENCH_ENV)) process.env[k] = v;
  await cpuBench();
  await pipelineBench();
  await rateLimitBench();
  await rssBench();
}
