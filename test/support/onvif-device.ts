// A small ONVIF device for tests, since no real one is available here: an HTTP server answering
// the device and media SOAP calls the client makes, checking WS-Security password digests
// (with its own clock, freshness window and nonce replay check), and a UDP WS-Discovery
// responder. It reads requests with plain string matching, independently of src/onvif's parser.
import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface FakeProfile {
  token: string;
  name: string;
  encoding: string;
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  streamUri: string;
}

export interface FakeDeviceOptions {
  username: string;
  password: string;
  profiles: FakeProfile[];
  /** The device's clock runs this far ahead of ours. */
  clockSkewMs?: number;
  /** Answer GetServices with a fault, so the client must use GetCapabilities. */
  noGetServices?: boolean;
  /** How to refuse bad credentials: a SOAP fault (HTTP 400) or a bare HTTP 401. */
  refuseWith?: 'fault' | 'http401';
}

export interface FakeDevice {
  /** http://127.0.0.1:port/onvif/device_service */
  address: string;
  /** UDP port of the discovery responder on 127.0.0.1. */
  discoveryPort: number;
  endpoint: string;
  /** Operations received, in order, with whether they were authenticated. */
  calls: { op: string; path: string; user?: string; ok: boolean }[];
  /** PTZ operations carried out (PTZ service), each as its request body. */
  ptz: { op: string; xml: string }[];
  close(): Promise<void>;
}

const NS = 'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" ' +
  'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" ' +
  'xmlns:ter="http://www.onvif.org/ver10/error" xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl"';

const envelope = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope ${NS}>\n<s:Body>\n${body}\n</s:Body>\n</s:Envelope>\n`;

const fault = (sub: string, text: string) =>
  envelope(`<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>${sub}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">${text}</s:Text></s:Reason></s:Fault>`);

function between(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<(?:\\w+:)?${tag}(?:\\s[^>]*)?>([^<]*)</(?:\\w+:)?${tag}>`).exec(xml);
  return m?.[1];
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

export async function startOnvifDevice(o: FakeDeviceOptions): Promise<FakeDevice> {
  const calls: FakeDevice['calls'] = [];
  const ptz: FakeDevice['ptz'] = [];
  const seenNonces = new Set<string>();
  const endpoint = 'urn:uuid:5f5a69c2-e0ae-504f-829b-00000000c0de';
  const deviceNow = () => new Date(Date.now() + (o.clockSkewMs ?? 0));

  const authenticate = (xml: string): { ok: boolean; user?: string } => {
    const user = between(xml, 'Username');
    const digest = between(xml, 'Password');
    const nonce = between(xml, 'Nonce');
    const created = between(xml, 'Created');
    if (!user || !digest || !nonce || !created) return { ok: false };
    const expected = createHash('sha1').update(Buffer.from(nonce, 'base64')).update(created).update(o.password).digest('base64');
    const age = Math.abs(deviceNow().getTime() - Date.parse(created));
    const fresh = Number.isFinite(age) && age < 5_000;
    const replay = seenNonces.has(nonce);
    seenNonces.add(nonce);
    return { ok: user === o.username && digest === expected && fresh && !replay, user };
  };

  const server: Server = createServer(async (req, res) => {
    const xml = await read(req);
    const op = /<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)/.exec(xml)?.[1] ?? '?';
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' });
      res.end(body);
    };
    if (op === 'GetSystemDateAndTime') {
      calls.push({ op, path: req.url ?? '', ok: true });
      const d = deviceNow();
      return send(200, envelope(`<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>` +
        `<tt:UTCDateTime><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
        `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime>` +
        `</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`));
    }
    const auth = authenticate(xml);
    calls.push({ op, path: req.url ?? '', ...(auth.user ? { user: auth.user } : {}), ok: auth.ok });
    if (!auth.ok) {
      if (o.refuseWith === 'http401') {
        res.writeHead(401, { 'www-authenticate': 'Digest realm="fake", nonce="abc"' });
        return res.end();
      }
      return send(400, fault('ter:NotAuthorized', 'Sender not Authorized'));
    }
    const host = 'http://192.168.1.64'; // what a camera behind NAT reports about itself
    switch (op) {
      case 'GetDeviceInformation':
        return send(200, envelope(`<tds:GetDeviceInformationResponse><tds:Manufacturer>Vigil &amp; Test</tds:Manufacturer><tds:Model>FAKE-IPC-2</tds:Model>` +
          `<tds:FirmwareVersion>V5.7.3 build 230101</tds:FirmwareVersion><tds:SerialNumber>SN0001</tds:SerialNumber><tds:HardwareId>88</tds:HardwareId></tds:GetDeviceInformationResponse>`));
      case 'GetServices':
        if (o.noGetServices) return send(400, fault('ter:ActionNotSupported', 'Optional Action Not Implemented'));
        return send(200, envelope(`<tds:GetServicesResponse>` +
          `<tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace><tds:XAddr>${host}/onvif/device_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>` +
          `<tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace><tds:XAddr>${host}/onvif/Media</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>` +
          `<tds:Service><tds:Namespace>http://www.onvif.org/ver20/ptz/wsdl</tds:Namespace><tds:XAddr>${host}/onvif/PTZ</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>` +
          `</tds:GetServicesResponse>`));
      case 'GetCapabilities':
        return send(200, envelope(`<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Media><tt:XAddr>${host}/onvif/Media</tt:XAddr>` +
          `<tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>`));
      case 'GetProfiles':
        if (req.url !== '/onvif/Media') return send(400, fault('ter:ActionNotSupported', 'not a media service'));
        return send(200, envelope(`<trt:GetProfilesResponse>${o.profiles.map((p) =>
          `<trt:Profiles fixed="true" token="${p.token}"><tt:Name>${p.name}</tt:Name>` +
          `<tt:VideoSourceConfiguration token="VideoSourceToken"><tt:Name>VideoSourceConfig</tt:Name><tt:UseCount>2</tt:UseCount><tt:SourceToken>VideoSource_1</tt:SourceToken><tt:Bounds x="0" y="0" width="${p.width}" height="${p.height}"/></tt:VideoSourceConfiguration>` +
          `<tt:AudioEncoderConfiguration token="AudioEncoder_1"><tt:Name>AudioEncoder_1</tt:Name><tt:Encoding>G711</tt:Encoding><tt:Bitrate>64</tt:Bitrate><tt:SampleRate>8</tt:SampleRate></tt:AudioEncoderConfiguration>` +
          `<tt:VideoEncoderConfiguration token="VideoEncoder_${p.token}"><tt:Name>VideoEncoder</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>${p.encoding}</tt:Encoding>` +
          `<tt:Resolution><tt:Width>${p.width}</tt:Width><tt:Height>${p.height}</tt:Height></tt:Resolution><tt:Quality>3</tt:Quality>` +
          `<tt:RateControl><tt:FrameRateLimit>${p.fps}</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>${p.bitrateKbps}</tt:BitrateLimit></tt:RateControl>` +
          `<tt:H264><tt:GovLength>${p.fps * 2}</tt:GovLength><tt:H264Profile>Main</tt:H264Profile></tt:H264><tt:SessionTimeout>PT5S</tt:SessionTimeout></tt:VideoEncoderConfiguration>` +
          `</trt:Profiles>`).join('')}</trt:GetProfilesResponse>`));
      case 'GetVideoSources': {
        // Mandatory for Profile S devices (Media service §5.1): the sensor behind the profiles.
        if (req.url !== '/onvif/Media') return send(400, fault('ter:ActionNotSupported', 'not a media service'));
        const top = o.profiles.reduce((a, p) => (p.width * p.height > a.width * a.height ? p : a), o.profiles[0] ?? { width: 0, height: 0, fps: 0 });
        return send(200, envelope(`<trt:GetVideoSourcesResponse><trt:VideoSources token="VideoSource_1"><tt:Framerate>${top.fps}</tt:Framerate>` +
          `<tt:Resolution><tt:Width>${top.width}</tt:Width><tt:Height>${top.height}</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>`));
      }
      case 'GetStreamUri': {
        const token = between(xml, 'ProfileToken');
        const p = o.profiles.find((x) => x.token === token);
        if (!p || !xml.includes('RTP-Unicast') || !/<(?:\w+:)?Protocol>RTSP</.test(xml)) return send(400, fault('ter:InvalidArgVal', 'no such profile or transport'));
        return send(200, envelope(`<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${p.streamUri.replace(/&/g, '&amp;')}</tt:Uri>` +
          `<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT60S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`));
      }
      case 'ContinuousMove':
      case 'Stop':
      case 'GotoPreset':
      case 'SetPreset':
      case 'RemovePreset': {
        // PTZ Service §5.3, §5.4: on the PTZ service's address, for a profile the device has.
        if (req.url !== '/onvif/PTZ') return send(400, fault('ter:ActionNotSupported', 'not a PTZ service'));
        if (!o.profiles.some((p) => p.token === between(xml, 'ProfileToken'))) return send(400, fault('ter:InvalidArgVal', 'no such profile'));
        ptz.push({ op, xml });
        const token = op === 'SetPreset' ? `<tptz:PresetToken>${between(xml, 'PresetToken') ?? '1'}</tptz:PresetToken>` : '';
        return send(200, envelope(`<tptz:${op}Response>${token}</tptz:${op}Response>`));
      }
      default:
        return send(400, fault('ter:ActionNotSupported', `${op} is not supported`));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  const address = `http://127.0.0.1:${port}/onvif/device_service`;

  const udp: Socket = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const text = msg.toString('utf8');
    const id = between(text, 'MessageID');
    if (!id || !text.includes('NetworkVideoTransmitter')) return;
    const reply = `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" ` +
      `xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">` +
      `<SOAP-ENV:Header><wsa:MessageID>urn:uuid:0a6dc791-2ec5-4d00-8f2a-000000000001</wsa:MessageID><wsa:RelatesTo>${id}</wsa:RelatesTo>` +
      `<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>` +
      `<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>${endpoint}</wsa:Address></wsa:EndpointReference>` +
      `<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>` +
      `<d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/name/FAKE%20IPC onvif://www.onvif.org/hardware/FAKE-IPC-2 onvif://www.onvif.org/location/city/test</d:Scopes>` +
      `<d:XAddrs>${address} http://[fe80::1]/onvif/device_service</d:XAddrs><d:MetadataVersion>10</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
    // A stray reply to someone else's probe first: the client must ignore it.
    const stray = reply.replace(`<wsa:RelatesTo>${id}</wsa:RelatesTo>`, '<wsa:RelatesTo>urn:uuid:not-yours</wsa:RelatesTo>');
    udp.send(stray, rinfo.port, rinfo.address);
    udp.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));

  return {
    address,
    discoveryPort: udp.address().port,
    endpoint,
    calls,
    ptz,
    close: async () => {
      udp.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
