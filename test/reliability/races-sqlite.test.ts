// Races on SQLite (issue 5, item 3): the same race scenarios with two OpenOM processes sharing one
// SQLite file (WAL; writers queue for the write lock) and with one process. Clients only ever see
// success or the right 403: SQLITE_BUSY never reaches them, as a 500 or at all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  assertLedgerClean,
  captureRace,
  createMerchant,
  idempotentRace,
  instanceEnv,
  mixedRace,
  refundRace,
  startCluster,
  stopAll,
  storeConfigOf,
  type Instance,
  type Merchant,
} from './cluster.js';

for (const processes of [2, 1]) {
  const label = `sqlite ×${processes}`;
  describe(`races: ${processes} OpenOM process(es) on one SQLite file`, { concurrency: false }, () => {
    let dir = '';
    let url = '';
    let instances: Instance[] = [];
    let merchant: Merchant;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'openom-races-'));
      url = `sqlite:${join(dir, 'openom.sqlite')}`;
      instances = await startCluster(processes, instanceEnv(url));
      merchant = await createMerchant(instances[0]!.base);
    });
    after(async () => {
      await stopAll(instances);
      rmSync(dir, { recursive: true, force: true });
    });

    it('1,000 concurrent captures: acknowledged amounts add up to captured_amount ≤ order_amount, the rest are 403 CAPTURE_NOT_ALLOWED, never a 5xx', async () => {
      await captureRace(instances, merchant, 1_000, label);
    });

    it('1,000 concurrent refunds: acknowledged amounts add up to refunded_amount ≤ captured_amount, the rest are 403 REFUND_NOT_ALLOWED', async () => {
      await refundRace(instances, merchant, 1_000, label);
    });

    it('1,000 concurrent captures, refunds, cancels and releases on one order: every amount matches what was acknowledged', async () => {
      await mixedRace(instances, merchant, 1_000, label);
    });

    it('100 concurrent requests with one Klarna-Idempotency-Key: one capture, 100 identical responses', async () => {
      await idempotentRace(instances, merchant, 100, label);
    });

    it('the ledger check passes over the whole file afterwards', async () => {
      await assertLedgerClean(storeConfigOf(url), label);
    });
  });
}
