// Every file of the invalid-policy corpus through the real CLI: exit status 2,
// exactly the expected `file:line:col: message` lines on stderr (then where the
// policy language is described), nothing on
// stdout, no stack trace.
import { expect, test } from '@jest/globals';
import { EXPECTED } from '../policy/invalid-expected.js';
import { runCli, type CliRun } from './run-cli.js';

const files = Object.keys(EXPECTED).sort();
const runs = new Map<string, Promise<CliRun>>();

// Start the processes a few at a time: 2 cores, ~40 files.
async function runAll(): Promise<void> {
  const queue = [...files];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const run = runCli(['validate', '--policy', `test/policy/invalid/${f}`]);
      runs.set(f, run);
      await run;
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}
const all = runAll();

test.each(files)('portolan validate %s', async (file) => {
  await all;
  const r = await runs.get(file)!;
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toEqual([...EXPECTED[file]!, '(the policy language is described in docs/policy.md)']);
}, 60_000);
