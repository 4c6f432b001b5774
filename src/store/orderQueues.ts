// The commands of one order wait their turn in this process, in arrival order. On PostgreSQL only
// the first of an order's queue runs (pgCommands.ts): a hot order then holds one connection per
// instance instead of every pooled connection waiting on its row lock, and other orders keep
// flowing. On SQLite the single writer runs the commands one after another anyway. Either way a
// queue is bounded: beyond `limit` commands for one order a request is refused at once, unapplied.
import { UnavailableError } from './dialect.js';

export class OrderQueues<J> {
  private readonly queues = new Map<string, J[]>();

  constructor(private readonly limit: number) {}

  /** Adds the job to its order's queue; true when it is first (it may run now). */
  enter(orderId: string, job: J): boolean {
    const queue = this.queues.get(orderId);
    if (!queue) {
      this.queues.set(orderId, [job]);
      return true;
    }
    if (queue.length >= this.limit) {
      throw new UnavailableError(`this order already has ${queue.length} requests waiting in this instance (OPENOM_ORDER_QUEUE_LIMIT)`);
    }
    queue.push(job);
    return false;
  }

  /** Removes the job (done, or given up); returns the job that has just become first, if any. */
  leave(orderId: string, job: J): J | undefined {
    const queue = this.queues.get(orderId);
    const index = queue ? queue.indexOf(job) : -1;
    if (!queue || index < 0) return undefined;
    queue.splice(index, 1);
    if (queue.length === 0) this.queues.delete(orderId);
    return index === 0 ? queue[0] : undefined;
  }

  /** Every job waiting behind the first of its order. */
  *waiting(): IterableIterator<J> {
    for (const queue of this.queues.values()) for (let i = 1; i < queue.length; i++) yield queue[i]!;
  }
}
