// The checks that the simulator cannot fake (blur, colour cast, noise, occlusion, brightness) on
// pictures ffmpeg's own filters spoil: the healthy test pattern passes, each spoiled one is named.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, diagnose, type FindingKind } from './diagnose.js';
import { SAMPLE_HEIGHT, SAMPLE_WIDTH } from './frame-grab.js';
import { decodeSignature, encodeSignature, luma, signature, type Picture } from './picture-metrics.js';

const W = SAMPLE_WIDTH;
const H = SAMPLE_HEIGHT;

/** One frame of the test pattern at `t` seconds through `filter`, decoded as the sampler decodes. */
function picture(filter: string, t = 1, source = 'testsrc2=size=1280x720:rate=25'): Picture {
  const graph = `${source},trim=start=${t},setpts=PTS-STARTPTS${filter ? `,${filter}` : ''},scale=${W}:${H}:flags=area`;
  const rgb = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', graph, '-frames:v', '1', '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 22 });
  return { width: W, height: H, rgb };
}

const kinds = (pictures: Picture[], extra: { reference?: Float32Array } = {}) => diagnose({ pictures, ...extra }).findings.map((f) => f.kind).sort();

describe('diagnosis of spoiled pictures', () => {
  const healthy = [picture('', 1), picture('', 3)];
  const reference = signature(luma(healthy[0]!), W, H);

  it('the healthy pattern, two seconds apart, against its own reference: no finding', () => {
    expect(kinds(healthy, { reference })).toEqual([]);
  });

  const cases: [string, string, FindingKind[]][] = [
    ['blurred (out of focus)', 'gblur=sigma=12', ['blur']],
    ['green cast', 'colorchannelmixer=rr=0.2:rg=0.4:gg=1:bb=0.2:bg=0.4', ['colour_cast']],
    ['snow', 'noise=alls=60:allf=t', ['noise']],
    ['half covered', 'drawbox=x=0:y=0:w=iw:h=ih*0.65:color=0x404040:t=fill', ['occlusion']],
    ['too dark (night, no light)', 'format=rgb24,lutrgb=r=val*0.15:g=val*0.15:b=val*0.15', ['too_dark']],
    ['too bright (glare)', 'format=rgb24,lutrgb=r=255-(255-val)*0.1:g=255-(255-val)*0.1:b=255-(255-val)*0.1', ['too_bright']],
    ['turned away', 'crop=iw*0.6:ih*0.6:iw*0.4:ih*0.4,scale=1280:720,hflip', ['scene_change']],
  ];
  for (const [name, filter, expected] of cases) {
    it(`${name}: ${expected.join(', ')}`, () => {
      expect(kinds([healthy[0]!, picture(filter, 3)], { reference })).toEqual(expected);
    });
  }

  it('one picture repeated is frozen; with one picture, the previous sample is compared', () => {
    expect(kinds([healthy[1]!, healthy[1]!])).toEqual(['frozen']);
    expect(diagnose({ pictures: [healthy[1]!], previous: luma(healthy[1]!) }).findings.map((f) => f.kind)).toEqual(['frozen']);
    expect(diagnose({ pictures: [healthy[1]!], previous: luma(healthy[0]!) }).findings).toEqual([]);
  });

  it('no picture is signal loss with its reason; thresholds are configuration', () => {
    expect(diagnose({ pictures: [], lossReason: 'no fragment for 12 s' }).findings).toEqual([
      { kind: 'signal_loss', value: null, threshold: null, detail: 'no fragment for 12 s' },
    ]);
    expect(diagnose({ pictures: healthy }, { ...DEFAULT_THRESHOLDS, darkLuma: 250 }).findings.map((f) => f.kind)).toEqual(['too_dark']);
  });

  it('a signature survives being stored', () => {
    const s = signature(luma(healthy[0]!), W, H);
    const back = decodeSignature(encodeSignature(s))!;
    expect(back.length).toBe(s.length);
    for (let i = 0; i < s.length; i++) expect(Math.abs(back[i]! - s[i]!)).toBeLessThanOrEqual(0.5);
    expect(decodeSignature('AAAA')).toBeUndefined();
  });
});
