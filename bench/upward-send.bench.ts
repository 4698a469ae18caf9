// npx tsx bench/upward-send.bench.ts [-- --streams M --pictures P --rounds R] — the part of
// forwarding upward that comes after the stream hub, alone: each access unit muxed as PS into RTP
// (PsRtpWriter) and handed to the stream's media sink (MediaSink: a datagram a packet over UDP,
// one write of the RFC 4571 frames over TCP), for M streams at 25 pictures a second, to a receiver
// in a child process that reads and drops what comes (its CPU is left out). The pictures are of a
// 3,000 kbit/s 720p camera (a 45 kB keyframe each 25 pictures, 13.75 kB between), made once.
// bench:cascade measures the whole path with real cameras, but on a machine so loaded that the
// simulator falls behind its figures move by more than the difference between two packet sizes;
// this one costs no camera and is judged by the CPU this process spends per picture sent
// (user + system, µs), which the load does not change much. The variants — UDP and TCP, each
// with the PS payload of a 1,440-byte path (1,400 bytes, the old fixed size) and of a 1,500-byte
// one (1,460, cascade.mediaPathMtu's default) — run in turns, R rounds each, and the median is
// given, beside the writer alone at the same pace (mux-only: nothing sent). Last line: {"streams","pictures", "<transport>-<payload>UsPerPicture": …, "loadAverage"}.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { MediaSink, type SinkTransport } from '../src/cascade/media-sink.js';
import { rtpPayloadBytesFor } from '../src/cascade/upward-stream.js';
import { PsRtpWriter } from '../src/media/ps/ps-rtp-writer.js';
import type { PsFrame } from '../src/media/ps/ps-muxer.js';
import { loadAverage, runBench } from './bench-run.js';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '50' },
    pictures: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '3' },
  },
});
const STREAMS = Number(values.streams);
/** Pictures each stream sends in one measurement. */
const PICTURES = Number(values.pictures);
const ROUNDS = Number(values.rounds);
const GOP = 25;
const FRAME_MS = 40;

/** The receiver: a UDP socket and a TCP server on loopback that read everything and keep nothing. */
const RECEIVER = `
const dgram = require('node:dgram'); const net = require('node:net');
const u = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
u.on('message', () => {});
u.bind(0, '127.0.0.1', () => {
  const t = net.createServer((s) => { s.on('data', () => {}); s.on('error', () => {}); });
  t.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ udp: u.address().port, tcp: t.address().port }) + '\\n'));
});
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

function pictures(): PsFrame[] {
  const nal = (type: number, size: number) => {
    const b = randomBytes(size);
    b[0] = 0x60 | type;
    return b;
  };
  const sps = nal(7, 20);
  const pps = nal(8, 4);
  return Array.from({ length: GOP }, (_, i) => ({
    codec: 'h264' as const,
    pts90k: i * 3600,
    keyframe: i === 0,
    nalus: i === 0 ? [sps, pps, nal(5, 45_000)] : [nal(1, 13_750)],
  }));
}

await runBench('upward-send', async (run) => {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['pipe', 'pipe', 'pipe'] });
  run.watchChild('receiver', child, () => '');
  run.onCleanup('receiver', () => child.stdin!.end());
  const ports = await new Promise<{ udp: number; tcp: number }>((resolve) => createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l) as { udp: number; tcp: number })));
  const gop = pictures();

  /** CPU µs per picture of one measurement: M streams, each PICTURES pictures at 25 a second. */
  const measure = async (transport: SinkTransport | 'none', payload: number): Promise<number> => {
    if (transport === 'none') return muxOnly(payload);
    const sinks = await Promise.all(Array.from({ length: STREAMS }, async () => {
      const sink = new MediaSink({ address: '127.0.0.1', port: transport === 'udp' ? ports.udp : ports.tcp, transport }, '127.0.0.1');
      await sink.bind();
      await sink.open();
      return { sink, writer: new PsRtpWriter(0x01000000 + Math.floor(Math.random() * 1e6), transport !== 'udp', 96, payload) };
    }));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let k = 0; k < PICTURES; k++) {
      const f = gop[k % GOP]!;
      for (const { sink, writer } of sinks) sink.sendUnit(writer.write({ ...f, pts90k: k * 3600 }, sink.drained));
      // Everything until the next picture counts (a socket's queued writes finish in between).
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + (k + 1) * FRAME_MS - performance.now())));
    }
    const c = process.cpuUsage(c0);
    for (const { sink } of sinks) sink.close();
    await new Promise((r) => setTimeout(r, 200));
    return (c.user + c.system) / (STREAMS * PICTURES);
  };

  /** The writer alone, nothing sent: what the mux and packetising cost of the whole (same pace). */
  const muxOnly = async (payload: number): Promise<number> => {
    const writers = Array.from({ length: STREAMS }, () => new PsRtpWriter(0x01000000, false, 96, payload));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let bytes = 0;
    for (let k = 0; k < PICTURES; k++) {
      const f = gop[k % GOP]!;
      for (const w of writers) bytes += w.write({ ...f, pts90k: k * 3600 }, true).rtpBytes;
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + (k + 1) * FRAME_MS - performance.now())));
    }
    const c = process.cpuUsage(c0);
    if (!bytes) throw new Error('the writer wrote nothing');
    return (c.user + c.system) / (STREAMS * PICTURES);
  };

  const variants: [SinkTransport | 'none', number][] = [['none', rtpPayloadBytesFor(1500)], ['udp', 1400], ['udp', rtpPayloadBytesFor(1500)], ['tcp-active', 1400], ['tcp-active', rtpPayloadBytesFor(1500)]];
  const figures = new Map<string, number[]>();
  const name = (t: SinkTransport | 'none', p: number) => `${t === 'udp' ? 'udp' : t === 'none' ? 'mux-only' : 'tcp'}-${p}`;
  await run.phase('warm-up', 300, () => measure('udp', 1400));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [t, p] of variants) {
      const us = await run.phase(`${name(t, p)} round ${r + 1}`, 300, () => measure(t, p));
      figures.set(name(t, p), [...(figures.get(name(t, p)) ?? []), us]);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  run.result['streams'] = STREAMS;
  run.result['pictures'] = STREAMS * PICTURES;
  for (const [k, xs] of figures) run.result[`${k}UsPerPicture`] = Math.round(median(xs) * 10) / 10;
  run.result['loadAverage'] = loadAverage();
  process.stdout.write(`CPU per picture sent upward, ${STREAMS} streams × ${PICTURES} pictures, median of ${ROUNDS} (µs; every round's figure)\n`);
  for (const [k, xs] of figures) process.stdout.write(`${k.padEnd(16)} ${String(run.result[`${k}UsPerPicture`]).padStart(8)}   (${xs.map((x) => x.toFixed(1)).join(', ')})\n`);
  process.stdout.write(`load average ${run.result['loadAverage']}\n`);
});
