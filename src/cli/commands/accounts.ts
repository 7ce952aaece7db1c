// `portolan accounts`: the member accounts an organization audit covers, as
// JSON (`{"accounts": [...]}`), or split into shards for a GitHub Actions
// matrix (`--matrix N`), so each matrix job audits its share with `--accounts`.

import { Command } from 'commander';
import { UserInputError } from '../../core/errors.js';
import { shardAccounts } from '../../core/shards.js';
import { accountSelectionFrom, addAccountSelectionOptions, addCollectorOptions, collectOptionsFrom } from '../collector-options.js';
import { textFlag } from '../flags.js';
import { stdout } from '../output.js';
import { writeFileAtomic } from '../write-reports.js';

const MAX_SHARDS = 256; // a GitHub Actions matrix takes at most 256 jobs

export function accountsCommand(): Command {
  const cmd = new Command('accounts')
    .description('List the member accounts of the AWS Organization an --org audit would cover, or split them into shards for a GitHub Actions matrix')
    .option('--matrix <n>', `print at most N shards as a GitHub Actions matrix, {"include": [{"shard", "accounts"}]}, for fromJSON (1-${MAX_SHARDS}) (default: the account list)`)
    .option('--out <file>', 'write to this file, or "-" for stdout (default: -)');
  addAccountSelectionOptions(cmd);
  addCollectorOptions(cmd);
  cmd.action(async (opts: Record<string, unknown>) => {
    const matrixText = textFlag(opts, 'matrix', '--matrix');
    const matrix = matrixText === undefined ? undefined : Number(matrixText.trim());
    if (matrix !== undefined && (!Number.isInteger(matrix) || matrix < 1 || matrix > MAX_SHARDS)) {
      throw new UserInputError(`--matrix: ${JSON.stringify(matrixText)} is not a whole number from 1 to ${MAX_SHARDS}`);
    }
    const collect = collectOptionsFrom({ ...opts, quiet: true });
    const { selectOrganizationAccounts } = await import('../../aws/organization-collector.js');
    const plan = await selectOrganizationAccounts({ ...collect, ...accountSelectionFrom(opts) });
    const document =
      matrix !== undefined
        ? shardAccounts(
            plan.filter((a) => a.skipped === undefined).map((a) => a.id),
            matrix,
          )
        : {
            accounts: plan.map((a) => ({
              id: a.id,
              ...(a.name !== undefined ? { name: a.name } : {}),
              status: a.state,
              ...(a.ouPath !== undefined ? { ouPath: a.ouPath } : {}),
              ...(a.excluded === true ? { excluded: true } : {}),
            })),
          };
    const text = `${JSON.stringify(document, null, matrix !== undefined ? 0 : 2)}\n`;
    const out = textFlag(opts, 'out', '--out') ?? '-';
    if (out === '-') stdout().write(text);
    else writeFileAtomic(out, text);
  });
  return cmd;
}
