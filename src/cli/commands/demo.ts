import { Command } from 'commander';
import { startEmulator } from '../../emulator/server.js';
import { demoFleet } from '../../emulator/demo-fleet.js';
import { parseFormats, printOutcome, runAudit } from './audit.js';
import { bundledPolicyPath } from '../paths.js';
import { parseNow } from '../now.js';
import { createProgressReporter } from '../progress.js';

// Fixed, obviously fake credentials: the demo talks only to the emulator it
// starts on loopback, and must never pick up a user's real AWS identity.
const DEMO_CREDENTIALS = { accessKeyId: 'AKIDPORTOLANDEMO', secretAccessKey: 'portolan-demo-secret' };

export function demoCommand(): Command {
  return new Command('demo')
    .description('Audit a bundled demo fleet live, through the AWS SDK, against a local Lightsail emulator on loopback')
    .option('--policy <file>', 'policy file (default: the bundled example pack, which extends baseline)')
    .option('--out <dir>', 'report folder', 'reports')
    .option('--format <list>', 'report files to write', 'json,sarif,markdown,text')
    .option('--now <iso-time>', 'evaluate exceptions as of this time')
    .option('--quiet', 'no progress and no summary', false)
    .action(async (opts: { policy?: string; out: string; format: string; now?: string; quiet: boolean }) => {
      const formats = parseFormats(opts.format);
      const now = opts.now ? parseNow(opts.now) : undefined;
      const emulator = await startEmulator({ inventory: demoFleet(), host: '127.0.0.1', port: 0 });
      try {
        if (!opts.quiet) process.stderr.write(`demo: Lightsail emulator serving the demo fleet at ${emulator.url}\n`);
        const outcome = await runAudit({
          policyPath: opts.policy ?? bundledPolicyPath('example-team'),
          collect: {
            endpointUrl: emulator.url,
            homeRegion: 'us-east-1',
            credentials: async () => DEMO_CREDENTIALS,
            ...(opts.quiet ? {} : { onProgress: createProgressReporter(process.stderr) }),
          },
          formats,
          outDir: opts.out,
          failOn: 'none',
          failOnNew: false,
          ...(now ? { now } : {}),
          category: 'portolan-demo',
          quiet: opts.quiet,
        });
        printOutcome(outcome, opts.quiet);
        if (!opts.quiet) {
          process.stdout.write(`demo: ${emulator.calls.length} API calls answered by the emulator; the audit ran, so the demo exits 0 whatever it found.\n`);
        }
      } finally {
        await emulator.close();
      }
      process.exitCode = 0;
    });
}
