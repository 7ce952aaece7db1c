import { Command } from 'commander';
import { startEmulator } from '../../emulator/server.js';
import { demoFleet } from '../../emulator/demo-fleet.js';
import { DEMO_EXTERNAL_ID, DEMO_ROLE_NAME, demoOrganization } from '../../emulator/demo-org.js';
import { UserInputError } from '../../core/errors.js';
import { parseFormats, printOutcome, runAudit } from './audit.js';
import { textFlag } from '../flags.js';
import { formatInventory } from '../inventory-file.js';
import { parseNow } from '../now.js';
import { stderr, stdout } from '../output.js';
import { bundledPolicyPath } from '../paths.js';
import { createProgressReporter } from '../progress.js';
import { interruption } from '../interrupt.js';
import { writeFileAtomic } from '../write-reports.js';

// Fixed, obviously fake credentials: the demo talks only to the emulator it
// starts on loopback, and must never pick up a user's real AWS identity.
const DEMO_CREDENTIALS = { accessKeyId: 'AKIDPORTOLANDEMO', secretAccessKey: 'portolan-demo-secret' };

export function demoCommand(): Command {
  return new Command('demo')
    .description('Audit a bundled demo fleet live, through the AWS SDK, against a local Lightsail emulator on loopback; exits 0 whatever it finds')
    .option('--policy <file|pack>', 'policy file or bundled pack name (default: example-team, which extends baseline)')
    .option('--out <dir>', 'report folder (default: reports)')
    .option('--format <list>', 'report files to write, comma-separated: json, sarif, markdown, text (default: all four)')
    .option('--now <iso-time>', 'evaluate exceptions as of this time (default: the real clock)')
    .option('--org', 'audit the bundled demo organization instead: 6 accounts in nested units, one suspended, one without the audit role, one with a denied region')
    .option('--save-inventory <file>', 'also write the demo fleet as an inventory file, to try `audit --input` and `emulator --inventory` with (one account only)')
    .option('--quiet', 'print no progress and no summary; errors still go to stderr')
    .action(async (opts: Record<string, unknown>) => {
      const formats = parseFormats(textFlag(opts, 'format', '--format') ?? 'json,sarif,markdown,text');
      const nowText = textFlag(opts, 'now', '--now');
      const now = nowText !== undefined ? parseNow(nowText) : undefined;
      const quiet = opts['quiet'] === true;
      const saveTo = textFlag(opts, 'saveInventory', '--save-inventory');
      const org = opts['org'] === true;
      if (org && saveTo !== undefined) throw new UserInputError('--save-inventory writes the one-account demo fleet; use `portolan collect --org` against `portolan emulator --organization` for an organization inventory');
      const fleet = demoFleet();
      if (saveTo !== undefined) writeFileAtomic(saveTo, formatInventory(fleet));
      const emulator = await startEmulator(org ? { organization: demoOrganization(), host: '127.0.0.1', port: 0 } : { inventory: fleet, host: '127.0.0.1', port: 0 });
      try {
        if (!quiet) stderr().line(`demo: emulator serving the demo ${org ? 'organization (Organizations, STS and 6 accounts)' : 'fleet'} at ${emulator.url}`);
        const collect = {
          endpointUrl: emulator.url,
          homeRegion: 'us-east-1',
          credentials: () => Promise.resolve(DEMO_CREDENTIALS),
          signal: interruption().signal,
          ...(quiet ? {} : { onProgress: createProgressReporter(stderr()) }),
        };
        const outcome = await runAudit({
          policy: textFlag(opts, 'policy', '--policy') ?? bundledPolicyPath('example-team'),
          collect,
          ...(org ? { organization: { ...collect, roleName: DEMO_ROLE_NAME, externalId: DEMO_EXTERNAL_ID } } : {}),
          formats,
          outDir: textFlag(opts, 'out', '--out') ?? 'reports',
          failOn: 'none',
          failOnNew: false,
          ...(now ? { now } : {}),
          category: org ? 'portolan-demo-org' : 'portolan-demo',
          quiet,
        });
        printOutcome(outcome, quiet);
        if (!quiet) {
          if (saveTo !== undefined) stdout().line(`demo: the demo fleet is saved as ${saveTo}; try: portolan audit --input ${saveTo}`);
          stdout().line(`demo: ${emulator.callCount()} API calls answered by the emulator; the audit ran, so the demo exits 0 whatever it found.`);
        }
      } finally {
        await emulator.close();
      }
      process.exitCode = 0;
    });
}
