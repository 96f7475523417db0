import type { Logger } from 'pino';
import type { Clock } from '../deps.js';
import type { Store } from '../store/port.js';

/** Work one node does for the whole cluster, at most once every `everyMs`. */
export interface ClusterJob {
  name: string;
  everyMs: number;
  /** Runs in the job's transaction, under its cluster lock. */
  run(tx: Store, now: number): Promise<unknown>;
}

const ranAtKey = (job: ClusterJob) => `job:${job.name}:ran_at`;

/**
 * Runs `job` if its turn has come, under its cluster lock (Store.clusterLock): of any number of
 * nodes asking at once, the first runs it and records when (in meta, in the same transaction),
 * and the others find it done. Answers whether this call ran it.
 */
export function runOncePerCluster(store: Store, job: ClusterJob, now: number): Promise<boolean> {
  return store.clusterLock(`job:${job.name}`, async (tx) => {
    const ranAt = await tx.meta.get(ranAtKey(job));
    if (ranAt !== undefined && now - Number(ranAt) < job.everyMs) return false;
    await job.run(tx, now);
    await tx.meta.put(ranAtKey(job), String(now));
    return true;
  });
}

/** The cluster's periodic upkeep: storage bounded by the live set (DESIGN.md, "Hot path"). */
export const clusterJobs: ClusterJob[] = [
  {
    // Shared login-failure counts (the one SQLite node's are in memory, bounded there).
    name: 'login-failures-sweep',
    everyMs: 5 * 60_000,
    run: (tx, now) => tx.loginFailures.deleteForgotten(now),
  },
];

/** Every node offers to run each job every `tickMs`; whichever node's turn comes first runs it. */
export class Housekeeping {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly jobs: readonly ClusterJob[] = clusterJobs,
    private readonly tickMs = 60_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  /** Runs the jobs whose turn has come (one tick at a time); answers the names of those this node ran. */
  tick(): Promise<string[]> {
    const run = this.running.then(async () => {
      const ran: string[] = [];
      for (const job of this.jobs) {
        try {
          if (await runOncePerCluster(this.store, job, this.clock.now())) ran.push(job.name);
        } catch (err) {
          this.log.warn({ err, job: job.name }, 'cluster job failed; it runs again at the next tick');
        }
      }
      return ran;
    });
    this.running = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
