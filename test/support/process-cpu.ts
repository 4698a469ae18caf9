// CPU time of this process's children by command name (Chromium, ffmpeg, …), from /proc, so a
// benchmark can say where the machine's time went besides its own process.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  /**
   * utime + stime + cutime + cstime, in clock ticks: its own and that of its children that have
   * ended (a server's backends closed by a pool's idle timeout), which would otherwise drop out
   * of a reading and make a difference between two readings negative.
   */
  ticks: number;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm is in parentheses and may hold spaces: the fields after the last ')' are fixed.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      out.push({ pid: Number(name), ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
    } catch {
      /* the process ended while listed */
    }
  }
  return out;
}

/** CPU seconds used so far by every descendant of `root`, summed by the child of `root` it descends from, named by that child's command. */
export function childrenCpuSeconds(root = process.pid): Map<string, number> {
  const all = processes();
  const byParent = new Map<number, Proc[]>();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const total = (p: Proc): number => p.ticks + (byParent.get(p.pid) ?? []).reduce((s, c) => s + total(c), 0);
  const out = new Map<string, number>();
  for (const child of byParent.get(root) ?? []) out.set(child.comm, (out.get(child.comm) ?? 0) + total(child) / TICKS_PER_SECOND);
  return out;
}

/** Percent of one core each child command used between two `childrenCpuSeconds` readings `ms` apart. */
export function cpuPercents(a: Map<string, number>, b: Map<string, number>, ms: number): string {
  return [...b]
    .map(([comm, s]) => `${comm} ${(((s - (a.get(comm) ?? 0)) * 1000) / ms * 100).toFixed(0)} %`)
    .join(', ');
}

/** CPU seconds used so far by `pid` and every process descending from it (a server and its backends). */
export function treeCpuSeconds(pid: number): number {
  const all = processes();
  const byParent = new Map<number, Proc[]>();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const total = (p: Proc): number => p.ticks + (byParent.get(p.pid) ?? []).reduce((s, c) => s + total(c), 0);
  const root = all.find((p) => p.pid === pid);
  return root ? total(root) / TICKS_PER_SECOND : 0;
}
