// Bounds how much expensive work (scrypt) runs at once, and who waits for it. Waiters are grouped by
// key and served in turn, one per key, so a flood of attempts under one key (an attacked username)
// cannot make another key (an unrelated merchant) wait behind all of it. The queues are bounded:
// beyond them the work is refused at once instead of piling up.
export class FairGate {
  private running = 0;
  private waiting = 0;
  /** Keys with waiters, in turn order (a Map keeps insertion order; a served key moves to the back). */
  private readonly queues = new Map<string, (() => void)[]>();

  constructor(
    private readonly concurrency: number,
    private readonly maxWaitingPerKey: number,
    private readonly maxWaiting: number,
  ) {}

  /** Runs work when a slot is free, or undefined (work not run) when key's queue or the whole queue is full. */
  tryRun<T>(key: string, work: () => Promise<T>): Promise<T> | undefined {
    if (this.running < this.concurrency) {
      this.running++;
      return this.holding(work);
    }
    const queue = this.queues.get(key) ?? [];
    if (queue.length >= this.maxWaitingPerKey || this.waiting >= this.maxWaiting) return undefined;
    if (queue.length === 0) this.queues.set(key, queue);
    this.waiting++;
    // release() hands its slot straight to the waiter, so no newcomer can take it in between.
    return new Promise<void>((resolve) => queue.push(resolve)).then(() => this.holding(work));
  }

  private async holding<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private release(): void {
    const turn = this.queues.entries().next();
    if (turn.done) {
      this.running--;
      return;
    }
    const [key, queue] = turn.value;
    const wake = queue.shift()!;
    this.queues.delete(key);
    if (queue.length > 0) this.queues.set(key, queue);
    this.waiting--;
    wake();
  }
}
