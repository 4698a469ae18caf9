// RecordInfo (GB/T 28181-2016 §A.2.4.5, §A.2.6.6): the recordings a device keeps for a channel in a
// time range. Times on the wire are local ("2026-12-04T08:00:00", no zone); the answer may come in
// several MESSAGEs (SumNum = total, RecordList Num = items in this one). Pure.
import { child, childText, children, type XmlElement } from '../media/sip/xml.js';

export interface DeviceRecording {
  channelId: string;
  name: string;
  startMs: number;
  endMs: number;
  type: string;
  filePath: string | null;
  fileSize: number | null;
}

/** Epoch ms → the device's local wall time, GB/T 28181's way of writing it. */
export function gbTime(ms: number, utcOffsetMinutes: number): string {
  return new Date(ms + utcOffsetMinutes * 60_000).toISOString().slice(0, 19);
}

/** The device's local wall time → epoch ms; undefined when it is not a date and time. */
export function parseGbTime(text: string | undefined, utcOffsetMinutes: number): number | undefined {
  const m = text ? /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})/.exec(text.trim()) : null;
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isFinite(ms) ? ms - utcOffsetMinutes * 60_000 : undefined;
}

/** The items of one RecordInfo answer; items without a readable time range are left out and counted. */
export function recordItems(root: XmlElement, utcOffsetMinutes: number): { items: DeviceRecording[]; unreadable: number } {
  const items: DeviceRecording[] = [];
  let unreadable = 0;
  for (const it of children(child(root, 'RecordList'), 'Item')) {
    const startMs = parseGbTime(childText(it, 'StartTime'), utcOffsetMinutes);
    const endMs = parseGbTime(childText(it, 'EndTime'), utcOffsetMinutes);
    if (startMs === undefined || endMs === undefined || endMs < startMs) {
      unreadable++;
      continue;
    }
    const size = Number(childText(it, 'FileSize'));
    items.push({
      channelId: childText(it, 'DeviceID') ?? childText(root, 'DeviceID') ?? '',
      name: childText(it, 'Name') ?? '',
      startMs,
      endMs,
      type: childText(it, 'Type') ?? 'time',
      filePath: childText(it, 'FilePath') || null,
      fileSize: Number.isFinite(size) && childText(it, 'FileSize') ? size : null,
    });
  }
  return { items, unreadable };
}
