// Exit statuses, the contract a CI gate reads (policy-v1 section 5, README
// "Exit status"). Findings and incomplete coverage each have their own; a
// crash has a status of its own too, so a defect never reads as "findings"
// (1) or "clean" (0).

export const EXIT = {
  /** Complete, and no unsuppressed finding at or above --fail-on. */
  clean: 0,
  /** An unsuppressed finding at or above --fail-on (with --fail-on-new: a new one). */
  findings: 1,
  /** Usage, policy or input error: nothing evaluated, nothing written. */
  usage: 2,
  /** No failing finding, but something could not be read. */
  incomplete: 3,
  /** A defect in Portolan (EX_SOFTWARE of sysexits.h). */
  internal: 70,
  /** Stopped by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
  /** Stopped by SIGTERM (128 + 15), e.g. a cancelled CI job. */
  terminated: 143,
} as const;

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/** The statuses an audit or a collection can end with. */
export type AuditExitStatus = typeof EXIT.clean | typeof EXIT.findings | typeof EXIT.incomplete;
