// The camera simulator: N RTSP cameras at rtsp://host:port/cam1…camN on one RtspServer, fed by
// shared real-time encoders, so a hundred cameras cost one encoder plus header rewriting.
import { buildSdp } from '../media/sdp/sdp-builder.js';
import { RtspServer } from '../media/rtsp/rtsp-server.js';
import { SimCamera, type FaultMode } from './camera.js';
import { startControlServer, type ControlServer } from './control-server.js';
import { EncoderPool } from './encoder-pool.js';
import { KeyframeOnDemandFeed } from './keyframe-on-demand.js';
import { SimError } from './errors.js';
import type { FrameFeed } from './gb-media-sender.js';
import { defaultFontFile, defaultLabelFontFile, type PictureKind } from './picture.js';

export interface SimulatorOptions {
  cameras: number;
  /** RTSP port; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  /** HTTP control endpoint port (0 picks one); absent or false: no endpoint. */
  controlPort?: number | false;
  /** Faults in force from the start, by camera name. */
  faults?: Record<string, FaultMode>;
  width?: number;
  height?: number;
  fps?: number;
  bitrateKbps?: number;
  /** Keyframe interval in frames (default one second). */
  gop?: number;
  /**
   * Cameras fed by one encoder all end their GOPs at the same instant, which real cameras (each
   * its own encoder, started at its own moment) do not. With this set, camera n sends its frames
   * `(n - 1) mod gop` frame intervals later than the encoder makes them, so the cameras' GOPs
   * start spread evenly over one GOP. Off by default.
   */
  staggerGops?: boolean;
  /**
   * Cameras honour a keyframe request (ONVIF SetSynchronizationPoint, GB/T 28181 IFameCmd) as a
   * real encoder does: their next picture is an IDR. Runs a second encoder of the live picture,
   * every frame an IDR (keyframe-on-demand.ts), for the simulator's life. Off: a request is
   * answered but the camera's next keyframe comes with its GOP.
   */
  keyframeOnDemand?: boolean;
  /** Camera names are `${prefix}${n}` (default "cam"). */
  prefix?: string;
  /**
   * Text to burn into camera n's picture (labels[n - 1]), e.g. its name and number, so a wall of
   * simulated cameras tells them apart. A labelled camera has encoders of its own (about a tenth
   * of a core each at 720p25), so this is for demos of a few cameras; cameras without a label
   * share the one common picture.
   */
  labels?: (string | undefined)[];
  senderReportIntervalMs?: number;
  lingerMs?: number;
  log?: (message: string) => void;
}

export interface CameraInfo {
  name: string;
  url: string;
  fault: FaultMode;
  viewers: number;
  ssrc: number;
  frames: number;
  packets: number;
  bytes: number;
  /** Keyframe requests honoured (keyframeOnDemand). */
  keyframesOnDemand: number;
}

export interface Simulator {
  readonly urls: string[];
  readonly names: string[];
  readonly port: number;
  readonly host: string;
  /** http://host:port of the control endpoint, when enabled. */
  readonly controlUrl: string | undefined;
  setFault(name: string, mode: FaultMode): void;
  /** Moves one camera's RTP clock by `ms` at once (an encoder restart, a timestamp jump). */
  jumpClock(name: string, ms: number): void;
  /** Moves the wall clock one camera's sender reports give by `ms` (its NTP client corrected it). */
  shiftWallClock(name: string, ms: number): void;
  camera(name: string): CameraInfo;
  cameras(): CameraInfo[];
  /** Asks one camera for an IDR as its next picture; false when it cannot honour it (see keyframeOnDemand). */
  requestKeyframe(name: string): boolean;
  /** The live picture's encoded frames, for senders of other protocols (the GB/T 28181 device). */
  readonly liveFeed: FrameFeed;
  /**
   * A feed of the live picture for one GB/T 28181 channel that honours IFameCmd (its own request
   * state) when the simulator runs with keyframeOnDemand; else the shared live feed.
   */
  channelFeed(): FrameFeed;
  /** Picture kinds with an encoder running now, and their process ids (for CPU accounting). */
  encoders(): { running: PictureKind[]; pids: number[] };
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const count = options.cameras;
  if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new SimError('SIM_CAMERA', 'cameras must be between 1 and 10000');
  const host = options.host ?? '127.0.0.1';
  const width = options.width ?? 1280;
  const height = options.height ?? 720;
  const fps = options.fps ?? 25;
  const prefix = options.prefix ?? 'cam';
  const poolOptions = {
    width, height, fps,
    fontFile: defaultFontFile(),
    labelFontFile: defaultLabelFontFile(),
    bitrateKbps: options.bitrateKbps ?? 3000,
    gop: options.gop ?? fps,
    lingerMs: options.lingerMs ?? 3000,
    ...(options.log ? { log: options.log } : {}),
  };
  const pool = new EncoderPool(poolOptions);
  /** The pools of labelled cameras, each its own pictures. */
  const ownPools: EncoderPool[] = [];
  const server = new RtspServer({ host, port: options.port ?? 0, senderReportIntervalMs: options.senderReportIntervalMs ?? 1000 });
  let control: ControlServer | undefined;
  const cameras = new Map<string, SimCamera>();
  try {
    pool.live.start();
    await pool.live.ready();
    if (options.keyframeOnDemand) await pool.startIntra().ready();
    await server.listen();
    const sdpOf = (p: EncoderPool) => () => {
      const { sps, pps } = p.live;
      return buildSdp({
        sessionName: 'Vigil simulated camera',
        address: host,
        tracks: [{
          kind: 'video', payloadType: 96, encoding: 'H264', clockRate: 90000, control: 'video', framerate: fps,
          fmtp: {
            'packetization-mode': '1',
            'profile-level-id': sps!.subarray(1, 4).toString('hex'),
            'sprop-parameter-sets': `${sps!.toString('base64')},${pps!.toString('base64')}`,
          },
        }],
      });
    };
    for (let i = 1; i <= count; i++) {
      const name = `${prefix}${i}`;
      const label = options.labels?.[i - 1];
      let own = pool;
      if (label) {
        own = new EncoderPool({ ...poolOptions, label });
        ownPools.push(own);
        own.live.start();
        await own.live.ready();
        if (options.keyframeOnDemand) await own.startIntra().ready();
      }
      const delayFrames = options.staggerGops ? (i - 1) % poolOptions.gop : 0;
      const cam = new SimCamera(name, `/${name}`, server, own, sdpOf(own), fps, delayFrames);
      cam.start();
      cameras.set(name, cam);
    }
  } catch (e) {
    for (const c of cameras.values()) c.close();
    pool.close();
    for (const p of ownPools) p.close();
    await server.close();
    throw e;
  }
  const port = server.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const find = (name: string) => {
    const cam = cameras.get(name);
    if (!cam) throw new SimError('SIM_CAMERA', `no camera named "${name}"`);
    return cam;
  };
  const info = (cam: SimCamera): CameraInfo => ({
    name: cam.name, url: `rtsp://${urlHost}:${port}${cam.path}`, fault: cam.fault, viewers: cam.viewers, ssrc: cam.ssrc, ...cam.counters, keyframesOnDemand: cam.keyframesOnDemand,
  });
  let closed = false;
  const sim: Simulator = {
    urls: [...cameras.values()].map((c) => info(c).url),
    names: [...cameras.keys()],
    port,
    host,
    get controlUrl() {
      return control?.url;
    },
    liveFeed: pool.live,
    channelFeed: () => (pool.intra ? new KeyframeOnDemandFeed(pool.live, pool.intra) : pool.live),
    setFault: (name, mode) => find(name).setFault(mode),
    jumpClock: (name, ms) => find(name).jumpClock(ms),
    shiftWallClock: (name, ms) => find(name).shiftWallClock(ms),
    camera: (name) => info(find(name)),
    cameras: () => [...cameras.values()].map(info),
    requestKeyframe: (name) => find(name).requestKeyframe(),
    encoders: () => ({ running: [pool, ...ownPools].flatMap((p) => p.running()), pids: [pool, ...ownPools].flatMap((p) => p.pids()) }),
    close: async () => {
      if (closed) return;
      closed = true;
      await control?.close();
      for (const c of cameras.values()) c.close();
      pool.close();
      for (const p of ownPools) p.close();
      await server.close();
    },
  };
  try {
    for (const [name, mode] of Object.entries(options.faults ?? {})) sim.setFault(name, mode);
    if (options.controlPort !== undefined && options.controlPort !== false) control = await startControlServer(sim, host, options.controlPort, { width, height, fps, bitrateKbps: poolOptions.bitrateKbps, gop: poolOptions.gop });
  } catch (e) {
    await sim.close();
    throw e;
  }
  return sim;
}
