// The worker: runs in every instance, leases due jobs from the store and runs them, at most
// `concurrency` outgoing calls at a time, and timers in a lane of their own (jobLanes.ts); one
// merchant holds at most a quarter of the call slots and merchants are served in turn. Everything it knows is in the store (jobs, leases, attempts);
// in memory it keeps only what it is running now, so any instance may run any job and one that
// dies loses nothing. It looks for due work when this process writes jobs or advances a clock
// (an in-process signal) and otherwise every poll interval, so work runs within 2 s of falling due.
import type { Logger } from 'pino';
import { merchantClock } from '../store/clock.js';
import type { Store } from '../store/dialect.js';
import { LEASE_MS, leaseDueJobs, recordAttempt, renewLeases } from '../store/jobLeases.js';
import { onJobsDue, type AttemptResult, type JobKind, type LeasedJob } from '../store/jobs.js';
import { kindsOfLane, perMerchantCallCap } from '../store/jobLanes.js';
import { pruneFinishedJobs, pruneRecordedCalls } from '../store/retention.js';
import { JOB_HANDLERS, runHandler, type JobHandlers } from './handlers.js';
import { Wakeup } from './wakeup.js';

export interface WorkerOptions {
  /** Attempts running at once in this instance. */
  concurrency: number;
  log: Logger;
  handlers?: JobHandlers;
  /** Longest wait between two looks for due work. */
  pollMs?: number;
  /** Finished jobs older than this are pruned, at start and then hourly (default 30). */
  retentionDays?: number;
}

export interface Worker {
  /** Stops leasing, then waits up to graceMs for the attempts in flight; leases of any still running run out and others take them. */
  stop(graceMs: number): Promise<void>;
}

/** A signal arriving right after a look that found nothing waits this long, so a burst of commands costs one lease query. */
const MIN_LOOK_INTERVAL_MS = 25;
/** A handler that throws (e.g. the store is briefly unavailable) is tried again this much later on the merchant's clock. */
const RETRY_AFTER_ERROR_MS = 60_000;

/** Timer slots (expiry, fraud decisions): short store work, in a lane of its own so it never waits behind calls. */
const TIMER_SLOTS = 4;

export function startWorker(store: Store, options: WorkerOptions): Worker {
  const { concurrency, log } = options;
  const handlers = options.handlers ?? JOB_HANDLERS;
  const kinds = Object.keys(handlers) as JobKind[];
  const pollMs = options.pollMs ?? 500;
  const inFlight = new Map<number, { job: LeasedJob; done: Promise<void> }>();
  const lanes: LaneSpec[] = [
    { kinds: kindsOfLane('call', kinds), slots: concurrency, perMerchantCap: perMerchantCallCap(concurrency), wakeup: new Wakeup() },
    { kinds: kindsOfLane('timer', kinds), slots: TIMER_SLOTS, wakeup: new Wakeup() },
  ];
  const stopListening = onJobsDue(store, () => lanes.forEach((l) => l.wakeup.wake()));
  const state = { stopping: false };

  const renewals = setInterval(() => {
    renewLeases(
      store,
      [...inFlight.values()].map((f) => f.job),
    ).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'worker: renewing leases failed'));
  }, LEASE_MS / 3);
  renewals.unref();
  const stopPruning = startPruning(store, options.retentionDays ?? DEFAULT_RETENTION_DAYS, log);

  const run = (job: LeasedJob, lane: LaneSpec, running: Set<number>): void => {
    running.add(job.id);
    const done = attempt(store, handlers, log, job).finally(() => {
      inFlight.delete(job.id);
      running.delete(job.id);
      lane.wakeup.wake();
    });
    inFlight.set(job.id, { job, done });
  };

  const loops = lanes.filter((l) => l.kinds.length > 0 && l.slots > 0).map((lane) => runLane(store, lane, { pollMs, log, state, run }));

  return {
    async stop(graceMs) {
      state.stopping = true;
      stopListening();
      lanes.forEach((l) => l.wakeup.wake());
      await Promise.all(loops);
      const running = Promise.allSettled([...inFlight.values()].map((f) => f.done));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      clearInterval(renewals);
      stopPruning();
      if (inFlight.size > 0) log.warn({ jobs: inFlight.size }, 'worker stopped with attempts in flight; their leases run out and other instances retry them');
    },
  };
}

/** One lane of the worker: its kinds, its own slots, and the most of one merchant's jobs it runs at once. */
interface LaneSpec {
  kinds: JobKind[];
  slots: number;
  perMerchantCap?: number;
  wakeup: Wakeup;
}

interface LaneContext {
  pollMs: number;
  log: Logger;
  state: { stopping: boolean };
  run: (job: LeasedJob, lane: LaneSpec, running: Set<number>) => void;
}

/** Leases due jobs of the lane's kinds into its free slots until the worker stops. */
async function runLane(store: Store, lane: LaneSpec, { pollMs, log, state, run }: LaneContext): Promise<void> {
  const running = new Set<number>();
  let lastLook = 0;
  // Whether the last look filled every free slot: more is probably due, so look again as soon as
  // half the slots are free (a lease query then serves several attempts) and without the pause.
  let backlog = false;
  // Whether a merchant's cap held back due work: each slot it frees is worth a look at once.
  let capped = false;
  while (!state.stopping) {
    const free = lane.slots - running.size;
    const worthLooking = backlog ? free >= Math.ceil(lane.slots / 2) : free > 0;
    if (!worthLooking) {
      await lane.wakeup.wait(pollMs);
      continue;
    }
    const sinceLast = Date.now() - lastLook;
    if (!backlog && !capped && sinceLast < MIN_LOOK_INTERVAL_MS) await sleep(MIN_LOOK_INTERVAL_MS - sinceLast);
    lastLook = Date.now();
    let leased: LeasedJob[] = [];
    try {
      ({ jobs: leased, capped } = await leaseDueJobs(store, { kinds: lane.kinds, limit: free, perMerchantCap: lane.perMerchantCap }));
    } catch (err) {
      capped = false;
      log.warn({ err: (err as Error).message }, 'worker: leasing jobs failed');
    }
    for (const job of leased) run(job, lane, running);
    backlog = leased.length === free;
    if (!backlog) await lane.wakeup.wait(pollMs);
  }
}

/** One attempt of a leased job: its handler runs, and the result is recorded (if the lease still holds) and logged. */
async function attempt(store: Store, handlers: JobHandlers, log: Logger, job: LeasedJob): Promise<void> {
  const startedMs = Date.now();
  const attemptedAt = merchantClock(store, job.clock_offset_seconds, startedMs).now;
  let result: AttemptResult;
  try {
    result = await runHandler(handlers, job, { store, log, attempt: job.attempts + 1, attemptedAt });
  } catch (err) {
    log.error({ err, job_id: job.id, kind: job.kind }, 'worker: job handler failed');
    result = { status: 0, error: (err as Error).message, next: { state: 'pending', dueAt: new Date(attemptedAt.getTime() + RETRY_AFTER_ERROR_MS) } };
  }
  const durationMs = Date.now() - startedMs;
  const fields = {
    job_id: job.id,
    kind: job.kind,
    merchant_id: job.merchant_id,
    order_id: job.order_id,
    attempt: job.attempts + 1,
    status: result.status,
    error: result.error ?? undefined,
    duration_ms: durationMs,
    next: result.next.state,
    url: result.url ? loggableUrl(result.url) : undefined,
  };
  try {
    const recorded = await recordAttempt(store, job, result, attemptedAt, durationMs);
    if (recorded) log.info(fields, 'job attempt');
    else log.warn(fields, 'job attempt not recorded: the lease ran out and another instance took the job');
  } catch (err) {
    // The lease runs out and the job is attempted again: at least once, never lost.
    log.warn({ ...fields, err: (err as Error).message }, 'job attempt not recorded: the store is unavailable');
  }
}

const DEFAULT_RETENTION_DAYS = 30;
const PRUNE_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Prunes finished jobs and recorded calls older than `days` (retention.ts) now and then hourly; returns the stopper. */
function startPruning(store: Store, days: number, log: Logger): () => void {
  const prune = () => {
    const before = Date.now() - days * DAY_MS;
    Promise.all([pruneFinishedJobs(store, before), pruneRecordedCalls(store, before)])
      .then(([pruned, calls]) => pruned + calls > 0 && log.info({ pruned, pruned_calls: calls, retention_days: days }, 'worker: pruned finished jobs and recorded calls'))
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'worker: pruning finished jobs failed'));
  };
  const first = setTimeout(prune, 0);
  const hourly = setInterval(prune, PRUNE_EVERY_MS);
  first.unref();
  hourly.unref();
  return () => {
    clearTimeout(first);
    clearInterval(hourly);
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Query strings and user info may carry the merchant's credentials: logs get scheme, host and path only. */
function loggableUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
