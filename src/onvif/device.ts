// An ONVIF device as a camera source needs it (ONVIF Core §8, Media Service §5): who it is, its
// media profiles with their video encoding, and each profile's RTSP address.
import { OnvifError } from './errors.js';
import type { OnvifPtzAction } from './ptz.js';
import { soapCall } from './soap.js';
import { escapeXml, findAll, findFirst, path, textAt, type XmlElement } from './xml.js';

const DEVICE_NS = 'http://www.onvif.org/ver10/device/wsdl';
const MEDIA_NS = 'http://www.onvif.org/ver10/media/wsdl';
const SCHEMA_NS = 'http://www.onvif.org/ver10/schema';
const PTZ_NS = 'http://www.onvif.org/ver20/ptz/wsdl';

export interface OnvifClientOptions {
  /** The device service address, e.g. http://192.0.2.10/onvif/device_service. */
  address: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
  rejectUnauthorized?: boolean;
  /** Checks the host of every call and gives the address to connect to; throws to refuse. */
  admit?: (url: URL) => Promise<string>;
}

export interface DeviceInformation {
  manufacturer: string;
  model: string;
  firmwareVersion: string;
  serialNumber: string;
  hardwareId: string;
}

export interface MediaProfile {
  token: string;
  name: string;
  video?: {
    /** As the device names it: H264, H265, JPEG, MPEG4. */
    encoding: string;
    width: number;
    height: number;
    fps?: number;
    bitrateKbps?: number;
    gop?: number;
  };
  audio?: { encoding: string; sampleRate?: number; bitrateKbps?: number };
}

export interface OnvifStream extends MediaProfile {
  /** The RTSP address as the device gave it. */
  uri: string;
  /** The same with the credentials in it, ready for an rtsp:// source. */
  url: string;
}

export class OnvifClient {
  private readonly device: URL;
  /** Device clock minus ours, learnt from GetSystemDateAndTime (tokens expire on skew). */
  private clockOffsetMs = 0;
  private mediaAddress: string | undefined;

  constructor(private readonly options: OnvifClientOptions) {
    try {
      this.device = new URL(options.address);
    } catch {
      throw new OnvifError('ONVIF_ADDRESS', 'the device address does not parse');
    }
    if (this.device.protocol !== 'http:' && this.device.protocol !== 'https:') throw new OnvifError('ONVIF_ADDRESS', 'the device address must be http:// or https://');
  }

  /** The device's UTC clock (no credentials needed, ONVIF Core §8.4.1); also learns the skew. */
  async getSystemDateAndTime(): Promise<Date | undefined> {
    const body = await this.call(this.device.href, `<GetSystemDateAndTime xmlns="${DEVICE_NS}"/>`, false);
    const utc = path(findFirst(body, 'SystemDateAndTime'), 'UTCDateTime');
    const n = (...p: string[]) => Number(textAt(utc, ...p));
    const t = Date.UTC(n('Date', 'Year'), n('Date', 'Month') - 1, n('Date', 'Day'), n('Time', 'Hour'), n('Time', 'Minute'), n('Time', 'Second'));
    if (!Number.isFinite(t)) return undefined;
    this.clockOffsetMs = t - Date.now();
    return new Date(t);
  }

  async getDeviceInformation(): Promise<DeviceInformation> {
    const body = await this.call(this.device.href, `<GetDeviceInformation xmlns="${DEVICE_NS}"/>`);
    const r = required(body, 'GetDeviceInformationResponse');
    const t = (k: string) => textAt(r, k) ?? '';
    return { manufacturer: t('Manufacturer'), model: t('Model'), firmwareVersion: t('FirmwareVersion'), serialNumber: t('SerialNumber'), hardwareId: t('HardwareId') };
  }

  /** The media service address, from GetServices (Core §8.1.2.1) or else GetCapabilities. */
  async getMediaAddress(): Promise<string> {
    if (this.mediaAddress) return this.mediaAddress;
    let xaddr: string | undefined;
    try {
      const body = await this.call(this.device.href, `<GetServices xmlns="${DEVICE_NS}"><IncludeCapability>false</IncludeCapability></GetServices>`);
      xaddr = findAll(body, 'Service').find((s) => textAt(s, 'Namespace') === MEDIA_NS)?.children.find((c) => c.local === 'XAddr')?.text.trim();
    } catch (e) {
      if (!(e instanceof OnvifError) || e.code === 'ONVIF_AUTH' || e.code === 'ONVIF_TIMEOUT') throw e;
    }
    if (!xaddr) {
      const body = await this.call(this.device.href, `<GetCapabilities xmlns="${DEVICE_NS}"><Category>Media</Category></GetCapabilities>`);
      xaddr = textAt(findFirst(body, 'Media'), 'XAddr');
    }
    if (!xaddr) throw new OnvifError('ONVIF_RESPONSE', 'the device names no media service');
    this.mediaAddress = this.sameHost(xaddr);
    return this.mediaAddress;
  }

  async getProfiles(): Promise<MediaProfile[]> {
    const body = await this.call(await this.getMediaAddress(), `<GetProfiles xmlns="${MEDIA_NS}"/>`);
    const r = required(body, 'GetProfilesResponse');
    return r.children.filter((c) => c.local === 'Profiles').map(readProfile).filter((p): p is MediaProfile => p !== undefined);
  }

  async getStreamUri(profileToken: string): Promise<string> {
    const body = await this.call(
      await this.getMediaAddress(),
      `<GetStreamUri xmlns="${MEDIA_NS}"><StreamSetup><Stream xmlns="${SCHEMA_NS}">RTP-Unicast</Stream>` +
        `<Transport xmlns="${SCHEMA_NS}"><Protocol>RTSP</Protocol></Transport></StreamSetup>` +
        `<ProfileToken>${escapeXml(profileToken)}</ProfileToken></GetStreamUri>`,
    );
    const uri = textAt(findFirst(required(body, 'GetStreamUriResponse'), 'MediaUri'), 'Uri');
    if (!uri) throw new OnvifError('ONVIF_RESPONSE', 'GetStreamUri returned no Uri');
    return uri;
  }

  /**
   * Asks the encoder of a profile for a keyframe now (Media Service §5.16.4 SetSynchronizationPoint):
   * a viewer that just joined need not wait for the GOP to come round. The device answers at once;
   * the IDR comes in the stream.
   */
  async setSynchronizationPoint(profileToken: string): Promise<void> {
    const body = await this.call(await this.getMediaAddress(), `<SetSynchronizationPoint xmlns="${MEDIA_NS}"><ProfileToken>${escapeXml(profileToken)}</ProfileToken></SetSynchronizationPoint>`);
    required(body, 'SetSynchronizationPointResponse');
  }

  /** Every profile with video, and its RTSP address with the credentials added. */
  async streams(): Promise<OnvifStream[]> {
    await this.getSystemDateAndTime().catch(() => undefined);
    const out: OnvifStream[] = [];
    for (const p of await this.getProfiles()) {
      if (!p.video) continue;
      const uri = await this.getStreamUri(p.token);
      out.push({ ...p, uri, url: this.withCredentials(uri) });
    }
    return out;
  }

  /** The PTZ service address (GetServices, else GetCapabilities PTZ); throws when the device has none. */
  async getPtzAddress(): Promise<string> {
    let xaddr: string | undefined;
    try {
      const body = await this.call(this.device.href, `<GetServices xmlns="${DEVICE_NS}"><IncludeCapability>false</IncludeCapability></GetServices>`);
      xaddr = findAll(body, 'Service').find((s) => textAt(s, 'Namespace') === PTZ_NS)?.children.find((c) => c.local === 'XAddr')?.text.trim();
    } catch (e) {
      if (!(e instanceof OnvifError) || e.code === 'ONVIF_AUTH' || e.code === 'ONVIF_TIMEOUT') throw e;
    }
    if (!xaddr) {
      const body = await this.call(this.device.href, `<GetCapabilities xmlns="${DEVICE_NS}"><Category>PTZ</Category></GetCapabilities>`).catch(() => undefined);
      xaddr = body && textAt(findFirst(body, 'PTZ'), 'XAddr');
    }
    if (!xaddr) throw new OnvifError('ONVIF_RESPONSE', 'the device names no PTZ service: it cannot be steered');
    return this.sameHost(xaddr);
  }

  /** One PTZ operation (PTZ Service §5.3 ContinuousMove and Stop, §5.4 presets) on a media profile. */
  async ptz(profileToken: string, a: OnvifPtzAction): Promise<void> {
    const profile = `<ProfileToken>${escapeXml(profileToken)}</ProfileToken>`;
    const body =
      a.kind === 'move'
        ? `<ContinuousMove xmlns="${PTZ_NS}">${profile}<Velocity><PanTilt xmlns="${SCHEMA_NS}" x="${a.x}" y="${a.y}"/><Zoom xmlns="${SCHEMA_NS}" x="${a.zoom}"/></Velocity></ContinuousMove>`
        : a.kind === 'stop'
          ? `<Stop xmlns="${PTZ_NS}">${profile}<PanTilt>true</PanTilt><Zoom>true</Zoom></Stop>`
          : a.op === 'goto'
            ? `<GotoPreset xmlns="${PTZ_NS}">${profile}<PresetToken>${a.preset}</PresetToken></GotoPreset>`
            : a.op === 'set'
              ? `<SetPreset xmlns="${PTZ_NS}">${profile}<PresetName>${a.preset}</PresetName><PresetToken>${a.preset}</PresetToken></SetPreset>`
              : `<RemovePreset xmlns="${PTZ_NS}">${profile}<PresetToken>${a.preset}</PresetToken></RemovePreset>`;
    await this.call(await this.getPtzAddress(), body);
  }

  withCredentials(uri: string): string {
    if (!this.options.username) return uri;
    try {
      const u = new URL(uri);
      if (u.username) return uri;
      u.username = encodeURIComponent(this.options.username);
      u.password = encodeURIComponent(this.options.password ?? '');
      return u.href;
    } catch {
      throw new OnvifError('ONVIF_RESPONSE', 'the stream address does not parse');
    }
  }

  private call(url: string, body: string, auth = true): Promise<XmlElement> {
    const o = this.options;
    return soapCall({
      url,
      body,
      credentials: auth && o.username !== undefined ? { username: o.username, password: o.password ?? '' } : undefined,
      now: new Date(Date.now() + this.clockOffsetMs),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.maxResponseBytes !== undefined ? { maxResponseBytes: o.maxResponseBytes } : {}),
      ...(o.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.rejectUnauthorized } : {}),
      ...(o.admit ? { admit: o.admit } : {}),
    });
  }

  // A service address names the device as the device sees itself (often a LAN address behind
  // NAT). Calls, and the credentials in them, go only to the host the operator gave us.
  private sameHost(xaddr: string): string {
    let u: URL;
    try {
      u = new URL(xaddr.split(/\s+/)[0]!);
    } catch {
      throw new OnvifError('ONVIF_RESPONSE', 'the media service address does not parse');
    }
    u.protocol = this.device.protocol;
    u.host = this.device.host;
    return u.href;
  }
}

function required(body: XmlElement, local: string): XmlElement {
  const el = body.children.find((c) => c.local === local);
  if (!el) throw new OnvifError('ONVIF_RESPONSE', `the reply has no ${local}`);
  return el;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function readProfile(p: XmlElement): MediaProfile | undefined {
  const token = p.attrs['token'];
  if (!token) return undefined;
  const profile: MediaProfile = { token, name: textAt(p, 'Name') ?? token };
  const v = path(p, 'VideoEncoderConfiguration');
  const encoding = textAt(v, 'Encoding');
  if (v && encoding) {
    const video: NonNullable<MediaProfile['video']> = {
      encoding,
      width: num(textAt(v, 'Resolution', 'Width')) ?? 0,
      height: num(textAt(v, 'Resolution', 'Height')) ?? 0,
    };
    const fps = num(textAt(v, 'RateControl', 'FrameRateLimit'));
    const kbps = num(textAt(v, 'RateControl', 'BitrateLimit'));
    const gop = num(textAt(v, encoding === 'H265' ? 'H265' : 'H264', 'GovLength'));
    if (fps !== undefined) video.fps = fps;
    if (kbps !== undefined) video.bitrateKbps = kbps;
    if (gop !== undefined) video.gop = gop;
    profile.video = video;
  }
  const a = path(p, 'AudioEncoderConfiguration');
  const aenc = textAt(a, 'Encoding');
  if (a && aenc) {
    const audio: NonNullable<MediaProfile['audio']> = { encoding: aenc };
    const rate = num(textAt(a, 'SampleRate'));
    const kbps = num(textAt(a, 'Bitrate'));
    // Media Service §5.6: SampleRate is in kHz.
    if (rate !== undefined) audio.sampleRate = rate * 1000;
    if (kbps !== undefined) audio.bitrateKbps = kbps;
    profile.audio = audio;
  }
  return profile;
}
