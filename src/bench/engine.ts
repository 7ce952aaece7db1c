// Engine benchmark: `portolan audit --input` with rules/baseline.yaml over a
// generated 100,000-instance inventory (~8 port states each), beside a bare
// JSON.parse of the same file. Figures are printed, never asserted.

import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticFleet } from './fleet.js';

interface Measured {
  wallMs: number;
  maxRssMB: number;
  status: number | null;
}

const measureScript = fileURLToPath(new URL('./measure.js', import.meta.url));

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

export function runEngineBench(instances = 100_000, runs = 3): void {
  const dir = join(tmpdir(), 'portolan-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `inventory-${instances}.json`);
  const fleet = syntheticFleet(instances, 8);
  writeFileSync(file, JSON.stringify(fleet));
  const mb = statSync(file).size / 1e6;
  const states = fleet.instances.reduce((n, i) => n + (i.portStates?.length ?? 0), 0);
  console.log(`engine: ${instances.toLocaleString('en-US')} instances, ${states.toLocaleString('en-US')} port states, ${mb.toFixed(0)} MB inventory`);

  const parse: Measured[] = [];
  const audit: Measured[] = [];
  const outDir = join(dir, 'reports');
  for (let i = 0; i < runs; i++) {
    parse.push(measure(['parse', file]));
    audit.push(measure(['cli', 'audit', '--input', file, '--format', 'json', '--out', outDir, '--fail-on', 'none', '--now', '2026-11-25T12:00:00Z', '--quiet']));
  }
  const bad = audit.find((a) => a.status !== 0);
  if (bad) console.log(`engine: audit exited ${bad.status}`);
  const pWall = median(parse.map((m) => m.wallMs));
  const aWall = median(audit.map((m) => m.wallMs));
  const report = statSync(join(outDir, 'portolan.json')).size / 1e6;
  console.log(`  bare JSON.parse:        ${(pWall / 1000).toFixed(2)} s wall, ${Math.max(...parse.map((m) => m.maxRssMB)).toFixed(0)} MB peak RSS`);
  console.log(`  audit --input (whole):  ${(aWall / 1000).toFixed(2)} s wall, ${Math.max(...audit.map((m) => m.maxRssMB)).toFixed(0)} MB peak RSS, ${Math.round(instances / (aWall / 1000)).toLocaleString('en-US')} instances/s (median of ${runs}; JSON report ${report.toFixed(0)} MB)`);
  console.log(`  engine beyond parse:    ${((aWall - pWall) / 1000).toFixed(2)} s   targets: whole run <= 3 s and <= 1024 MB`);
}
