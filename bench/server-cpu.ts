// CPU time spent by the PostgreSQL backends serving one benchmark scenario, read from
// /proc: a cost per transfer that, unlike transfers/s, barely moves when other work shares
// the machine. Only for a server on this Linux host; elsewhere it reports nothing.
import { readFileSync } from 'node:fs';
import type pg from 'pg';

/** /proc reports CPU time in USER_HZ ticks, 100 per second on Linux. */
const procTicksPerSecond = 100;

function backendCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) " start at the state (field 3); utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / procTicksPerSecond : null;
  } catch {
    return null;
  }
}

export type BackendCpu = ReadonlyMap<number, number>;

/** CPU ms so far of every backend connected with this application_name, or null if /proc cannot tell. */
export async function backendsCpu(admin: pg.Client, applicationName: string): Promise<BackendCpu | null> {
  const result = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
  const cpu = new Map<number, number>();
  for (const { pid } of result.rows) {
    const ms = backendCpuMs(pid);
    if (ms === null) return null;
    cpu.set(pid, ms);
  }
  return cpu;
}

/** CPU ms the backends spent between two readings (a backend that connected in between counts from zero). */
export function cpuSpentMs(before: BackendCpu | null, after: BackendCpu | null): number | null {
  if (before === null || after === null || after.size === 0) return null;
  let spent = 0;
  for (const [pid, ms] of after) spent += ms - (before.get(pid) ?? 0);
  return spent;
}
