import { Command } from 'commander';
import { UserInputError } from '../../core/errors.js';
import { exceptionWarnings } from '../../core/exceptions.js';
import { textFlag } from '../flags.js';
import { parseNow } from '../now.js';
import { stderr, stdout } from '../output.js';
import { policyDocPath } from '../paths.js';
import { loadPolicyArg } from '../policy-arg.js';


/** The last line after validation errors: where the policy language is described. */
export function validateHint(): string {
  return `(the policy language is described in ${policyDocPath()})`;
}

function count(k: number, word: string): string {
  return `${k} ${word}${k === 1 ? '' : 's'}`;
}

export function validateCommand(): Command {
  return new Command('validate')
    .description('Check policy files (and everything they extend) without auditing anything; warn about exceptions that expired, expire within 14 days, or cover every rule unscoped')
    .option('--policy <file|pack>', 'policy file, a bundled pack name (baseline, strict, example-team), or "-" for stdin (default: the baseline pack)')
    .option('--now <iso-time>', 'judge exception expiry as of this time (default: now)')
    .argument('[files...]', 'more policy files to check')
    .action(async (files: string[], opts: Record<string, unknown>) => {
      const first = textFlag(opts, 'policy', '--policy');
      const nowText = textFlag(opts, 'now', '--now');
      const now = nowText !== undefined ? parseNow(nowText) : new Date();
      const args: Array<string | undefined> = [...(first !== undefined ? [first] : []), ...files];
      if (args.length === 0) args.push(undefined);
      const problems: string[] = [];
      for (const arg of args) {
        try {
          const policy = await loadPolicyArg(arg);
          stdout().line(
            `${policy.path}: valid (${count(policy.rules.length, 'rule')}, ${count(policy.exceptions.length, 'exception')}, ${count(Object.keys(policy.networks).length, 'network')}, ${count(policy.files.length, 'file')})`,
          );
          for (const w of exceptionWarnings(policy.exceptions, now.getTime())) {
            stderr().line(`${w.position.file}:${w.position.line}:${w.position.col}: warning: ${w.message}`);
          }
        } catch (e) {
          if (!(e instanceof UserInputError)) throw e;
          for (const line of e.lines) problems.push(line);
        }
      }
      if (problems.length > 0) {
        problems.push(validateHint());
        throw new UserInputError(problems);
      }
    });
}
