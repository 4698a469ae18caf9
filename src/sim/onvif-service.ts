// Each simulated camera as a small ONVIF device on the control endpoint, so the platform can add
// it as onvif://host:port/onvif/<name>/device_service and ask it for a keyframe:
//   device service  GetSystemDateAndTime, GetServices, GetCapabilities (Core §8)
//   media service   GetProfiles (one H.264 profile, "main"), GetStreamUri (the camera's RTSP
//                   address), SetSynchronizationPoint (Media §5.16.4: the camera's next picture is
//                   an IDR when the simulator runs with keyframeOnDemand; keyframe-on-demand.ts)
// No credentials are asked for (the simulator's RTSP cameras ask none either); operations are
// told apart by the body element's name, and anything else is answered with a SOAP fault.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeXml } from '../onvif/xml.js';
import type { Simulator } from './simulator.js';

const NS = 'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl"';
const PROFILE = 'main';

export interface OnvifSimOptions {
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  gop: number;
}

/** Answers one request to /onvif/<camera>/(device|media)_service. */
export function answerOnvif(sim: Simulator, o: OnvifSimOptions, req: IncomingMessage, res: ServerResponse, camera: string, service: string, body: string): void {
  const op = /<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?(\w+)/.exec(body)?.[1];
  const info = sim.camera(camera); // throws SIM_CAMERA (404) for a camera that does not exist
  const base = escapeXml(`http://${req.headers.host ?? `${sim.host}`}/onvif/${encodeURIComponent(camera)}`);
  if (service === 'device_service') {
    if (op === 'GetSystemDateAndTime') {
      const d = new Date();
      return reply(res, `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings><tt:UTCDateTime><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time><tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`);
    }
    if (op === 'GetServices') {
      return reply(res, `<tds:GetServicesResponse><tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace><tds:XAddr>${base}/device_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>0</tt:Minor></tds:Version></tds:Service><tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace><tds:XAddr>${base}/media_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>0</tt:Minor></tds:Version></tds:Service></tds:GetServicesResponse>`);
    }
    if (op === 'GetCapabilities') {
      return reply(res, `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Media><tt:XAddr>${base}/media_service</tt:XAddr></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>`);
    }
  } else if (service === 'media_service') {
    if (op === 'GetProfiles') {
      return reply(res, `<trt:GetProfilesResponse><trt:Profiles token="${PROFILE}" fixed="true"><tt:Name>${PROFILE}</tt:Name><tt:VideoEncoderConfiguration token="venc"><tt:Name>venc</tt:Name><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>${o.width}</tt:Width><tt:Height>${o.height}</tt:Height></tt:Resolution><tt:RateControl><tt:FrameRateLimit>${o.fps}</tt:FrameRateLimit><tt:BitrateLimit>${o.bitrateKbps}</tt:BitrateLimit></tt:RateControl><tt:H264><tt:GovLength>${o.gop}</tt:GovLength><tt:H264Profile>Baseline</tt:H264Profile></tt:H264></tt:VideoEncoderConfiguration></trt:Profiles></trt:GetProfilesResponse>`);
    }
    if (op === 'GetStreamUri') {
      if (!body.includes(`>${PROFILE}<`)) return fault(res, 'ter:NoProfile', 'no such profile');
      return reply(res, `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${escapeXml(info.url)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`);
    }
    if (op === 'SetSynchronizationPoint') {
      if (!body.includes(`>${PROFILE}<`)) return fault(res, 'ter:NoProfile', 'no such profile');
      sim.requestKeyframe(camera);
      return reply(res, '<trt:SetSynchronizationPointResponse/>');
    }
  }
  return fault(res, 'ter:ActionNotSupported', `${op ?? 'the request'} is not supported by the simulator`);
}

function reply(res: ServerResponse, inner: string, status = 200): void {
  const text = `<?xml version="1.0" encoding="UTF-8"?><s:Envelope ${NS}><s:Body>${inner}</s:Body></s:Envelope>`;
  res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function fault(res: ServerResponse, subcode: string, reason: string): void {
  reply(res, `<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:ter="http://www.onvif.org/ver10/error">${subcode}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">${escapeXml(reason)}</s:Text></s:Reason></s:Fault>`, 400);
}
