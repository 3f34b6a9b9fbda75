/**
 * Timers and outgoing requests of one running sandbox, so `close()` can stop them all
 * instead of leaving a test process with open handles.
 */
export class Runtime {
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private readonly controllers = new Set<AbortController>();
  private closed = false;

  get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves true after `ms`, or false at once if the sandbox closes meanwhile. */
  sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve(true);
      }, ms);
      this.timers.set(timer, () => resolve(false));
    });
  }

  /**
   * Runs `fn` once after `ms` unless cancelled or the sandbox closes first; returns the cancel.
   * Unref'd: a pending retry alone never keeps a process alive (the server does while open).
   */
  after(ms: number, fn: () => void): () => void {
    if (this.closed) return () => undefined;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.timers.set(timer, () => undefined);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** An abort signal that fires after `ms` or when the sandbox closes; call `done` when finished. */
  deadline(ms: number): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    if (this.closed) controller.abort();
    this.controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), ms);
    return {
      signal: controller.signal,
      done: () => {
        clearTimeout(timer);
        this.controllers.delete(controller);
      },
    };
  }

  shutdown(): void {
    this.closed = true;
    for (const [timer, cancel] of this.timers) {
      clearTimeout(timer);
      cancel();
    }
    this.timers.clear();
    for (const c of this.controllers) c.abort();
    this.controllers.clear();
  }
}
