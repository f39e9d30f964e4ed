// Jobs that run at wall-clock times (the daily backup, B1), by cron expression in a time
// zone, with croner. A run never overlaps the previous one; failures are logged.
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Scheduler } from './scheduler.ts';

export type CronJob = { readonly name: string; readonly cron: string; readonly timezone: string; readonly run: () => Promise<unknown> };

export function startCronJobs(jobs: readonly CronJob[], logger: Logger): Scheduler {
  const running = new Set<Promise<unknown>>();
  const crons = jobs.map((job) => new Cron(job.cron, { timezone: job.timezone, protect: true }, async () => {
    const run = job.run()
      .then((result) => {
        logger.info({ job: job.name, result }, 'job finished');
      })
      .catch((error: unknown) => {
        logger.error({ job: job.name, err: error }, 'job failed');
      });
    running.add(run);
    await run;
    running.delete(run);
  }));
  return {
    async stop() {
      for (const cron of crons) cron.stop();
      await Promise.allSettled([...running]);
    },
  };
}
