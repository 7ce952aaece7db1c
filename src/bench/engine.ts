// Engine benchmarks: `portolan audit --input` with the bundled baseline pack
// and the default formats (json, sarif, markdown), beside a bare JSON.parse of
// the same file in the same run, on two fleets of 100,000 instances: one
// cache-friendly (sources repeat) and one findings-heavy (world SSH on most
// instances, a share of one-off sources). Then the findings-heavy fleet as an
// organization of 100k-instance shards, from 100k to 1M instances, to show how
// time and memory grow. Figures are printed, never asserted.

import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Inventory } from '../core/types.js';
import { findingsHeavyFleet, syntheticFleet } from './fleet.js';

interface Measured {
  wallMs: number;
  maxRssMB: number;
  status: number | null;
}

const measureScript = fileURLToPath(new URL('./measure.js', import.meta.url));
const NOW = '2026-11-25T12:00:00Z';

function measure(args: string[]): Measured {
  const r = spawnSync(process.execPath, [measureScript, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  const last = r.stderr.trim().split('\n').pop() ?? '{}';
  const m = JSON.parse(last) as { wallMs: number; maxRssMB: number };
  return { ...m, status: r.status };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

const s2 = (ms: number): string => (ms / 1000).toFixed(2);
const mb = (n: number): string => n.toFixed(0);

function writeInventory(file: string, inventory: Inventory): number {
  writeFileSync(file, JSON.stringify(inventory));
  return statSync(file).size / 1e6;
}

/** One fleet: bare parse vs the audit with the default formats, the median of `runs`. */
function compare(label: string, file: string, dir: string, runs: number): void {
  const parse: Measured[] = [];
  const audit: Measured[] = [];
  const out = join(dir, 'reports');
  for (let i = 0; i < runs; i++) {
    parse.push(measure(['parse', file]));
    audit.push(measure(['cli', 'audit', '--input', file, '--out', out, '--fail-on', 'none', '--now', NOW, '--quiet']));
  }
  const bad = audit.find((a) => a.status !== 0);
  if (bad) console.log(`  ${label}: audit exited ${bad.status ?? 'by a signal'}`);
  const p = { wall: median(parse.map((m) => m.wallMs)), rss: Math.max(...parse.map((m) => m.maxRssMB)) };
  const a = { wall: median(audit.map((m) => m.wallMs)), rss: Math.max(...audit.map((m) => m.maxRssMB)) };
  const json = statSync(join(out, 'portolan.json')).size / 1e6;
  console.log(
    `  ${label}: audit ${s2(a.wall)} s, ${mb(a.rss)} MB peak RSS; bare JSON.parse ${s2(p.wall)} s, ${mb(p.rss)} MB; ` +
      `ratio ${(a.wall / p.wall).toFixed(2)}x time (target <= 3), ${(a.rss / p.rss).toFixed(2)}x memory (target <= 2); JSON report ${mb(json)} MB (median of ${runs})`,
  );
}

/** The findings-heavy organization as shards of 100k instances, one account each, audited as one fleet (`--input DIR`). */
function scale(dir: string, totals: readonly number[]): void {
  const shardSize = 100_000;
  for (const total of totals) {
    const shards = join(dir, `shards-${total}`);
    rmSync(shards, { recursive: true, force: true });
    mkdirSync(shards, { recursive: true });
    let size = 0;
    let parseMs = 0;
    let parseRss = 0;
    for (let k = 0; k < total / shardSize; k++) {
      const account = String(100000000000 + k);
      const file = join(shards, `shard-${k}.json`);
      size += writeInventory(file, findingsHeavyFleet(shardSize, 100 + k, account));
      const p = measure(['parse', file]);
      parseMs += p.wallMs;
      parseRss = Math.max(parseRss, p.maxRssMB);
    }
    const a = measure(['cli', 'audit', '--input', shards, '--out', join(dir, `reports-${total}`), '--fail-on', 'none', '--now', NOW, '--quiet']);
    console.log(
      `  ${total.toLocaleString('en-US')} instances in ${total / shardSize} shard file(s), ${mb(size)} MB: audit ${s2(a.wallMs)} s ` +
        `(${((a.wallMs / total) * 1000).toFixed(1)} us/instance), ${mb(a.maxRssMB)} MB peak RSS${a.status === 0 ? '' : ` (exit ${a.status ?? 'signal'})`}; ` +
        `bare JSON.parse of every shard one by one ${s2(parseMs)} s, ${mb(parseRss)} MB peak`,
    );
    rmSync(shards, { recursive: true, force: true });
  }
}

export function runEngineBench(options: { runs?: number; scaleTo?: number } = {}): void {
  const runs = options.runs ?? 3;
  const dir = join(tmpdir(), 'portolan-bench');
  mkdirSync(dir, { recursive: true });
  console.log('engine: audit --input with rules/baseline.yaml and the default formats (json, sarif, markdown), vs a bare JSON.parse');
  const friendly = join(dir, 'cache-friendly-100k.json');
  const friendlyMB = writeInventory(friendly, syntheticFleet(100_000, 8));
  console.log(`  cache-friendly fleet: 100,000 instances x 8 port states, ~5% one-off sources, ${mb(friendlyMB)} MB`);
  compare('cache-friendly', friendly, dir, runs);
  const heavy = join(dir, 'findings-heavy-100k.json');
  const heavyMB = writeInventory(heavy, findingsHeavyFleet(100_000));
  console.log(`  findings-heavy fleet: 100,000 instances, world SSH on 90%, ~0.8 one-off sources an instance, ~3.3 findings an instance, ${mb(heavyMB)} MB`);
  compare('findings-heavy', heavy, dir, runs);
  const to = options.scaleTo ?? 1_000_000;
  console.log('engine scale: the findings-heavy fleet as an organization of 100k-instance shards (audit --input DIR)');
  scale(dir, [100_000, 300_000, 1_000_000].filter((n) => n <= to));
}
