// MANSRTSP (GB/T 28181 §9.8): what the platform writes reads back as the same command, WVP-style
// bodies from devices' peers read, and bodies that are not playback control are refused by name.
import { describe, expect, it } from 'vitest';
import { buildMansrtsp, parseMansrtsp, type MansrtspCommand } from './mansrtsp.js';

describe('MANSRTSP', () => {
  it('round-trips pause, resume, seek and scale', () => {
    const cmds: MansrtspCommand[] = [{ kind: 'pause' }, { kind: 'resume' }, { kind: 'seek', seconds: 125 }, { kind: 'scale', scale: 0.5 }, { kind: 'scale', scale: -2 }];
    cmds.forEach((c, i) => expect(parseMansrtsp(buildMansrtsp(c, i + 1))).toEqual({ ...c, cseq: i + 1 }));
    expect(buildMansrtsp({ kind: 'seek', seconds: 30 }, 7).toString()).toBe('PLAY RTSP/1.0\r\nCSeq: 7\r\nRange: npt=30-\r\n');
  });

  it('reads the bodies platforms send in practice (LF only, extra spaces, a resume without Range)', () => {
    expect(parseMansrtsp('PAUSE RTSP/1.0\nCSeq: 3\nPauseTime: now\n')).toEqual({ kind: 'pause', cseq: 3 });
    expect(parseMansrtsp('PLAY RTSP/1.0\r\nCSeq:4\r\nRange: npt=12.5-\r\n')).toEqual({ kind: 'seek', seconds: 12.5, cseq: 4 });
    expect(parseMansrtsp('PLAY RTSP/1.0\r\nCSeq: 5\r\n')).toEqual({ kind: 'resume', cseq: 5 });
    expect(parseMansrtsp('PLAY RTSP/1.0\r\nCSeq: 6\r\nScale: 4.000000\r\n')).toEqual({ kind: 'scale', scale: 4, cseq: 6 });
  });

  it('refuses what is not playback control, naming the problem', () => {
    expect(() => parseMansrtsp('TEARDOWN RTSP/1.0\r\nCSeq: 1\r\n')).toThrow(/PLAY or PAUSE/);
    expect(() => parseMansrtsp('PLAY RTSP/1.0\r\nRange: npt=now-\r\n')).toThrow(/CSeq/);
    expect(() => parseMansrtsp('PLAY RTSP/1.0\r\nCSeq: 1\r\nScale: 0\r\n')).toThrow(/not a speed/);
    expect(() => parseMansrtsp('PLAY RTSP/1.0\r\nCSeq: 1\r\nRange: clock=20240101T000000Z-\r\n')).toThrow(/npt/);
    expect(() => parseMansrtsp(Buffer.alloc(0))).toThrow(/PLAY or PAUSE/);
  });
});
