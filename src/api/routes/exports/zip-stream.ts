// A store-only ZIP of a folder, streamed (APPNOTE.TXT 6.3.x: §4.3.7 local file header, §4.3.9
// data descriptor, §4.3.12 central directory header, §4.3.16 end of central directory). Files
// are stored, not compressed: the footage is already compressed and the evidence copy must come
// out bit for bit. Sizes are known from stat, so the length is known before the first byte; the
// CRC-32 is computed while streaming and sent in a data descriptor (general purpose flag bit 3).
// No ZIP64: a package of 4 GiB or more is refused (take the folder instead).
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';

const LIMIT = 0xffff_ffff;
/** Bit 3: sizes and CRC follow the data; bit 11: names are UTF-8. */
const FLAGS = 0x0808;

export interface ZipEntry {
  /** Forward slashes, relative to the folder. */
  name: string;
  absolute: string;
  size: number;
  mtime: Date;
}

export class ZipTooLargeError extends Error {
  readonly code = 'ZIP_TOO_LARGE';
}

export async function folderEntries(dir: string): Promise<ZipEntry[]> {
  const out: ZipEntry[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const s = await stat(p);
        out.push({ name: relative(dir, p).split(sep).join('/'), absolute: p, size: s.size, mtime: s.mtime });
      }
    }
  };
  await walk(dir);
  return out;
}

/** MS-DOS date and time (local fields taken in UTC: the manifest carries the real times). */
function dosTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/** The byte length of the archive `zipStream(entries)` produces. */
export function zipLength(entries: readonly ZipEntry[]): number {
  let n = 22;
  for (const e of entries) n += 30 + 16 + 46 + 2 * Buffer.byteLength(e.name) + e.size;
  return n;
}

export function zipStream(entries: readonly ZipEntry[]): Readable {
  if (zipLength(entries) >= LIMIT || entries.length >= 0xffff) throw new ZipTooLargeError('the package is too large for a ZIP without ZIP64; copy the package folder instead');
  async function* chunks(): AsyncGenerator<Buffer> {
    const central: Buffer[] = [];
    let offset = 0;
    for (const e of entries) {
      const name = Buffer.from(e.name, 'utf8');
      const { time, date } = dosTime(e.mtime);
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4); // version needed: 2.0
      local.writeUInt16LE(FLAGS, 6);
      local.writeUInt16LE(0, 8); // stored
      local.writeUInt16LE(time, 10);
      local.writeUInt16LE(date, 12);
      // CRC and sizes 0 here: they are in the data descriptor (bit 3).
      local.writeUInt16LE(name.length, 26);
      yield local;
      yield name;
      let crc = 0;
      let size = 0;
      for await (const chunk of createReadStream(e.absolute)) {
        const b = chunk as Buffer;
        crc = crc32(b, crc);
        size += b.length;
        yield b;
      }
      // The file changed size after stat: the declared length would be wrong, so stop loudly.
      if (size !== e.size) throw new Error(`${e.name} changed while being archived`);
      const descriptor = Buffer.alloc(16);
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc >>> 0, 4);
      descriptor.writeUInt32LE(size, 8);
      descriptor.writeUInt32LE(size, 12);
      yield descriptor;
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
      c.writeUInt16LE(20, 6);
      c.writeUInt16LE(FLAGS, 8);
      c.writeUInt16LE(0, 10);
      c.writeUInt16LE(time, 12);
      c.writeUInt16LE(date, 14);
      c.writeUInt32LE(crc >>> 0, 16);
      c.writeUInt32LE(size, 20);
      c.writeUInt32LE(size, 24);
      c.writeUInt16LE(name.length, 28);
      c.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
      c.writeUInt32LE(offset, 42);
      central.push(c, name);
      offset += 30 + name.length + size + 16;
    }
    const dir = Buffer.concat(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(dir.length, 12);
    end.writeUInt32LE(offset, 16);
    yield dir;
    yield end;
  }
  return Readable.from(chunks(), { objectMode: false });
}
