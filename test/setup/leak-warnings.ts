// Fails a test file that leaks a handle: a FileHandle left for garbage collection to close
// (DEP0137, "Closing file descriptor N on garbage collection") or an emitter that gathered more
// listeners than its limit (MaxListenersExceededWarning, usually one added per request and
// never removed). Other warnings (Node's ExperimentalWarning, say) are left alone.
// The worker runs with --expose-gc (vitest.config.ts): after the file's tests a full collection
// makes any unreachable FileHandle report itself here rather than in a later file, or never.
import { afterAll, afterEach } from 'vitest';

function isLeak(w: Error & { code?: string }): boolean {
  return w.name === 'MaxListenersExceededWarning' || w.code === 'DEP0137' || /^Closing file descriptor \d+ on garbage collection/.test(w.message);
}

// A worker runs many files (vitest.config.ts: isolate off) and this file again before each: the one
// listener is kept on the process, and it reports into the current file's list.
const slot = globalThis as { vigilLeaks?: string[] };
if (!slot.vigilLeaks) {
  process.on('warning', (w: Error & { code?: string }) => {
    if (isLeak(w)) slot.vigilLeaks!.push(`${w.name}${w.code ? ` [${w.code}]` : ''}: ${w.message}${w.stack ? `\n${w.stack.split('\n').slice(1, 8).join('\n')}` : ''}`);
  });
}
slot.vigilLeaks = [];
const leaks = slot.vigilLeaks;

function check(): void {
  if (!leaks.length) return;
  const found = leaks.splice(0);
  throw new Error(`leaked handle warning(s) during this test file:\n${found.join('\n')}`);
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Warnings are emitted on the next tick: let them arrive before judging the test.
afterEach(async () => {
  await new Promise((r) => setImmediate(r));
  check();
});

afterAll(async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  // A handle dropped by the last test is still reachable until its promise jobs have run; the
  // collection closes it and the warning comes a tick later.
  for (let i = 0; i < 2; i++) {
    await tick(20);
    gc?.();
  }
  await tick(50);
  check();
});
