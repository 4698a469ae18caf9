// A UDP socket on loopback that takes PS over RTP (what the lower sends an upper platform) and
// gathers its access units: for the cascade tests that play the upper's media end.
import { createSocket, type Socket } from 'node:dgram';
import { RtpPsDepacketizer } from '../../src/media/ps/rtp-ps.js';
import type { PsAccessUnit } from '../../src/media/ps/video-assembler.js';

export interface PsReceiver {
  socket: Socket;
  units: PsAccessUnit[];
  port: number;
  /** The largest datagram so far (bytes of RTP). */
  largest(): number;
  /** Resolves once `n` units have come. */
  got(n: number): Promise<void>;
}

export async function psReceiver(ssrc = 100000001): Promise<PsReceiver> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const units: PsAccessUnit[] = [];
  const waiters: (() => void)[] = [];
  const rx = new RtpPsDepacketizer({ video: (u) => { units.push(u); for (const w of waiters.splice(0)) w(); } }, { ssrc });
  let largest = 0;
  socket.on('message', (m) => {
    largest = Math.max(largest, m.length);
    rx.push(m);
  });
  const got = async (n: number) => {
    while (units.length < n) await new Promise<void>((r) => waiters.push(r));
  };
  return { socket, units, port: socket.address().port, got, largest: () => largest };
}
