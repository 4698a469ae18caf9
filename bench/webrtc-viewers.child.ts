// Live viewers without a browser, for bench:watch: one process holds many werift peer connections
// to the server's WHEP-style endpoint, each receiving one camera's video. They do not decode:
// each viewer reads its RTP packets' sequence numbers, timestamps and marker bits, and counts
// a picture as delivered when all its packets came (no gap from the previous picture's marker to
// its own). Driven by the parent over IPC:
//   {open: {count, parallel, arrivalMs, server, bearer, cameraId}} → {opened: {ok, failed, retried, errors}}
//     (a viewer counts as opened once connected; one that fails is tried once more)
//   {mark: 'start'}  → {marked: 'start'}      (each viewer's window begins at its next picture)
//   {mark: 'end'}    → {window: ViewerWindow[], cpuSeconds}
//   {close: true}    → exits
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';

interface OpenRequest {
  count: number;
  parallel: number;
  /** Mean time between two viewers' arrivals in this process, ms. */
  arrivalMs: number;
  server: string;
  bearer: string;
  cameraId: number;
}

/** One viewer's figures over the window between the two marks. */
export interface ViewerWindow {
  state: string;
  /** Pictures whose every packet arrived. */
  frames: number;
  /** Pictures the camera made in the span of RTP timestamps the viewer saw (25 fps: 3,600 ticks apart). */
  expected: number;
  keyframes: number;
  packets: number;
  /** Packets missing by sequence number. */
  lost: number;
  bytes: number;
}

const TICKS_PER_FRAME = 3600;

class Viewer {
  readonly pc: RTCPeerConnection;
  private lastSeq: number | undefined;
  private lastMarker = false;
  private frameTs: number | undefined;
  private frameWhole = false;
  private frameKey = false;
  /** The window: undefined before the start mark; 'armed' until the next picture begins. */
  private window: 'off' | 'armed' | 'on' = 'off';
  private firstTs: number | undefined;
  private lastTs: number | undefined;
  private counts = { frames: 0, keyframes: 0, packets: 0, lost: 0, bytes: 0 };

  constructor() {
    this.pc = new RTCPeerConnection({
      codecs: {
        video: [new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }], parameters: 'packetization-mode=1;profile-level-id=64001f;level-asymmetry-allowed=1' })],
        audio: [],
      },
      iceServers: [],
      iceUseIpv6: false,
    });
    this.pc.addTransceiver('video', { direction: 'recvonly' });
  }

  /**
   * Cuts werift's receive path to what counting needs, so that one process holds many viewers
   * (decrypting and routing every packet cost more than the server's sending): the RTP header is
   * in the clear in SRTP, so only the first packet of each picture (the one after a marker, whose
   * NAL header says keyframe or not) is decrypted; packets go straight to this viewer instead of
   * werift's receiver (no NACKs, no receiver reports: a lost packet stays lost, which is what is
   * counted); and the sockets get a 4 MB receive buffer so a busy process drops less.
   */
  lighten(): void {
    for (const t of this.pc.iceTransports) for (const p of (t.connection as unknown as { protocols: { transport?: { socket?: { setRecvBufferSize(n: number): void } } }[] }).protocols) p.transport?.socket?.setRecvBufferSize(4 << 20);
    const dtls = this.pc.dtlsTransports[0] as unknown as { onRtp: { execute(rtp: unknown): void }; updateSrtpSession(): void; srtp: { decrypt(b: Buffer): Buffer } };
    dtls.onRtp = { execute: () => undefined };
    const update = dtls.updateSrtpSession.bind(dtls);
    dtls.updateSrtpSession = () => {
      update();
      const srtp = dtls.srtp;
      const decrypt = srtp.decrypt.bind(srtp);
      let afterMarker = true;
      // werift parses what this returns as RTP: an empty packet, the counting done here.
      srtp.decrypt = (b) => {
        const key = afterMarker ? isKeyPayload(payloadOf(decrypt(b))) : undefined;
        afterMarker = (b[1]! & 0x80) !== 0;
        this.onRtp(b.readUInt16BE(2), b.readUInt32BE(4), afterMarker, b.length, key);
        return EMPTY_RTP;
      };
    };
  }

  /** One packet: its header's fields, its size, and for a picture's first packet whether it starts a keyframe. */
  onRtp(seq: number, ts: number, marker: boolean, bytes: number, key: boolean | undefined): void {
    const gap = this.lastSeq === undefined ? 0 : (seq - this.lastSeq - 1) & 0xffff;
    // A retransmission or reordering (behind the last packet): ignore it for the counts.
    if (this.lastSeq !== undefined && gap > 0x8000) return;
    if (ts !== this.frameTs) {
      // A new picture: it is whole so far only if it follows the previous picture's marker directly.
      if (this.frameTs !== undefined && !this.lastMarker) this.endFrame(false);
      this.frameTs = ts;
      this.frameWhole = this.lastSeq !== undefined && gap === 0 && this.lastMarker;
      this.frameKey = key === true;
      if (this.window === 'armed') {
        this.window = 'on';
        this.firstTs = ts;
      }
    } else if (gap) this.frameWhole = false;
    this.lastSeq = seq;
    this.lastMarker = marker;
    if (this.window === 'on') {
      this.counts.packets++;
      this.counts.lost += gap;
      this.counts.bytes += bytes;
    }
    if (marker) this.endFrame(this.frameWhole);
  }

  private endFrame(whole: boolean): void {
    if (this.window === 'on' && this.frameTs !== undefined) {
      this.lastTs = this.frameTs;
      if (whole) {
        this.counts.frames++;
        if (this.frameKey) this.counts.keyframes++;
      }
    }
  }

  start(): void {
    this.window = 'armed';
    this.firstTs = this.lastTs = undefined;
    this.counts = { frames: 0, keyframes: 0, packets: 0, lost: 0, bytes: 0 };
  }

  end(): ViewerWindow {
    const expected = this.firstTs === undefined || this.lastTs === undefined ? 0 : Math.round(((this.lastTs - this.firstTs) >>> 0) / TICKS_PER_FRAME) + 1;
    this.window = 'off';
    return { state: this.pc.connectionState, expected, ...this.counts };
  }
}

/** A version-2 RTP header and nothing else. */
const EMPTY_RTP = Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/** The payload of a (decrypted) RTP packet: after the CSRCs and the header extension. */
function payloadOf(p: Buffer): Buffer {
  let at = 12 + (p[0]! & 0x0f) * 4;
  if (p[0]! & 0x10) at += 4 + p.readUInt16BE(at + 2) * 4;
  return p.subarray(at);
}

/** An IDR slice, or the start of one in a FU-A, or a STAP-A carrying SPS (RFC 6184). */
function isKeyPayload(p: Buffer): boolean {
  const type = p[0]! & 0x1f;
  if (type === 5 || type === 7) return true;
  if (type === 28) return (p[1]! & 0x80) !== 0 && (p[1]! & 0x1f) === 5;
  if (type === 24) return (p[3]! & 0x1f) === 7;
  return false;
}

const viewers: Viewer[] = [];

async function openOne(req: OpenRequest): Promise<void> {
  const viewer = new Viewer();
  const { pc } = viewer;
  // Host candidates only: werift falls back to a public STUN server when none is given, and this
  // benchmark must send nothing off the machine (the server side does the same).
  for (const t of pc.iceTransports) (t.connection as unknown as { stunServer: unknown }).stunServer = undefined;
  await pc.setLocalDescription(await pc.createOffer());
  if (pc.iceGatheringState !== 'complete') await new Promise<void>((resolve) => pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve()));
  viewer.lighten();
  const tokenRes = await fetch(`${req.server}/api/v1/stream-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${req.bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ cameraId: req.cameraId, kind: 'live' }),
  });
  const { token } = (await tokenRes.json()) as { token?: string };
  if (!token) throw new Error(`stream token refused: ${tokenRes.status}`);
  const res = await fetch(`${req.server}/api/v1/live/${req.cameraId}/webrtc?token=${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sdp: pc.localDescription!.sdp }),
  });
  if (res.status !== 201) {
    await pc.close();
    throw new Error(`offer refused: ${res.status} ${(await res.text()).slice(0, 200)}`);
  }
  await pc.setRemoteDescription({ type: 'answer', sdp: ((await res.json()) as { sdp: string }).sdp });
  // Opened means connected (ICE and DTLS done): a handshake starved past werift's timers fails here.
  const state = await new Promise<string>((resolve) => {
    // Which step did not finish: ICE (checks unanswered) or DTLS (a handshake flight lost or late).
    const timer = setTimeout(() => resolve(`still ${pc.connectionState} after 30 s (ICE ${pc.iceConnectionState}, DTLS ${pc.dtlsTransports[0]?.state ?? 'none'})`), 30_000);
    const settle = (s: string) => {
      if (s === 'connected' || s === 'failed' || s === 'closed') {
        clearTimeout(timer);
        resolve(s);
      }
    };
    settle(pc.connectionState);
    pc.connectionStateChange.subscribe(settle);
  });
  if (state !== 'connected') {
    await pc.close();
    throw new Error(`connection ${state}`);
  }
  viewers.push(viewer);
}

/** Opens one viewer, once more if the first attempt fails (the error of each attempt is kept). */
async function openWithRetry(req: OpenRequest, errors: string[]): Promise<void> {
  try {
    await openOne(req);
  } catch (e) {
    errors.push(`first attempt: ${(e as Error).message}`);
    await openOne(req);
  }
}

/**
 * Opens `count` viewers as users arrive: one every `arrivalMs` (spread by a random half of it),
 * never more than `parallel` handshakes at once, instead of batches that start together and wait
 * for their slowest: a burst of simultaneous ICE and DTLS handshakes on a busy server is what
 * left viewers "still connecting" after 30 s.
 */
async function open(req: OpenRequest): Promise<{ ok: number; failed: number; retried: number; errors: string[] }> {
  let ok = 0;
  const errors: string[] = [];
  const retries: string[] = [];
  let inFlight = 0;
  let freed: (() => void) | undefined;
  const running: Promise<void>[] = [];
  for (let i = 0; i < req.count; i++) {
    while (inFlight >= req.parallel) await new Promise<void>((r) => (freed = r));
    inFlight++;
    running.push(openWithRetry(req, retries).then(() => void ok++, (e: Error) => void errors.push(e.message)).finally(() => {
      inFlight--;
      freed?.();
      freed = undefined;
    }));
    if (req.arrivalMs > 0) await new Promise((r) => setTimeout(r, req.arrivalMs * (0.75 + Math.random() / 2)));
  }
  await Promise.all(running);
  const counted = (xs: string[]) => [...xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>())].map(([x, n]) => `${n}× ${x}`);
  return { ok, failed: errors.length, retried: retries.length, errors: [...counted(errors), ...counted(retries)].slice(0, 8) };
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

process.on('message', (m: { open?: OpenRequest; mark?: 'start' | 'end'; close?: boolean }) => {
  if (m.open) void open(m.open).then((opened) => process.send!({ opened }), (e: Error) => process.send!({ opened: { ok: 0, failed: m.open!.count, errors: [e.message] } }));
  else if (m.mark === 'start') {
    for (const v of viewers) v.start();
    process.send!({ marked: 'start' });
  } else if (m.mark === 'end') process.send!({ window: viewers.map((v) => v.end()), cpuSeconds: cpuSeconds() });
  else if (m.close) void Promise.allSettled(viewers.map((v) => v.pc.close())).then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
// werift throws from its timers now and then when a peer closes; one viewer's error is said, not the end of the others.
process.on('uncaughtException', (e) => process.stderr.write(`uncaught: ${e.stack}\n`));
process.send!({ ready: true });
