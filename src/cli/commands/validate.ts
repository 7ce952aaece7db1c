import { Command } from 'commander';
import { PolicyError, UserInputError } from '../../core/errors.js';
import { loadPolicy } from '../../policy/load.js';
import { defaultPolicyPath } from '../paths.js';

export function validateCommand(): Command {
  return new Command('validate')
    .description('Check policy files (and everything they extend) without auditing anything')
    .option('--policy <file>', 'policy file (default: the bundled baseline pack)')
    .argument('[files...]', 'more policy files to check')
    .action((files: string[], opts: { policy?: string }) => {
      const paths = [...(opts.policy ? [opts.policy] : []), ...files];
      if (paths.length === 0) paths.push(defaultPolicyPath());
      const problems: string[] = [];
      for (const path of paths) {
        try {
          const policy = loadPolicy(path);
          const n = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
          process.stdout.write(
            `${path}: valid (${n(policy.rules.length, 'rule')}, ${n(policy.exceptions.length, 'exception')}, ${n(Object.keys(policy.networks).length, 'network')}, ${n(policy.files.length, 'file')})\n`,
          );
        } catch (e) {
          if (!(e instanceof UserInputError)) throw e;
          problems.push(...(e instanceof PolicyError ? e.lines : e.lines));
        }
      }
      if (problems.length > 0) throw new UserInputError(problems);
    });
}
