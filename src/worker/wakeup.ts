// A one-slot signal between the code that writes jobs and the worker loop: wake() while the loop
// is busy is remembered, so the loop looks once more instead of missing it; many wakes are one.
export class Wakeup {
  private pending = false;
  private resolveWait: (() => void) | undefined;

  wake(): void {
    this.pending = true;
    this.resolveWait?.();
  }

  /** Resolves on the next wake (at once if one came since the last wait) or after ms. */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.resolveWait?.(), ms);
      this.resolveWait = () => {
        clearTimeout(timer);
        this.resolveWait = undefined;
        this.pending = false;
        resolve();
      };
    });
  }
}
