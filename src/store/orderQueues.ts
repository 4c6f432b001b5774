// The commands of one order wait their turn in this process, in arrival order. On PostgreSQL one
// batch at a time takes an order's commands (pgCommands.ts): a hot order then holds one connection
// per instance instead of every pooled connection waiting on its row lock, and other orders keep
// flowing. On SQLite the single writer runs the commands one after another anyway. Either way a
// queue is bounded: beyond `limit` commands for one order a request is refused at once, unapplied.
import { UnavailableError } from './dialect.js';

export class OrderQueues<J> {
  private readonly queues = new Map<string, J[]>();

  constructor(private readonly limit: number) {}

  /** Adds the job at the end of its order's queue, or refuses it when the queue is full. */
  enter(orderId: string, job: J): void {
    const queue = this.queues.get(orderId);
    if (!queue) {
      this.queues.set(orderId, [job]);
      return;
    }
    if (queue.length >= this.limit) {
      throw new UnavailableError(`this order already has ${queue.length} requests waiting in this instance (OPENOM_ORDER_QUEUE_LIMIT)`);
    }
    queue.push(job);
  }

  /** Removes the job (answered, or given up). */
  leave(orderId: string, job: J): void {
    const queue = this.queues.get(orderId);
    const index = queue ? queue.indexOf(job) : -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    if (queue.length === 0) this.queues.delete(orderId);
  }

  /** The order's jobs, first come first. */
  of(orderId: string): readonly J[] {
    return this.queues.get(orderId) ?? [];
  }

  get size(): number {
    return this.queues.size;
  }

  *all(): IterableIterator<J> {
    for (const queue of this.queues.values()) yield* queue;
  }
}
