// SOAP 1.2 over HTTP for ONVIF (ONVIF Core §5.1, §5.6): one POST per call, the body element
// written by the caller, WS-Security in the header when credentials are given. Replies are read
// with a size cap and a deadline; SOAP faults become OnvifErrors.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { OnvifError } from './errors.js';
import { securityHeader, usernameToken } from './ws-security.js';
import { findFirst, parseXml, textAt, type XmlElement } from './xml.js';

export const SOAP_NS = 'http://www.w3.org/2003/05/soap-envelope';

export interface SoapCall {
  url: string;
  /** The body's one element, e.g. `<GetProfiles xmlns="http://www.onvif.org/ver10/media/wsdl"/>`. */
  body: string;
  credentials?: { username: string; password: string } | undefined;
  /** The time to put in the token: the device's clock, when it is known to differ. */
  now?: Date;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** For https:// devices with self-signed certificates. */
  rejectUnauthorized?: boolean;
  /**
   * Checks the host before anything is sent and gives the address to connect to, so the address
   * checked is the one used (a name cannot resolve elsewhere in between). Throws to refuse.
   */
  admit?: (url: URL) => Promise<string>;
}

export function envelope(body: string, header = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${SOAP_NS}"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

/** Posts one SOAP call and returns the reply's Body element. */
export async function soapCall(call: SoapCall): Promise<XmlElement> {
  const header = call.credentials ? securityHeader(usernameToken(call.credentials.username, call.credentials.password, call.now ?? new Date())) : '';
  const { status, body } = await post(call.url, envelope(call.body, header), call);
  let doc: XmlElement;
  try {
    doc = parseXml(body);
  } catch (e) {
    if (status >= 400) throw statusError(status);
    throw e;
  }
  if (doc.local !== 'Envelope' || doc.ns !== SOAP_NS) {
    if (status >= 400) throw statusError(status);
    throw new OnvifError('ONVIF_RESPONSE', 'the reply is not a SOAP 1.2 envelope');
  }
  const soapBody = doc.children.find((c) => c.local === 'Body' && c.ns === SOAP_NS);
  if (!soapBody) throw new OnvifError('ONVIF_RESPONSE', 'the reply has no SOAP body');
  const fault = soapBody.children.find((c) => c.local === 'Fault');
  if (fault) throw faultError(fault);
  if (status >= 400) throw statusError(status);
  return soapBody;
}

function statusError(status: number): OnvifError {
  return status === 401 || status === 403
    ? new OnvifError('ONVIF_AUTH', `the device refused the credentials (HTTP ${status})`)
    : new OnvifError('ONVIF_HTTP', `the device answered HTTP ${status}`);
}

// ONVIF Core §5.11.2: ter:NotAuthorized (and the WS-Security failures) mean bad credentials.
function faultError(fault: XmlElement): OnvifError {
  const codes: string[] = [];
  for (let code = findFirst(fault, 'Code'); code; code = code.children.find((c) => c.local === 'Subcode')) {
    const v = textAt(code, 'Value');
    if (v) codes.push(v.slice(v.indexOf(':') + 1));
  }
  const reason = (textAt(fault, 'Reason', 'Text') ?? codes.join('/')) || 'SOAP fault';
  const auth = codes.some((c) => /NotAuthorized|FailedAuthentication|InvalidSecurity|SecurityTokenUnavailable/i.test(c));
  return new OnvifError(auth ? 'ONVIF_AUTH' : 'ONVIF_FAULT', `${reason.slice(0, 200)}${codes.length ? ` (${codes.join('/').slice(0, 120)})` : ''}`);
}

async function post(url: string, payload: string, call: SoapCall): Promise<{ status: number; body: Buffer }> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new OnvifError('ONVIF_ADDRESS', 'the service address does not parse');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OnvifError('ONVIF_ADDRESS', 'ONVIF services are reached over http:// or https://');
  const max = call.maxResponseBytes ?? 1 << 20;
  const timeoutMs = call.timeoutMs ?? 5000;
  const action = /<(?:[A-Za-z0-9_]+:)?([A-Za-z0-9_]+)/.exec(call.body)?.[1] ?? '';
  const target = new URL(u.href);
  if (call.admit) {
    const address = await call.admit(u);
    target.hostname = address.includes(':') ? `[${address}]` : address;
  }
  return new Promise((resolve, reject) => {
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
      method: 'POST',
      headers: {
        Host: u.host,
        'Content-Type': `application/soap+xml; charset=utf-8; action="${action}"`,
        'Content-Length': Buffer.byteLength(payload),
      },
      ...(u.protocol === 'https:' && target.hostname !== u.hostname ? { servername: u.hostname } : {}),
      ...(u.protocol === 'https:' && call.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new OnvifError('ONVIF_TIMEOUT', `no answer from the device within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e instanceof OnvifError ? e : new OnvifError('ONVIF_HTTP', `cannot reach the device: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) {
          clearTimeout(timer);
          req.destroy();
          reject(new OnvifError('ONVIF_LIMIT', `the reply is over ${max} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
      });
      res.on('error', () => undefined);
    });
    req.end(payload);
  });
}
