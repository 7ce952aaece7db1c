// The emulator in its own process, as a real endpoint would be: on this
// 2-core machine an in-process emulator would share the collector's event
// loop and its timers would fire late, measuring the bench harness instead.

import { spawn } from 'node:child_process';

export const OFFLINE_ENV = {
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export interface EmulatorHandle {
  url: string;
  /** Stops the emulator and returns how many calls ended in each outcome. */
  stop(): Promise<Record<string, number>>;
}

/**
 * Runs `startCode` (an ES module body that defines `em`, a started emulator)
 * in a child process; the child prints the URL, and the call counts when its
 * stdin closes.
 */
export async function emulatorProcess(startCode: string): Promise<EmulatorHandle> {
  const code = `
    ${startCode}
    process.stdout.write(em.url + '\\n');
    process.stdin.resume();
    process.stdin.on('end', async () => {
      process.stdout.write(JSON.stringify(em.counts.byOutcome) + '\\n');
      await em.close();
    });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, ...OFFLINE_ENV }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  const nextLine = (): Promise<string> =>
    new Promise((resolve) => {
      const line = lines.shift();
      if (line !== undefined) resolve(line);
      else waiters.push(resolve);
    });
  const url = await nextLine();
  return {
    url,
    stop: async () => {
      child.stdin.end();
      const counts = JSON.parse(await nextLine()) as Record<string, number>;
      await new Promise((resolve) => child.on('close', resolve));
      return counts;
    },
  };
}
