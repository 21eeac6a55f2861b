import { readFileSync } from 'node:fs';

// CPU time of other processes (Linux /proc), so a benchmark can say which process spent a run's
// CPU. utime and stime are in clock ticks; Linux reports them at 100 per second on every
// architecture we run (USER_HZ), whatever the kernel's own tick.
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) the process has used so far, or undefined once it has exited. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds spent by a changing set of processes (for example a database's backends, which come
 * and go) since `start`: each `sample` adds what the processes it is given used since they were last
 * seen. A process that exits between samples loses at most one interval of its time.
 */
export class CpuAccount {
  private readonly lastSeen = new Map<number, number>();
  private spent = 0;

  constructor(pidsAtStart: readonly number[]) {
    for (const pid of pidsAtStart) {
      const now = cpuSecondsOf(pid);
      if (now !== undefined) this.lastSeen.set(pid, now);
    }
  }

  sample(pids: readonly number[]): void {
    for (const pid of pids) {
      const now = cpuSecondsOf(pid);
      if (now === undefined) continue;
      this.spent += now - (this.lastSeen.get(pid) ?? 0);
      this.lastSeen.set(pid, now);
    }
  }

  get seconds(): number {
    return this.spent;
  }
}
