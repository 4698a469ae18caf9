// RecordInfo: local times read and written in the device's zone, broken items left out; and the
// query to the simulated device, whose answer comes two items a message, joined by SumNum.
import { afterAll, describe, expect, it } from 'vitest';
import { parseXml } from '../media/sip/xml.js';
import { closeEncoder, GB_CHANNEL, gbWorld } from '../../test/support/gb-sim.js';
import { gbTime, parseGbTime, recordItems } from './record-info.js';

afterAll(closeEncoder);

describe('RecordInfo', () => {
  it('reads local times in the device zone and leaves out items it cannot read', () => {
    const at = Date.UTC(2026, 11, 4, 0, 0, 0);
    expect(gbTime(at, 480)).toBe('2026-12-04T08:00:00');
    expect(parseGbTime('2026-12-04T08:00:00', 480)).toBe(at);
    expect(parseGbTime('yesterday', 480)).toBeUndefined();
    const root = parseXml('<Response><CmdType>RecordInfo</CmdType><SN>1</SN><DeviceID>34020000001310000001</DeviceID><SumNum>3</SumNum><RecordList Num="3">' +
      '<Item><DeviceID>34020000001310000001</DeviceID><StartTime>2026-12-04T08:00:00</StartTime><EndTime>2026-12-04T08:10:00</EndTime><Type>time</Type><FileSize>123</FileSize></Item>' +
      '<Item><StartTime>2026-12-04T09:00:00</StartTime><EndTime>2026-12-04T08:00:00</EndTime></Item>' +
      '<Item><StartTime>bad</StartTime><EndTime>2026-12-04T08:00:00</EndTime></Item></RecordList></Response>');
    const { items, unreadable } = recordItems(root, 480);
    expect(unreadable).toBe(2);
    expect(items).toEqual([{ channelId: '34020000001310000001', name: '', startMs: at, endMs: at + 600_000, type: 'time', filePath: null, fileSize: 123 }]);
  });

  it('asks the channel’s device and joins its multi-message answer', async () => {
    const w = await gbWorld('sqlite', { records: true });
    try {
      const base = Date.UTC(2026, 11, 4, 0, 0, 0);
      const got = await w.gb.platform.queryRecordInfo(GB_CHANNEL, base, base + 3_600_000);
      expect(got.map((r) => [r.startMs - base, r.endMs - base])).toEqual([[0, 600_000], [900_000, 1_200_000], [1_800_000, 3_000_000]]);
      expect(got.every((r) => r.channelId === GB_CHANNEL && r.type === 'time')).toBe(true);
      await expect(w.gb.platform.queryRecordInfo('34020000001310000099', base, base + 1)).rejects.toThrow(/in no registered device's catalog/);
    } finally {
      await w.close();
    }
  }, 120_000);
});
