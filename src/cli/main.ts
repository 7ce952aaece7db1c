#!/usr/bin/env node
// The only place that touches the process: argv in, text out, exit status.
// User mistakes arrive as UserInputError and leave as lines on stderr with
// status 2; Ctrl-C leaves with 130; anything else is a defect and leaves with
// its own status (70), one line and where to report it, never as "findings".

import { Command, CommanderError } from 'commander';
import { InterruptedError, UserInputError } from '../core/errors.js';
import { EXIT } from '../core/exit.js';
import { accountsCommand } from './commands/accounts.js';
import { auditCommand } from './commands/audit.js';
import { collectCommand } from './commands/collect.js';
import { demoCommand } from './commands/demo.js';
import { emulatorCommand } from './commands/emulator.js';
import { iamPolicyCommand } from './commands/iam-policy.js';
import { explainCommand, rulesCommand } from './commands/rules.js';
import { validateCommand } from './commands/validate.js';
import { interruption } from './interrupt.js';
import { stderr, stdout } from './output.js';
import { ISSUES_URI, TOOL_VERSION } from './version.js';

// The SDK warns about Node 20 on every run; the warning is not the user's business here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function buildProgram(): Command {
  const program = new Command('portolan')
    .description('Firewall audit and compliance scanner for AWS Lightsail')
    .version(TOOL_VERSION, '-V, --version')
    .showSuggestionAfterError(true);
  for (const cmd of [auditCommand(), collectCommand(), accountsCommand(), validateCommand(), rulesCommand(), explainCommand(), emulatorCommand(), iamPolicyCommand(), demoCommand()]) {
    program.addCommand(cmd);
  }
  const overrideAll = (c: Command): void => {
    c.exitOverride();
    // Commander's messages quote the user's arguments: they are escaped like every other line.
    c.configureOutput({
      writeOut: (s) => {
        stdout().write(s);
      },
      writeErr: (s) => {
        stderr().line(s);
      },
      outputError: (s) => {
        stderr().line(s);
      },
    });
    c.commands.forEach(overrideAll);
  };
  overrideAll(program);
  return program;
}

/** One line and a way to learn more: a defect is not the user's mistake, and a stack trace is not a report. */
export function reportInternalError(error: unknown): void {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const err = stderr();
  err.line(`portolan: internal error: ${message.split('\n')[0] ?? ''}`);
  err.line(`This is a bug in Portolan ${TOOL_VERSION}, not a finding. Please report it at ${ISSUES_URI} with the output of the same command run with PORTOLAN_DEBUG=1.`);
  if (process.env['PORTOLAN_DEBUG'] === '1' && error instanceof Error && error.stack) err.write(`${error.stack}\n`);
  process.exitCode = EXIT.internal;
}

function exitStatusOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.clean : EXIT.usage; // --help and --version end with 0
  if (error instanceof InterruptedError || interruption().requested) {
    stderr().line('interrupted');
    return interruption().status;
  }
  if (error instanceof UserInputError) {
    for (const line of error.lines) stderr().line(line);
    return EXIT.usage;
  }
  reportInternalError(error);
  return EXIT.internal;
}

async function main(argv: string[]): Promise<void> {
  const crash = (error: unknown): void => {
    reportInternalError(error);
    interruption().cleanUp();
    process.exit(EXIT.internal);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  interruption().install();
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = exitStatusOf(error);
  } finally {
    interruption().cleanUp();
  }
  if (interruption().requested && process.exitCode !== interruption().status && process.exitCode !== EXIT.internal) {
    stderr().line('interrupted');
    process.exitCode = interruption().status;
  }
}

await main(process.argv);
