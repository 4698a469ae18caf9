// WS-Security UsernameToken with a password digest (OASIS Web Services Security UsernameToken
// Profile 1.0 §3.1), which ONVIF Core §5.9.4 requires of devices:
//   PasswordDigest = Base64( SHA-1( nonce + created + password ) )
// with the raw nonce bytes, and created as the UTC time the device checks for freshness.
import { createHash, randomBytes } from 'node:crypto';
import { escapeXml } from './xml.js';

export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const DIGEST_TYPE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const BASE64_TYPE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

export interface UsernameToken {
  username: string;
  /** Base64 of the raw nonce. */
  nonce: string;
  /** xsd:dateTime in UTC, e.g. 2024-05-01T12:00:00.000Z. */
  created: string;
  digest: string;
}

export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')])).digest('base64');
}

export function usernameToken(username: string, password: string, now: Date, nonce: Buffer = randomBytes(16)): UsernameToken {
  const created = now.toISOString();
  return { username, nonce: nonce.toString('base64'), created, digest: passwordDigest(nonce, created, password) };
}

/** The <Security> SOAP header element for a token. */
export function securityHeader(t: UsernameToken): string {
  return (
    `<Security s:mustUnderstand="1" xmlns="${WSSE_NS}"><UsernameToken>` +
    `<Username>${escapeXml(t.username)}</Username>` +
    `<Password Type="${DIGEST_TYPE}">${t.digest}</Password>` +
    `<Nonce EncodingType="${BASE64_TYPE}">${t.nonce}</Nonce>` +
    `<Created xmlns="${WSU_NS}">${t.created}</Created>` +
    `</UsernameToken></Security>`
  );
}
