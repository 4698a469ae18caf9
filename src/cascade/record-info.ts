// RecordInfo for an upper platform (GB/T 28181-2016 §9.7, §A.2.4.5): the query's StartTime and
// EndTime are local time without a zone (the platform's offset applies); the answer lists the
// channel's recording files overlapping the range as Items, split over several MESSAGEs with
// SumNum and RecordList Num. Pure.
import type { XmlNode } from '../media/sip/xml.js';

const GB_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/** `2026-11-01T08:00:00` (local, no zone) → epoch ms; undefined when it is not that shape. */
export function parseGbTime(text: string | undefined, utcOffsetMinutes: number): number | undefined {
  const m = GB_TIME.exec((text ?? '').trim());
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isFinite(ms) ? ms - utcOffsetMinutes * 60_000 : undefined;
}

export function formatGbTime(ms: number, utcOffsetMinutes: number): string {
  return new Date(ms + utcOffsetMinutes * 60_000).toISOString().slice(0, 19);
}

/** The fields of each MESSAGE of a RecordInfo answer; one with an empty list when there is nothing. */
export function recordPages(channelId: string, name: string, spans: [number, number][], per: number, utcOffsetMinutes: number): XmlNode[] {
  const items: XmlNode[] = spans.map(([from, to]) => ({
    DeviceID: channelId, Name: name, StartTime: formatGbTime(from, utcOffsetMinutes), EndTime: formatGbTime(to, utcOffsetMinutes), Secrecy: 0, Type: 'time',
  }));
  const pages: XmlNode[] = [];
  for (let i = 0; i === 0 || i < items.length; i += per) {
    const page = items.slice(i, i + per);
    pages.push({ Name: name, SumNum: items.length, RecordList: { $attrs: { Num: page.length }, ...(page.length ? { Item: page } : {}) } });
  }
  return pages;
}
