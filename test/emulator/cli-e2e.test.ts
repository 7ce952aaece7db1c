// `portolan emulator` as a user runs it: the built CLI (npm test builds dist/ first).
// Skipped, visibly, when there is no build.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile, spawn, type ChildProcessByStdio, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable } from 'node:stream';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { GetInstancesCommand } from '@aws-sdk/client-lightsail';
import { demoFleet } from '../../src/emulator/demo-fleet.js';
import { client } from './helpers.js';

const MAIN = resolve('dist/cli/main.js');
const describeBuilt = existsSync(MAIN) ? describe : describe.skip;

/** The emulator's first stdout line (its URL); fails if it exits first. */
function firstLineOf(child: ChildProcessWithoutNullStreams | ChildProcessByStdio<null, Readable, Readable>): Promise<string> {
  return new Promise<string>((done, fail) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) done(out.slice(0, out.indexOf('\n')));
    });
    child.on('exit', () => { fail(new Error('emulator exited before printing its URL')); });
  });
}

describeBuilt('portolan emulator (built CLI)', () => {
  let dir: string;
  let path: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-emu-e2e-'));
    path = join(dir, 'demo.json');
    writeFileSync(path, JSON.stringify(demoFleet()));
  });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  test('prints the URL first, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN, 'emulator', '--inventory', path, '--page-size', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => { done(code); }));
    try {
      const firstLine = await firstLineOf(child);
      const url = /^Lightsail emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(firstLine)?.[1];
      expect(url).toBeDefined();
      const page = await client(url as string, 'us-east-1').send(new GetInstancesCommand({}));
      expect(page.instances).toHaveLength(10);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('--host [::1] listens on ::1 (it used to die with ENOTFOUND)', async () => {
    const child = spawn(process.execPath, [MAIN, 'emulator', '--inventory', path, '--host', '[::1]'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => { done(code); }));
    try {
      const firstLine = await firstLineOf(child);
      const url = /^Lightsail emulator listening on (http:\/\/\[::1\]:\d+)$/.exec(firstLine)?.[1];
      expect(url).toBeDefined();
      const page = await client(url as string, 'us-east-1').send(new GetInstancesCommand({}));
      expect(page.instances).toHaveLength(20);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a non-loopback host is refused with exit status 2 and a one-line reason', async () => {
    const error = await promisify(execFile)(process.execPath, [MAIN, 'emulator', '--inventory', path, '--host', '0.0.0.0']).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(error?.code).toBe(2);
    expect(error?.stderr).toBe('--host: "0.0.0.0" is not a loopback address (127.0.0.0/8 or ::1); the emulator never listens beyond this machine\n');
  });
});
