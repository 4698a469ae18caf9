// A day of minute states drawn as runs: consecutive minutes of one state become one rectangle,
// so a day is a few dozen shapes, not 1,440. Pure, no imports, so Node's tests can load it.

export type MinuteState = 'streaming' | 'online' | 'offline';

export interface Run {
  state: MinuteState;
  /** First minute of the run (0 = local midnight). */
  from: number;
  /** Minutes in the run. */
  length: number;
}

export function runsOf(minutes: readonly MinuteState[]): Run[] {
  const out: Run[] = [];
  for (let i = 0; i < minutes.length; i++) {
    const last = out.at(-1);
    if (last && last.state === minutes[i]) last.length++;
    else out.push({ state: minutes[i]!, from: i, length: 1 });
  }
  return out;
}

/** Share of the minutes so far spent in each state. */
export function shares(minutes: readonly MinuteState[]): Record<MinuteState, number> {
  const n = minutes.length || 1;
  const count = (s: MinuteState) => minutes.filter((m) => m === s).length / n;
  return { streaming: count('streaming'), online: count('online'), offline: count('offline') };
}
