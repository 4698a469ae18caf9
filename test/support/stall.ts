// A guard against a hang, not a timing goal: a step that makes no progress for far longer than it
// ever needs fails with what it was waiting for and the state of what it waits on, instead of
// running into the test's own limit with no word.
export async function within<T>(what: string, limitMs: number, work: Promise<T>, state: () => unknown): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      let now: string;
      try {
        now = JSON.stringify(state());
      } catch (e) {
        now = `(state unreadable: ${String(e)})`;
      }
      reject(new Error(`stalled: ${what} did not finish in ${Math.round(limitMs / 1000)} s; state: ${now}`));
    }, limitMs);
  });
  try {
    return await Promise.race([work, stalled]);
  } finally {
    clearTimeout(timer);
  }
}
