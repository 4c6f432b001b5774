// What the OpenOM workloads share between bench/run.ts and bench/scale-out.ts: the credentials and
// environment OpenOM runs with, and the pool of fresh orders captures are made on.
import type { Credentials } from './api.js';
import { runLoad, type LoadResult, type LoadSpec } from './proc.js';
import type { BenchStore } from './stores.js';

export const CREDENTIALS: Credentials = { adminToken: 'bench-admin-token-0123456789', username: 'bench_merchant', password: 'bench-password-123' };

// Production mode: the ledger figures are for what operators run (real clock, no sandbox helpers,
// so no per-request check for sandbox faults). It creates no merchant: benchMerchantId makes one.
export const openomEnv = (url: string): Record<string, string> => ({
  DATABASE_URL: url,
  OPENOM_MODE: 'production',
  OPENOM_ADMIN_TOKEN: CREDENTIALS.adminToken,
  LOG_LEVEL: 'warn',
});

/** Fresh orders for capture workloads, cloned in bulk and handed out once each. */
export class CapturePool {
  private ids: string[] = [];
  private cursor = 0;
  private batch = 0;
  private observedRps = 0;
  constructor(
    private readonly store: BenchStore,
    private readonly templateId: string,
    private readonly initialRps: number,
  ) {}

  async take(seconds: number, share: number, scale = 1): Promise<string[]> {
    const rate = Math.max(this.initialRps, this.observedRps * 2) * scale;
    const need = Math.ceil(rate * seconds * share) + 200;
    const unused = this.ids.length - this.cursor;
    if (unused < need) {
      const tag = `bench-capture-${this.batch++}`;
      await this.store.cloneOrders(this.templateId, need - unused, tag);
      this.ids = [...this.ids.slice(this.cursor), ...(await this.store.idsTagged(tag))];
      this.cursor = 0;
    }
    return this.ids.slice(this.cursor);
  }

  consumed(n: number, seconds: number): void {
    this.cursor += n;
    this.observedRps = Math.max(this.observedRps, n / seconds);
  }

  /**
   * Runs the load with fresh orders for the `share` of its requests that capture; a run that ran
   * out of them is repeated with more (three attempts). `before` is called before each attempt.
   */
  async runLoad(spec: LoadSpec, share: number, before: (attempt: number) => void = () => undefined): Promise<LoadResult> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const withIds: LoadSpec = { ...spec, ids: { ...spec.ids } };
      if (share > 0) withIds.ids!.capture = await this.take(spec.duration ?? 0, share, attempt);
      before(attempt);
      const result = await runLoad(withIds);
      this.consumed(result.used.capture, result.seconds);
      if (!result.exhausted) return result;
    }
    throw new Error(`${spec.kind} c=${spec.connections}: ran out of fresh orders three times`);
  }
}
