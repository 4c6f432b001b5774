// Retention (CONTRACT §9, issue 24 §5): finished jobs (delivered, failed, cancelled) and their
// attempts older than OPENOM_RETENTION_DAYS are pruned by the worker; pending jobs and younger
// ones stay, whatever their age.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../src/config.js';
import { pruneFinishedJobs, pruneRecordedCalls } from '../../src/store/retention.js';
import type { JobState } from '../../src/store/schema.js';
import { startWorker } from '../../src/worker/worker.js';
import { createMerchant, describeOnBothStores, type TestApp } from '../support/harness.js';
import { eventually } from '../support/webhooks.js';

const DAY_MS = 86_400_000;

/** A job of the merchant that last fell due `ageDays` ago, in `state`, with one attempt recorded. */
async function jobAged(t: TestApp, merchantId: string, state: JobState, ageDays: number): Promise<number> {
  const runAt = Date.now() - ageDays * DAY_MS;
  const at = new Date(runAt).toISOString();
  const job = await t.store.db
    .insertInto('jobs')
    .values({ kind: 'expiry', merchant_id: merchantId, order_id: null, webhook_id: null, sequence_key: null, payload: '{}', state, run_at: runAt, attempts: 1, lease_token: null, lease_until: null, last_status: 200, last_error: null, created_at: at, updated_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(job.id);
  await t.store.db
    .insertInto('job_attempts')
    .values({ job_id: id, merchant_id: merchantId, order_id: null, webhook_id: null, kind: 'expiry', attempt: 1, url: null, status: 200, error: null, duration_ms: 1, attempted_at: at })
    .execute();
  return id;
}

async function remaining(t: TestApp, ids: number[]): Promise<{ jobs: number[]; attempts: number[] }> {
  const jobs = await t.store.db.selectFrom('jobs').select('id').where('id', 'in', ids).orderBy('id').execute();
  const attempts = await t.store.db.selectFrom('job_attempts').select('job_id').where('job_id', 'in', ids).orderBy('job_id').execute();
  return { jobs: jobs.map((j) => Number(j.id)), attempts: attempts.map((a) => Number(a.job_id)) };
}

describe('OPENOM_RETENTION_DAYS', () => {
  it('defaults to 30 and may be 1 to 36500; anything else stops the start naming it', () => {
    assert.equal(loadConfig({}).retentionDays, 30);
    assert.equal(loadConfig({ OPENOM_RETENTION_DAYS: '1' }).retentionDays, 1);
    assert.equal(loadConfig({ OPENOM_RETENTION_DAYS: '36500' }).retentionDays, 36_500);
    for (const bad of ['0', '36501', 'thirty', '-1']) assert.throws(() => loadConfig({ OPENOM_RETENTION_DAYS: bad }), ConfigError);
  });
});

describeOnBothStores('retention of finished jobs', (ctx) => {
  it('prunes finished jobs and their attempts older than the cut-off; pending and younger jobs stay', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Old History AB');
    const done = await jobAged(t, m.merchant_id, 'done', 31);
    const dead = await jobAged(t, m.merchant_id, 'dead', 40);
    const cancelled = await jobAged(t, m.merchant_id, 'cancelled', 31);
    const young = await jobAged(t, m.merchant_id, 'done', 29);
    const pending = await jobAged(t, m.merchant_id, 'pending', 400);
    const all = [done, dead, cancelled, young, pending];
    assert.equal(await pruneFinishedJobs(t.store, Date.now() - 30 * DAY_MS), 3);
    assert.deepEqual(await remaining(t, all), { jobs: [young, pending], attempts: [young, pending] });
    assert.equal(await pruneFinishedJobs(t.store, Date.now() - 30 * DAY_MS), 0);
  });

  it('prunes recorded calls to merchants made before the cut-off, of every merchant; younger ones stay', async () => {
    const t = ctx();
    const a = await createMerchant(t, 'Calls A AB');
    const b = await createMerchant(t, 'Calls B AB');
    const callAged = async (merchantId: string, ageDays: number) =>
      Number(
        (
          await t.store.db
            .insertInto('merchant_calls')
            .values({ merchant_id: merchantId, order_id: null, kind: 'webhook', method: 'POST', url: 'http://127.0.0.1:9/hook', request_body: '{}', status: 200, response_body: 'ok', error: null, duration_ms: 1, called_at: new Date(Date.now() - ageDays * DAY_MS).toISOString() })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id,
      );
    const old = [await callAged(a.merchant_id, 31), await callAged(b.merchant_id, 90)];
    const young = [await callAged(a.merchant_id, 29), await callAged(b.merchant_id, 0)];
    assert.equal(await pruneRecordedCalls(t.store, Date.now() - 30 * DAY_MS), 2);
    const left = (await t.store.db.selectFrom('merchant_calls').select('id').where('id', 'in', [...old, ...young]).orderBy('id').execute()).map((r) => Number(r.id));
    assert.deepEqual(left, young);
    assert.equal(await pruneRecordedCalls(t.store, Date.now() - 30 * DAY_MS), 0);
  });

  it('the worker prunes at start with its retention days (OPENOM_RETENTION_DAYS)', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Short Memory AB');
    const old = await jobAged(t, m.merchant_id, 'done', 8);
    const kept = await jobAged(t, m.merchant_id, 'done', 6);
    // No call or timer work is given to it: only its pruning runs.
    const worker = startWorker(t.store, { concurrency: 1, log: pino({ level: 'silent' }), retentionDays: 7, handlers: {} });
    try {
      await eventually('the old job pruned', async () => ((await remaining(t, [old])).jobs.length === 0 ? true : undefined));
      assert.deepEqual(await remaining(t, [old, kept]), { jobs: [kept], attempts: [kept] });
    } finally {
      await worker.stop(1_000);
    }
  });
});
