// Ctrl-C during a live collection: the run stops at once, says so, leaves no
// partial or temporary file, and exits 130 (SIGTERM: 143).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoFleet } from '../../src/emulator/demo-fleet.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { spawnCli } from './run-cli.js';

let emulator: RunningEmulator;
let dir: string;
beforeAll(async () => {
  // Every call takes 10 s: the collection is surely in flight when the signal comes.
  emulator = await startEmulator({ inventory: demoFleet(), faults: { latencyMs: 10_000 } });
  dir = mkdtempSync(join(tmpdir(), 'portolan-interrupt-'));
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

async function stopWith(signal: NodeJS.Signals, args: string[]): Promise<{ code: number | null; stderr: string; ms: number }> {
  const child = spawnCli(args);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  await new Promise((resolve) => setTimeout(resolve, 800));
  const sent = Date.now();
  child.kill(signal);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stderr, ms: Date.now() - sent };
}

describe('interrupting a live run', () => {
  test('collect: SIGINT exits 130, says "interrupted", writes nothing', async () => {
    const out = join(dir, 'collect');
    const r = await stopWith('SIGINT', ['collect', '--endpoint-url', emulator.url, '--home-region', 'us-east-1', '--out', join(out, '..', 'inv.json'), '--quiet']);
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('interrupted\n');
    expect(readdirSync(dir)).toEqual([]);
    expect(r.ms).toBeLessThan(5_000); // far below the 10 s a call takes: it did not wait for the calls
  });

  test('audit: SIGTERM exits 143; no report and no temporary file', async () => {
    const out = join(dir, 'reports');
    const r = await stopWith('SIGTERM', ['audit', '--endpoint-url', emulator.url, '--home-region', 'us-east-1', '--out', out, '--quiet']);
    expect(r.code).toBe(143);
    expect(r.stderr).toBe('interrupted\n');
    expect(readdirSync(dir)).toEqual([]);
  });
});
