// `portolan rules` lists every rule of a policy with everything it extends;
// `portolan explain RULE` says what one rule does in plain words.

import { Command } from 'commander';
import { UserInputError } from '../../core/errors.js';
import { explainRule } from '../../core/explain.js';
import { SEVERITIES } from '../../core/types.js';
import { quote } from '../../core/text.js';
import { didYouMean } from '../../policy/yaml-nodes.js';
import { textFlag } from '../flags.js';
import { parseNow } from '../now.js';
import { stdout } from '../output.js';
import { loadPolicyArg } from '../policy-arg.js';

const POLICY_HELP = 'policy file, a bundled pack name (baseline, strict, example-team), or "-" for stdin (default: the baseline pack)';

export function rulesCommand(): Command {
  return new Command('rules')
    .description('List every rule of a policy and of everything it extends: id, severity, title, and the file it comes from')
    .option('--policy <file|pack>', POLICY_HELP)
    .option('--json', 'print the list as JSON instead of a table')
    .action(async (opts: Record<string, unknown>) => {
      const policy = await loadPolicyArg(textFlag(opts, 'policy', '--policy'));
      const rules = [...policy.rules].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || (a.id < b.id ? -1 : 1));
      const out = stdout();
      if (opts['json'] === true) {
        const list = rules.map((r) => ({ id: r.id, severity: r.severity, title: r.title, file: r.position.file, line: r.position.line }));
        out.write(`${JSON.stringify({ policy: policy.path, rules: list }, null, 2)}\n`);
        return;
      }
      const idWidth = Math.min(40, Math.max(2, ...rules.map((r) => r.id.length)));
      out.line(`${'SEVERITY'.padEnd(9)}${'ID'.padEnd(idWidth + 2)}TITLE (FILE)`);
      for (const r of rules) out.line(`${r.severity.padEnd(9)}${r.id.padEnd(idWidth + 2)}${r.title} (${r.position.file}:${r.position.line})`);
      out.line(`${rules.length} rule${rules.length === 1 ? '' : 's'} from ${policy.files.length} file${policy.files.length === 1 ? '' : 's'}; \`portolan explain RULE\` says what one does.`);
    });
}

export function explainCommand(): Command {
  return new Command('explain')
    .description('Explain one rule: what it looks at and flags in plain words, its remediation, and the exceptions that apply to it')
    .argument('<rule-id>', 'the rule to explain (see `portolan rules`)')
    .option('--policy <file|pack>', POLICY_HELP)
    .option('--now <iso-time>', 'judge exception expiry as of this time (default: now)')
    .action(async (ruleId: string, opts: Record<string, unknown>) => {
      const policy = await loadPolicyArg(textFlag(opts, 'policy', '--policy'));
      const nowText = textFlag(opts, 'now', '--now');
      const rule = policy.rules.find((r) => r.id === ruleId);
      if (!rule) {
        throw new UserInputError(`explain: no rule ${quote(ruleId)} in ${policy.path}${didYouMean(ruleId, policy.rules.map((r) => r.id))}; \`portolan rules\` lists them`);
      }
      for (const line of explainRule(rule, policy, nowText !== undefined ? parseNow(nowText) : new Date())) stdout().line(line);
    });
}
