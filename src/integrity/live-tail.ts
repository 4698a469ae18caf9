// The tail of a recording file still being written: the bytes after its last indexed fragment.
// The recorder writes only whole fragments (moof + mdat, ISO/IEC 14496-12 §8.8.4 / §8.1.1) and
// the `free` boxes that pad them to block boundaries, and indexes each one once it is durable,
// so a live file may end with such boxes not yet in the index — the last one possibly still
// partial while its write is under way. Anything else there was put there by someone else.

const ALLOWED = new Set(['moof', 'mdat', 'free', 'skip']);
const HEADER = 8;

export type TailCheck = { ok: true } | { ok: false; at: number; reason: string };

/** Walks the box headers of [from, to); `read` returns exactly `length` bytes or null. */
export async function liveTail(read: (offset: number, length: number) => Promise<Buffer | null>, from: number, to: number): Promise<TailCheck> {
  let expectMdat = false;
  for (let at = from; at < to; ) {
    if (to - at < HEADER) return { ok: true }; // a header still being written
    const h = await read(at, HEADER);
    if (!h) return { ok: false, at, reason: 'unreadable' };
    const size = h.readUInt32BE(0);
    const type = h.toString('latin1', 4, 8);
    if (!ALLOWED.has(type)) return { ok: false, at, reason: `a "${printable(type)}" box at byte ${at}, not a fragment being written` };
    if (size < HEADER) return { ok: false, at, reason: `a box of impossible size ${size} at byte ${at}` };
    if (expectMdat && type !== 'mdat') return { ok: false, at, reason: `a moof not followed by its mdat (byte ${at})` };
    if (!expectMdat && type === 'mdat') return { ok: false, at, reason: `an mdat at byte ${at} without its moof` };
    expectMdat = type === 'moof';
    at += size; // past `to`: the last box is still being written
  }
  return { ok: true };
}

function printable(type: string): string {
  return /^[\x20-\x7e]{4}$/.test(type) ? type : Buffer.from(type, 'latin1').toString('hex');
}
