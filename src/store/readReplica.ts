// Reads that may lag (DATABASE_READ_URL, PostgreSQL only): a merchant's GET of an order and the
// portal's order list go to a replica's pool, everything else to the primary. A replica replays the
// primary's changes some milliseconds to seconds late, so a read there can show an order as it was
// before a change that has already been answered. Two cases are kept to the primary, because a
// merchant makes them all the time: an order this instance changed within the last
// `freshForMs` (a capture, then a GET of the order), and an order the replica does not have yet
// (created, then read: a miss on the replica is asked of the primary). A change made through
// another instance (behind a load balancer) may still be read late from this one: that is the
// lag's cost, and why the replica is an option.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Orders this process changed recently, so that their next reads see the change. */
export class RecentOrderWrites {
  private readonly writtenAt = new Map<string, number>();
  constructor(
    private readonly freshForMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Called once a command on the order has been answered (committed or refused: either way, read it fresh). */
  mark(orderId: string): void {
    const now = this.now();
    // Re-inserted at the end: the map stays ordered by time, so the expired ones are at its front.
    this.writtenAt.delete(orderId);
    this.writtenAt.set(orderId, now);
    for (const [id, at] of this.writtenAt) {
      if (now - at < this.freshForMs) break;
      this.writtenAt.delete(id);
    }
  }

  isRecent(orderId: string): boolean {
    const at = this.writtenAt.get(orderId);
    return at !== undefined && this.now() - at < this.freshForMs;
  }
}

/** Where a store's lagging reads go. */
export interface ReadReplica {
  db: Kysely<Database>;
  recentWrites: RecentOrderWrites;
}

/**
 * The connection a read that may lag runs on: the replica, unless the order was changed here
 * recently (or there is no replica: then `primary`).
 */
export function laggingReader(replica: ReadReplica | undefined, primary: Kysely<Database>, orderId?: string): Kysely<Database> {
  if (!replica) return primary;
  return orderId !== undefined && replica.recentWrites.isRecent(orderId) ? primary : replica.db;
}
