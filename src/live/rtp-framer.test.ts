// One packetization a picture, shared by every viewer of its feed: the same payloads as packetizing
// it for each viewer, made again when the parameter sets differ, and never written to by a viewer
// that serializes and encrypts them under its own RTP header.
import { randomBytes } from 'node:crypto';
import { RtpHeader, RtpPacket } from 'werift';
import { expect, it } from 'vitest';
import { framePayloads, RTP_PAYLOAD_BYTES, rtpPayloadBytesFor, sharedFramePayloads } from './rtp-framer.js';

const sps = Buffer.from('6742c01f8c8d40', 'hex');
const pps = Buffer.from('68ce3c80', 'hex');
/** An IDR slice three packets long and a small non-IDR one. */
const idr = Buffer.concat([Buffer.from([0x65]), randomBytes(RTP_PAYLOAD_BYTES * 2 + 100)]);
const small = Buffer.concat([Buffer.from([0x41]), randomBytes(300)]);

it('packetizes a picture once for all its viewers, with the payloads each would have made', () => {
  const key = { nalus: [idr], keyframe: true };
  const parameterSets = [sps, pps];
  const first = sharedFramePayloads('h264', key, parameterSets);
  expect(first.map((b) => b.toString('hex'))).toEqual(framePayloads('h264', key.nalus, true, parameterSets).map((b) => b.toString('hex')));
  // A second viewer of the same frame gets the very same payloads.
  expect(sharedFramePayloads('h264', key, parameterSets)).toBe(first);
  // Another frame, or other parameter sets, are packetized for themselves.
  const delta = { nalus: [small], keyframe: false };
  expect(sharedFramePayloads('h264', delta, parameterSets)).not.toBe(first);
  const otherSets = [Buffer.from('6742c0288c8d40', 'hex'), pps];
  const again = sharedFramePayloads('h264', key, otherSets);
  expect(again).not.toBe(first);
  expect(again[0]!.includes(otherSets[0]!)).toBe(true);
});

it('leaves the shared payloads as they were after viewers send them under their own headers', () => {
  const frame = { nalus: [idr], keyframe: true };
  const payloads = sharedFramePayloads('h264', frame, [sps, pps]);
  const before = payloads.map((b) => Buffer.from(b));
  for (const ssrc of [1, 2, 3]) {
    payloads.forEach((payload, i) => {
      const wire = new RtpPacket(new RtpHeader({ payloadType: 96, sequenceNumber: 100 + i, timestamp: 9000 * ssrc, ssrc, marker: i === payloads.length - 1 }), payload).serialize();
      expect(wire.subarray(wire.length - payload.length)).toEqual(payload);
    });
  }
  expect(payloads).toEqual(before);
});

it('fits every packet of a picture in the path MTU with its headers, in fewer packets on a larger path', () => {
  const big = { nalus: [Buffer.concat([Buffer.from([0x41]), randomBytes(15_000)])], keyframe: false };
  const counts = [1280, 1400, 1500].map((mtu) => {
    const payloads = sharedFramePayloads('h264', big, [sps, pps], rtpPayloadBytesFor(mtu));
    // IPv4 20 + UDP 8 + RTP 12 + SRTP tag 16, and werift's header extensions when its path sends them.
    for (const p of payloads) expect(20 + 8 + 12 + p.length + 16).toBeLessThanOrEqual(mtu - 20);
    expect(Buffer.concat(payloads).length).toBeGreaterThan(15_000);
    return payloads.length;
  });
  expect(counts[0]).toBeGreaterThan(counts[1]!);
  expect(counts[1]).toBeGreaterThan(counts[2]!);
  // A viewer on another path gets the picture packetized for its own (a fresh array, not the other's).
  expect(sharedFramePayloads('h264', big, [sps, pps], rtpPayloadBytesFor(1400))).not.toBe(sharedFramePayloads('h264', big, [sps, pps], rtpPayloadBytesFor(1500)));
});
