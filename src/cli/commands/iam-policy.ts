// `portolan iam-policy`: the least-privilege IAM policy for collect/audit,
// built from the same READ_OPERATIONS list the client guard enforces.

import { Command } from 'commander';
import { iamPolicyDocument } from '../../aws/operations.js';

export function iamPolicyCommand(): Command {
  return new Command('iam-policy')
    .description('Print the least-privilege IAM policy (JSON) that collect and audit need: read-only Lightsail calls')
    .action(() => {
      process.stdout.write(`${JSON.stringify(iamPolicyDocument(), null, 2)}\n`);
    });
}
