// One movie fragment: moof (mfhd + one traf per track: tfhd with default-base-is-moof, tfdt,
// trun) and its mdat, ISO/IEC 14496-12 §8.8.4–8.8.8 and §8.8.12. The sample data is not copied:
// the caller gets the moof, the mdat header and the data views, to write in that order.
import { BoxWriter } from './box-writer.js';

export interface SampleEntry {
  duration: number;
  size: number;
  flags: number;
  /** Composition time offset (PTS − DTS) in the track timescale. */
  cto: number;
}

export interface TrackRun {
  trackId: number;
  baseDecodeTime: number;
  samples: SampleEntry[];
  /** The samples' bytes in order; their lengths add up to the sizes above. */
  data: Buffer[];
}

/** §8.8.3.1 sample flags: depends_on = 2 (an I picture), non-sync = depends_on 1 + is_non_sync. */
export const SYNC_SAMPLE = 0x02000000;
export const NON_SYNC_SAMPLE = 0x01010000;

const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
const TRUN_DATA_OFFSET = 0x1;
const TRUN_DURATION = 0x100;
const TRUN_SIZE = 0x200;
const TRUN_FLAGS = 0x400;
const TRUN_CTO = 0x800;

export function buildFragment(sequence: number, runs: readonly TrackRun[]): { bytes: Buffer[]; byteLength: number } {
  const w = new BoxWriter(256 + runs.reduce((n, r) => n + r.samples.length * 16, 0));
  const offsetFields: number[] = [];
  w.start('moof');
  w.start('mfhd', 0, 0).u32(sequence).end();
  for (const run of runs) {
    const withCto = run.samples.some((s) => s.cto !== 0);
    // Version 1 makes offsets signed; only needed when a presentation time precedes its decode time.
    const version = run.samples.some((s) => s.cto < 0) ? 1 : 0;
    w.start('traf');
    w.start('tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF).u32(run.trackId).end();
    w.start('tfdt', 1, 0).u64(run.baseDecodeTime).end();
    w.start('trun', version, TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE | TRUN_FLAGS | (withCto ? TRUN_CTO : 0));
    w.u32(run.samples.length);
    offsetFields.push(w.length);
    w.u32(0);
    for (const s of run.samples) {
      w.u32(s.duration).u32(s.size).u32(s.flags);
      if (withCto) version ? w.i32(s.cto) : w.u32(s.cto);
    }
    w.end();
    w.end();
  }
  w.end();
  const moofLength = w.length;
  let dataOffset = moofLength + 8;
  runs.forEach((run, i) => {
    w.patchU32(offsetFields[i]!, dataOffset);
    for (const s of run.samples) dataOffset += s.size;
  });
  const moof = w.finish();
  const mdatHeader = Buffer.allocUnsafe(8);
  mdatHeader.writeUInt32BE(dataOffset - moofLength);
  mdatHeader.write('mdat', 4, 'latin1');
  const bytes = [moof, mdatHeader];
  for (const run of runs) for (const d of run.data) bytes.push(d);
  return { bytes, byteLength: dataOffset };
}
