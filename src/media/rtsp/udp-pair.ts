// RTP on an even port and RTCP on the next odd one (RFC 3550 §11), as RTSP's client_port and
// server_port ranges expect.
import { createSocket, type Socket } from 'node:dgram';
import { RtspError } from './errors.js';

export interface UdpPair {
  rtp: Socket;
  rtcp: Socket;
  rtpPort: number;
  rtcpPort: number;
  close(): void;
}

function bind(socket: Socket, port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const onError = () => resolve(false);
    socket.once('error', onError);
    socket.bind(port, address, () => {
      socket.off('error', onError);
      resolve(true);
    });
  });
}

/**
 * Binds an even/odd pair on `address`. With `basePort` 0 the system picks; an odd or taken
 * neighbour is retried a bounded number of times.
 */
export async function bindUdpPair(address: string, basePort = 0, attempts = 32): Promise<UdpPair> {
  const type = address.includes(':') ? 'udp6' : 'udp4';
  for (let i = 0; i < attempts; i++) {
    const rtp = createSocket({ type });
    const wanted = basePort === 0 ? 0 : basePort + i * 2;
    if (!(await bind(rtp, wanted, address))) {
      rtp.close();
      if (basePort !== 0) continue;
      break;
    }
    const rtpPort = rtp.address().port;
    if (rtpPort % 2 !== 0 || rtpPort === 65535) {
      rtp.close();
      continue;
    }
    const rtcp = createSocket({ type });
    if (!(await bind(rtcp, rtpPort + 1, address))) {
      rtcp.close();
      rtp.close();
      continue;
    }
    // Cameras send bursts of a key frame's packets; a larger kernel buffer avoids early loss.
    try {
      rtp.setRecvBufferSize(1 << 20);
    } catch {
      // Not fatal: the system default still works at lower bitrates.
    }
    return {
      rtp,
      rtcp,
      rtpPort,
      rtcpPort: rtpPort + 1,
      close() {
        for (const s of [rtp, rtcp]) {
          try {
            s.close();
          } catch {
            // Already closed.
          }
        }
      },
    };
  }
  throw new RtspError('RTSP_TRANSPORT', `could not bind an even/odd UDP port pair on ${address}`);
}
