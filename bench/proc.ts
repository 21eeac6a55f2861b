import { readdirSync, readFileSync } from 'node:fs';

// Processes as Linux's /proc shows them, for benchmarks that account other processes' CPU and
// memory. utime and stime are in clock ticks; Linux reports them at 100 per second on every
// architecture we run (USER_HZ), whatever the kernel's own tick.
const TICKS_PER_SECOND = 100;

export interface ProcStat {
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Since boot, in clock ticks: with the pid, names one process (pids are reused). */
  startTime: number;
}

/** The process's /proc/<pid>/stat, or undefined once it has exited. */
export function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces; the fields after it are fixed.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]), startTime: Number(fields[19]) };
  } catch {
    return undefined; // gone
  }
}

export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** `pid` and every process below it. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of allPids()) {
    const stat = procStat(p);
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), p]);
  }
  const tree: number[] = [];
  const pending = [pid];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    tree.push(next);
    pending.push(...(children.get(next) ?? []));
  }
  return tree;
}

/** A `<field>: <n> kB` line of /proc/<pid>/status or smaps_rollup, in kB (0 once the process is gone). */
export function procKb(pid: number, file: 'status' | 'smaps_rollup', field: string): number {
  try {
    const line = readFileSync(`/proc/${pid}/${file}`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return Number(/(\d+)\s*kB/.exec(line ?? '')?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) the process has used so far, or undefined once it has exited. */
export function cpuSecondsOf(pid: number): number | undefined {
  const stat = procStat(pid);
  return stat === undefined ? undefined : stat.cpuTicks / TICKS_PER_SECOND;
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

/** CPU seconds the whole machine has spent busy since boot (every core; idle and I/O wait left out). */
export function machineBusyCpuSeconds(): number {
  const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}
