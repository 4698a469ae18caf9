import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageLane } from './message-lane.js';

const sockets: Socket[] = [];
afterEach(() => {
  while (sockets.length) sockets.pop()!.close();
});

async function udpPair(onMessage: (text: string) => void): Promise<{ send: (text: string) => Promise<void> }> {
  const rx = createSocket('udp4');
  const tx = createSocket('udp4');
  sockets.push(rx, tx);
  await new Promise<void>((r) => rx.bind(0, '127.0.0.1', () => r()));
  rx.on('message', (m) => onMessage(m.toString()));
  const port = rx.address().port;
  return { send: (text) => new Promise<void>((r, j) => tx.send(text, port, '127.0.0.1', (e) => (e ? j(e) : r()))) };
}

const turns = (n: number) => new Promise<void>((r) => {
  const step = (k: number) => (k === 0 ? r() : setImmediate(() => step(k - 1)));
  step(n);
});

describe('the message lane', () => {
  it('lets datagrams that wait be read between its turns, and keeps its own order', async () => {
    const events: string[] = [];
    const { send } = await udpPair((t) => events.push(t));
    const lane = new MessageLane(0);
    // The datagrams are in the socket's buffer before the lane's first turn.
    for (const t of ['register 1', 'register 2', 'register 3']) await send(t);
    for (const t of ['catalog a', 'catalog b', 'catalog c']) lane.push(() => events.push(t));
    await turns(6);
    while (events.length < 6) await turns(1);
    expect(events.filter((e) => e.startsWith('catalog')), 'first in, first out').toEqual(['catalog a', 'catalog b', 'catalog c']);
    // With a slice of 0 one entry runs a turn, and a poll comes between two turns: every datagram
    // already waiting is read before the lane's second entry.
    const second = events.indexOf('catalog b');
    for (const t of ['register 1', 'register 2', 'register 3']) expect(events.indexOf(t), t).toBeLessThan(second);
  });

  it('runs entries one after another within a slice, and at least one a turn', async () => {
    let clock = 0;
    const ran: string[] = [];
    const lane = new MessageLane(5, () => clock);
    // Each entry takes 2 ms of the slice: three fit in a turn of 5 ms (0, 2, 4), the fourth waits.
    for (const t of ['a', 'b', 'c', 'd', 'e']) lane.push(() => {
      ran.push(t);
      clock += 2;
    });
    expect(ran, 'nothing runs inside push').toEqual([]);
    await turns(1);
    expect(ran).toEqual(['a', 'b', 'c']);
    await turns(1);
    expect(ran).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(lane.waiting).toBe(0);
    // An entry longer than the slice still runs, alone.
    lane.push(() => {
      ran.push('long');
      clock += 50;
    });
    lane.push(() => ran.push('after'));
    await turns(1);
    expect(ran.slice(-1)).toEqual(['long']);
    await turns(1);
    expect(ran.slice(-1)).toEqual(['after']);
  });

  it('goes on after an entry that throws, and runs nothing after close', async () => {
    const ran: string[] = [];
    const lane = new MessageLane(0);
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.prependListener('uncaughtException', onError);
    try {
      lane.push(() => {
        throw new Error('bad entry');
      });
      lane.push(() => ran.push('next'));
      await turns(3);
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(ran).toEqual(['next']);
    lane.push(() => ran.push('queued'));
    lane.close();
    lane.push(() => ran.push('late'));
    await turns(3);
    expect(ran).toEqual(['next']);
  });
});
