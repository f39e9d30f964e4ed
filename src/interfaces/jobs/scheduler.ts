// The standalone scheduler: runs each background job every interval, never two runs of
// the same job at once, and logs failures without stopping. Jobs themselves are plain
// functions of (store, ports, clock) and are safe to run from several places at once.
import type { Logger } from 'pino';

export type Job = { readonly name: string; readonly intervalMs: number; readonly run: () => Promise<unknown> };

export type Scheduler = { stop(): Promise<void> };

function itemErrorsIn(result: unknown): number {
  if (typeof result !== 'object' || result === null || !('errors' in result)) return 0;
  return typeof result.errors === 'number' ? result.errors : 0;
}

export function startScheduler(jobs: readonly Job[], logger: Logger): Scheduler {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  for (const job of jobs) {
    let busy = false;
    const tick = (): void => {
      if (busy || stopped) return;
      busy = true;
      const run = job.run()
        .then((result) => {
          // Items a job could not handle are counted in its report (`errors`, with reasons
          // free of credentials) and tried again next run; a person should hear of them.
          if (itemErrorsIn(result) > 0) logger.warn({ job: job.name, result }, 'job finished; some items failed and wait for the next run');
          else logger.debug({ job: job.name, result }, 'job finished');
        })
        .catch((error: unknown) => {
          logger.error({ job: job.name, err: error }, 'job failed');
        })
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    };
    const timer = setInterval(tick, job.intervalMs);
    timer.unref();
    timers.push(timer);
  }
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
}
