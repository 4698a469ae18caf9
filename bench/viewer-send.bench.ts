// npx tsx bench/viewer-send.bench.ts — the server's CPU per picture sent to one live viewer on the
// direct path (DirectRtpSender: SRTP a picture at a time, one datagram a packet), without WebRTC
// handshakes or a browser, so that the ways of sending can be compared side by side in one run:
//   profile   AEAD_AES_128_GCM vs AES_CM_128_HMAC_SHA1_80 (which one a viewer gets is the DTLS
//             handshake's choice)
//   path MTU  the RTP payload a packet for a path of 1280 (before live.pathMtu), 1400 (its default)
//             and 1500 bytes: fewer, larger packets
// The sender is the platform's own; werift's peer connection around it is replaced by the few
// fields the sender reads (keys, the nominated pair's UDP socket). The datagrams go over loopback
// to sockets of a child process, which counts them: on loopback the kernel's receive work is done
// in the sender's system call, as when the bench:watch viewers run on the same machine.
// Each variant runs BENCH_SEND_ROUNDS times (default 3) after a round that warms up, the variants interleaved (A B C … A B C …)
// so that a change in the machine's load falls on all of them; its figure is the median round's.
// BENCH_SEND_VIEWERS viewers (default 50), BENCH_SEND_PICTURES pictures each round (default 250,
// 10 s of a 25 fps camera), BENCH_SEND_PICTURE_BYTES a picture (default 15,000: 3 Mbit/s at 25 fps).
// CPU is this process's user + system time (process.cpuUsage), which a busy machine hardly
// changes, printed with the load average. Last line: one JSON object, per variant
// `cpuUsPerViewerFrame` and packets per picture.
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80, type RTCRtpSender } from 'werift';
import { DirectRtpSender } from '../src/live/direct-rtp-sender.js';
import { packetizeH264 } from '../src/media/h264/packetizer.js';
import { RTP_PAYLOAD_BYTES, rtpPayloadBytesFor } from '../src/live/rtp-framer.js';
import { runBench } from './bench-run.js';

const VIEWERS = Number(process.env.BENCH_SEND_VIEWERS ?? 50);
const PICTURES = Number(process.env.BENCH_SEND_PICTURES ?? 250);
const ROUNDS = Number(process.env.BENCH_SEND_ROUNDS ?? 3);
const PICTURE_BYTES = Number(process.env.BENCH_SEND_PICTURE_BYTES ?? 15_000);
const RECEIVERS = 4;

interface Variant {
  name: string;
  profile: 'gcm' | 'cm';
  payloadBytes: number;
}

const ALL: Variant[] = [
  // The RTP payload before live.pathMtu (a 1280-byte path), and at path MTUs of 1400 (the default) and 1500.
  { name: 'gcm-1280', profile: 'gcm', payloadBytes: RTP_PAYLOAD_BYTES },
  { name: 'cm-1280', profile: 'cm', payloadBytes: RTP_PAYLOAD_BYTES },
  { name: 'gcm-1400', profile: 'gcm', payloadBytes: rtpPayloadBytesFor(1400) },
  { name: 'cm-1400', profile: 'cm', payloadBytes: rtpPayloadBytesFor(1400) },
  { name: 'gcm-1500', profile: 'gcm', payloadBytes: rtpPayloadBytesFor(1500) },
];
// BENCH_SEND_VARIANTS=gcm-1280,cm-1400 runs only those (e.g. under a profiler).
const only = process.env.BENCH_SEND_VARIANTS?.split(',');
const VARIANTS = only ? ALL.filter((v) => only.includes(v.name)) : ALL;

/** The child: RECEIVERS loopback sockets that count datagrams; replies with their ports, then counts on request. */
const CHILD = `
const dgram = require('node:dgram');
let n = 0;
const socks = [];
let bound = 0;
for (let i = 0; i < ${RECEIVERS}; i++) {
  const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 22 });
  s.on('message', () => n++);
  s.bind(0, '127.0.0.1', () => { socks.push(s.address().port); if (++bound === ${RECEIVERS}) process.send({ ports: socks }); });
}
process.on('message', (m) => { if (m === 'count') process.send({ count: n }); else if (m === 'exit') process.exit(0); });
`;

/** What DirectRtpSender reads of werift's RTCRtpSender, around a real socket and real keys. */
function viewerSender(profile: Variant['profile'], socket: Socket, port: number): DirectRtpSender {
  const state = { rolloverCounter: 0, lastSequenceNumber: 0, rolloverHasProcessed: false };
  const internals = {
    ssrc: randomBytes(4).readUInt32BE(0),
    codec: { payloadType: 96 },
    stopped: false,
    ntpTimestamp: 0n,
    rtpTimestamp: 0,
    octetCount: 0,
    packetCount: 0,
    rtpCache: [],
    runRtcp: async () => undefined,
    dtlsTransport: {
      state: 'connected',
      bytesSent: 0,
      packetsSent: 0,
      srtp: {
        config: { profile: profile === 'gcm' ? ProtectionProfileAeadAes128Gcm : ProtectionProfileAes128CmHmacSha1_80 },
        localContext: {
          cipher: { srtpSessionKey: randomBytes(16), srtpSessionSalt: randomBytes(profile === 'gcm' ? 12 : 14), srtpSessionAuthTag: randomBytes(20) },
          getSrtpSsrcState: () => state,
        },
      },
      iceTransport: { connection: { nominated: { remoteAddr: ['127.0.0.1', port], protocol: { transport: { type: 'udp', closed: false, socket } } } } },
    },
  };
  return new DirectRtpSender(internals as unknown as RTCRtpSender);
}

/** A picture of `bytes`: one coded slice (non-IDR), packetized to `max` bytes a payload. */
function picturePayloads(bytes: number, max: number): Buffer[] {
  const nal = randomBytes(bytes);
  nal[0] = 0x41;
  return packetizeH264([nal], { maxPayload: max });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

await runBench('viewer-send', async (run) => {
  const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  run.watchChild('receiver', child, () => '');
  run.onCleanup('receiver', () => child.send('exit'));
  const ask = <T>(m: string) => new Promise<T>((resolve) => {
    child.once('message', (r) => resolve(r as T));
    child.send(m);
  });
  const { ports } = await run.phase('receiver', 30, () => new Promise<{ ports: number[] }>((resolve) => child.once('message', (m) => resolve(m as { ports: number[] }))));
  // Sockets as werift's ICE has them: one a viewer, unconnected.
  const sockets: Socket[] = [];
  for (let v = 0; v < VIEWERS; v++) {
    const s = createSocket('udp4');
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    sockets.push(s);
  }
  run.onCleanup('sockets', () => sockets.forEach((s) => s.close()));

  const figures = new Map<string, { us: number[]; packets: number; loads: number[]; received: number[] }>();
  // Round 0 warms up (compiled code, socket buffers) and is not counted.
  for (let round = 0; round <= ROUNDS; round++) {
    for (const variant of VARIANTS) {
      await run.phase(round === 0 ? `${variant.name} warm-up` : `${variant.name} round ${round}`, 300, async () => {
        const payloads = picturePayloads(PICTURE_BYTES, variant.payloadBytes);
        const senders = sockets.map((s, v) => viewerSender(variant.profile, s, ports[v % ports.length]!));
        const seqs = senders.map(() => Math.floor(Math.random() * 0xffff));
        const before = (await ask<{ count: number }>('count')).count;
        const cpu0 = process.cpuUsage();
        for (let p = 0; p < PICTURES; p++) {
          for (let v = 0; v < senders.length; v++) {
            if (!senders[v]!.sendPicture(payloads, seqs[v]!, p * 3600)) throw new Error('the direct path refused to send');
            seqs[v] = (seqs[v]! + payloads.length) & 0xffff;
          }
          // A picture a turn of the event loop, as the feed hands them out.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        const cpu = process.cpuUsage(cpu0);
        const sent = PICTURES * VIEWERS * payloads.length;
        // Loopback delivers in the send call; the count is read after a turn of the child's loop.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const received = (await ask<{ count: number }>('count')).count - before;
        if (round === 0) return;
        const f = figures.get(variant.name) ?? { us: [], packets: payloads.length, loads: [], received: [] };
        f.us.push((cpu.user + cpu.system) / (PICTURES * VIEWERS));
        f.loads.push(loadavg()[0]!);
        f.received.push(received / sent);
        figures.set(variant.name, f);
      });
    }
  }
  console.log(`${VIEWERS} viewers × ${PICTURES} pictures of ${PICTURE_BYTES} bytes, ${ROUNDS} rounds interleaved`);
  const w = Math.max(30, 8 * ROUNDS + 4);
  console.log(`${'variant'.padEnd(10)}${'packets/picture'.padStart(17)}${'µs/viewer-picture (rounds)'.padStart(w)}${'median'.padStart(9)}${'%core/viewer@25fps'.padStart(20)}${'delivered'.padStart(11)}  load`);
  const out: Record<string, unknown> = {};
  for (const [name, f] of figures) {
    const us = median(f.us);
    console.log(`${name.padEnd(10)}${String(f.packets).padStart(17)}${f.us.map((u) => u.toFixed(1)).join(' / ').padStart(w)}${us.toFixed(1).padStart(9)}${((us * 25) / 1e4).toFixed(3).padStart(20)}${`${(Math.min(...f.received) * 100).toFixed(1)} %`.padStart(11)}  ${f.loads.map((l) => l.toFixed(1)).join('/')}`);
    out[name] = { cpuUsPerViewerFrame: +us.toFixed(1), packetsPerPicture: f.packets, load: +median(f.loads).toFixed(2) };
  }
  Object.assign(run.result, { viewers: VIEWERS, pictures: PICTURES, pictureBytes: PICTURE_BYTES, variants: out });
});
