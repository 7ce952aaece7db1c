#!/usr/bin/env node
// The only place that touches the process: argv in, text out, exit status.
// User mistakes arrive as UserInputError and leave as lines on stderr with
// status 2; anything else is a bug and keeps its stack.

import { Command, CommanderError } from 'commander';
import { UserInputError } from '../core/errors.js';
import { auditCommand } from './commands/audit.js';
import { collectCommand } from './commands/collect.js';
import { demoCommand } from './commands/demo.js';
import { emulatorCommand } from './commands/emulator.js';
import { iamPolicyCommand } from './commands/iam-policy.js';
import { validateCommand } from './commands/validate.js';
import { TOOL_VERSION } from './version.js';

// The SDK warns about Node 20 on every run; the warning is not the user's business here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function buildProgram(): Command {
  const program = new Command('portolan')
    .description('Firewall audit and compliance scanner for AWS Lightsail')
    .version(TOOL_VERSION, '-V, --version')
    .showSuggestionAfterError(true);
  for (const cmd of [auditCommand(), validateCommand(), collectCommand(), emulatorCommand(), iamPolicyCommand(), demoCommand()]) {
    program.addCommand(cmd);
  }
  const overrideAll = (c: Command): void => {
    c.exitOverride();
    c.configureOutput({ outputError: (str, write) => write(str) });
    c.commands.forEach(overrideAll);
  };
  overrideAll(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were printed by commander.
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof UserInputError) {
      for (const line of e.lines) process.stderr.write(`${line}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}

await main(process.argv);
