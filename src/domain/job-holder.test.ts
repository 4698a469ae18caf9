import { describe, expect, it } from 'vitest';
import { processHolder } from '../job-heartbeat.js';
import { holderStopped, SILENT_BEATS, type HolderCheck } from './job-holder.js';

const here: HolderCheck = { self: 'api-1:100:aaaa', host: 'api-1', heartbeatMs: 5000, pidAlive: (pid) => pid === 100 || pid === 200 };
const NOW = 1_000_000;

describe('whether the process holding a job has stopped', () => {
  it('never for this process', () => {
    expect(holderStopped({ holder: here.self, aliveAt: 0 }, NOW, here)).toBe(false);
  });
  it('always for a row no process ever said it holds (before holders were kept)', () => {
    expect(holderStopped({ holder: null, aliveAt: null }, NOW, here)).toBe(true);
    expect(holderStopped({}, NOW, here)).toBe(true);
    expect(holderStopped({ holder: 'api-2:7:bbbb', aliveAt: null }, NOW, here)).toBe(true);
  });
  it('another host: only once it missed SILENT_BEATS renewals', () => {
    const limit = SILENT_BEATS * here.heartbeatMs;
    expect(holderStopped({ holder: 'api-2:100:bbbb', aliveAt: NOW - limit }, NOW, here)).toBe(false);
    expect(holderStopped({ holder: 'api-2:100:bbbb', aliveAt: NOW - limit - 1 }, NOW, here)).toBe(true);
  });
  it('this host: at once when its process id runs no more, not while another instance in it runs', () => {
    expect(holderStopped({ holder: 'api-1:300:cccc', aliveAt: NOW }, NOW, here)).toBe(true);
    expect(holderStopped({ holder: 'api-1:200:cccc', aliveAt: NOW }, NOW, here)).toBe(false);
    expect(holderStopped({ holder: 'api-1:100:dddd', aliveAt: NOW }, NOW, here)).toBe(false);
  });
  it('names host and process id, unique per instance', () => {
    const a = processHolder('host-a', 42);
    expect(a).toMatch(/^host-a:42:[0-9a-f]{8}$/);
    expect(processHolder('host-a', 42)).not.toBe(a);
  });
});
