// Ctrl-C and SIGTERM: the run is asked to stop (an AbortSignal the collector
// and the writers watch), temporary files are removed, and the process exits
// 130 (143 for SIGTERM) within a second even if something does not listen.
// A second signal exits at once. Commands that run until stopped (the
// emulator) take the signal as their normal end instead.

import { rmSync } from 'node:fs';
import { InterruptedError } from '../core/errors.js';
import { EXIT } from '../core/exit.js';
import { stderr } from './output.js';

/** How long a stop may take before the process is ended anyway. */
export const STOP_GRACE_MS = 1_000;

export class Interruption {
  private readonly controller = new AbortController();
  private readonly temps = new Set<string>();
  private signalName: NodeJS.Signals | undefined;
  private graceful = false;
  private installed = false;

  /** Aborted on the first SIGINT/SIGTERM; its reason is an InterruptedError. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get requested(): boolean {
    return this.signalName !== undefined && !this.graceful;
  }

  /** The status a stopped run exits with. */
  get status(): number {
    return this.signalName === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
  }

  install(): void {
    if (this.installed) return;
    this.installed = true;
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** For a command that serves until stopped: a signal ends it normally (status 0), no forced exit. */
  stopGracefully(): AbortSignal {
    this.graceful = true;
    return this.signal;
  }

  throwIfRequested(): void {
    if (this.requested) throw new InterruptedError();
  }

  /** A file to delete if the run stops before it is renamed into place. */
  trackTemp(path: string): void {
    this.temps.add(path);
  }

  untrackTemp(path: string): void {
    this.temps.delete(path);
  }

  cleanUp(): void {
    for (const path of this.temps) rmSync(path, { force: true });
    this.temps.clear();
  }

  private readonly onSignal = (name: NodeJS.Signals): void => {
    if (this.signalName !== undefined && !this.graceful) this.exitNow(); // second signal: no more waiting
    this.signalName = name;
    this.controller.abort(new InterruptedError());
    if (this.graceful) return;
    setTimeout(() => {
      this.exitNow();
    }, STOP_GRACE_MS).unref();
  };

  private exitNow(): void {
    this.cleanUp();
    stderr().line('interrupted');
    process.exit(this.status);
  }
}

let current: Interruption | undefined;

export function interruption(): Interruption {
  current ??= new Interruption();
  return current;
}
