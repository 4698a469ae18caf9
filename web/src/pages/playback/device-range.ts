// Where a device's own recording can be played from: its RecordInfo records, joined into runs.

/** Records closer than this are one recording: a device answers RecordInfo with a record a file. */
const JOIN_MS = 1000;

/**
 * The device's recording at `ms`, as the range to ask for: from `ms` to the end of its run of
 * records (files one after another are one recording), an hour at most; null where it keeps none
 * or less than a second is left.
 */
export function deviceRangeAt(ranges: readonly { startMs: number; endMs: number }[] | undefined, ms: number | null): { from: number; to: number } | null {
  if (ms === null || !ranges?.length) return null;
  const runs: { startMs: number; endMs: number }[] = [];
  for (const r of [...ranges].sort((a, b) => a.startMs - b.startMs)) {
    const last = runs.at(-1);
    if (last && r.startMs <= last.endMs + JOIN_MS) last.endMs = Math.max(last.endMs, r.endMs);
    else runs.push({ startMs: r.startMs, endMs: r.endMs });
  }
  // `ms` may fall in the small space between two files of a run: the device plays across it.
  const run = runs.find((x) => x.startMs <= ms && ms < x.endMs - JOIN_MS);
  return run ? { from: ms, to: Math.min(run.endMs, ms + 3_600_000) } : null;
}
