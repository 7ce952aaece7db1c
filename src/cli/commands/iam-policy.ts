// `portolan iam-policy`: the least-privilege IAM policy for collect/audit,
// built from the same operation lists the client guards enforce. With
// --org: the caller's policy and each member account's audit-role policy.

import { Command } from 'commander';
import { DEFAULT_ROLE_NAME, iamPolicyDocument, organizationCallerPolicy } from '../../aws/operations.js';
import { UserInputError } from '../../core/errors.js';
import { quote } from '../../core/text.js';
import { textFlag } from '../flags.js';
import { stdout } from '../output.js';

export function iamPolicyCommand(): Command {
  return new Command('iam-policy')
    .description('Print the least-privilege IAM policy (JSON) that collect and audit need: read-only Lightsail calls; with --org, the caller\'s policy and the member role\'s')
    .option('--org', 'print {"caller": ..., "memberRole": ...}: Organizations listing and sts:AssumeRole for the caller, the three Lightsail reads for each member account\'s audit role')
    .option('--role-name <name>', `with --org: the member accounts' audit role (default: ${DEFAULT_ROLE_NAME})`)
    .option('--partition <name>', 'with --org: aws, aws-cn or aws-us-gov (default: aws)')
    .action((opts: Record<string, unknown>) => {
      const roleName = textFlag(opts, 'roleName', '--role-name') ?? DEFAULT_ROLE_NAME;
      const partition = textFlag(opts, 'partition', '--partition') ?? 'aws';
      if (!/^[\w+=,.@-]{1,64}$/.test(roleName)) throw new UserInputError(`--role-name: ${quote(roleName)} is not an IAM role name`);
      if (!['aws', 'aws-cn', 'aws-us-gov'].includes(partition)) throw new UserInputError(`--partition: ${quote(partition)} is not aws, aws-cn or aws-us-gov`);
      const document = opts['org'] === true ? { caller: organizationCallerPolicy(roleName, partition), memberRole: iamPolicyDocument() } : iamPolicyDocument();
      stdout().write(`${JSON.stringify(document, null, 2)}\n`);
    });
}
