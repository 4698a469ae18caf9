// The access rules as a stream register needs them (live/stream-register.ts's StreamAuthority):
// a stream token is checked and consumed once, and the stream stops when its grant is revoked.
import type { Access } from './index.js';

export function streamAuthority(access: Pick<Access, 'verifyStreamToken' | 'hub'>) {
  return {
    verifyStreamToken: (...a: Parameters<Access['verifyStreamToken']>) => access.verifyStreamToken(...a),
    onRevoked: (...a: Parameters<Access['hub']['onRevoked']>) => access.hub.onRevoked(...a),
  };
}
