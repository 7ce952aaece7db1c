// Typed errors for the user's mistakes. The CLI catches them once, prints one
// line per problem and exits 2; anything else is a bug and keeps its stack.

/** One problem in a user's file, printed as `file:line:col: message`. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** Bad input from the user: exit status 2, no stack trace. */
export class UserInputError extends Error {
  readonly lines: string[];
  constructor(lines: string[] | string) {
    const list = Array.isArray(lines) ? lines : [lines];
    super(list.join('\n'));
    this.name = 'UserInputError';
    this.lines = list;
  }
}

/** A policy (with the files it extends) that failed validation: every problem at once. */
export class PolicyError extends UserInputError {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(problems.map(formatProblem));
    this.name = 'PolicyError';
    this.problems = problems;
  }
}

/** An inventory file that is not JSON or not of the inventory shape. */
export class InventoryError extends UserInputError {
  constructor(lines: string[] | string) {
    super(lines);
    this.name = 'InventoryError';
  }
}

/** The user pressed Ctrl-C: the run stops, leaves no partial file, exits 130. */
export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'InterruptedError';
  }
}
