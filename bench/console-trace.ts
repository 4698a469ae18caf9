// The renderer main thread's CPU time over one page load, by kind of work, from a Chromium trace
// (bench/console-profile.ts with BENCH_PROFILE_TRACE=1). Thread time, not wall time: on a busy
// machine the durations stretch with the load, the CPU a load needs does not. Each trace event's
// own time is its thread time less that of the events nested in it, so nothing counts twice.
export const TRACE_CATEGORIES = ['devtools.timeline', 'v8', 'v8.execute', 'blink', 'loading', 'disabled-by-default-devtools.timeline'];

interface TraceEvent { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string; data?: { url?: string } } }

/** Own thread time (ms) by event name on the page's renderer main thread, largest first. */
export function mainThreadSelfTime(traceJson: Buffer | string): { total: number; byName: [string, number][]; byScript: [string, number][] } {
  const { traceEvents } = JSON.parse(String(traceJson)) as { traceEvents: TraceEvent[] };
  const main = traceEvents.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && traceEvents.some((x) => x.pid === e.pid && x.tid === e.tid && x.name === 'ParseHTML'));
  if (!main) return { total: 0, byName: [], byScript: [] };
  const spans = traceEvents
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.tdur !== undefined)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const byName = new Map<string, number>();
  const byScript = new Map<string, number>();
  const stack: { end: number; e: TraceEvent; children: number }[] = [];
  const close = (until: number) => {
    while (stack.length && stack.at(-1)!.end <= until) {
      const top = stack.pop()!;
      const self = (top.e.tdur! - top.children) / 1000;
      byName.set(top.e.name, (byName.get(top.e.name) ?? 0) + self);
      const url = top.e.args?.data?.url;
      if (url && (top.e.name === 'EvaluateScript' || top.e.name === 'v8.compileModule')) byScript.set(url, (byScript.get(url) ?? 0) + top.e.tdur! / 1000);
      if (stack.length) stack.at(-1)!.children += top.e.tdur!;
    }
  };
  for (const e of spans) {
    close(e.ts);
    stack.push({ end: e.ts + (e.dur ?? 0), e, children: 0 });
  }
  close(Infinity);
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { total: [...byName.values()].reduce((a, b) => a + b, 0), byName: sorted(byName), byScript: sorted(byScript) };
}
