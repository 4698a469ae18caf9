// vigil release: public releases (公开发布, CN799-22) from the command line — list a request's
// releases, show one, start its masking (with a progress bar; Ctrl+C cancels), add a region the
// detectors missed or remove a false track and mask again, approve, and take the released file
// with its manifest, checked. Every step goes through the release use case (release.service.ts),
// the same one the API calls, so its rules and its registrations are the API's. Each command
// signs in as the person doing it (password from VIGIL_PASSWORD or a line on stdin).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Actor } from '../../access/actor.js';
import { verifySignature } from '../../audit/platform-key.js';
import type { Box } from '../../release/box.js';
import type { MaskStyle } from '../../release/mask-render.js';
import type { ReleaseManifest } from '../../release/release-manifest.js';
import { MASK_STYLES, type ReleaseService, type ReleaseView } from '../../release/release.service.js';
import { int, parse } from '../args.js';
import { UsageError } from '../output.js';

export interface ReleaseCommandDeps {
  releases: ReleaseService;
  /** Signs a person in; the actor the use case judges. */
  signIn(o: { login: string; password: string; totp?: string }): Promise<Actor>;
  /** The password of the one signing in (VIGIL_PASSWORD or stdin). */
  password(): Promise<string>;
  /** The platform's public key, which signs manifests. */
  publicKey: KeyObject;
}

const at = (v: string, name: string) => {
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new UsageError(`--${name} must be ISO 8601 or epoch ms`);
  return ms;
};

function box(v: string, name: string): Box {
  const n = v.split(',').map(Number);
  if (n.length !== 4 || n.some((x) => !Number.isFinite(x)) || n[2]! <= 0 || n[3]! <= 0) throw new UsageError(`--${name} must be X,Y,W,H with a width and a height, got "${v}"`);
  return { x: n[0]!, y: n[1]!, w: n[2]!, h: n[3]! };
}

function bar(done: number, total: number, width = 30): string {
  const f = total > 0 ? Math.min(1, done / total) : 0;
  const n = Math.round(f * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}] ${(f * 100).toFixed(0).padStart(3)} % ${done}/${total || '?'} frames`;
}

function describe(v: ReleaseView): string {
  const lines = [
    `release ${v.id}  ${v.state}  request ${v.requestId}  camera ${v.cameraId}  ${new Date(v.from).toISOString()} – ${new Date(v.to).toISOString()}`,
    `  purpose ${v.purpose}; channel ${v.channel}; style ${v.style}; masked ${v.runs} time(s), ${v.framesDone}/${v.framesTotal} frames`,
    `  caption ${v.caption === null ? '(none)' : `"${v.caption}" (worded by profile ${v.captionProfile})`}`,
    `  tracks ${v.tracks.length} (removed: ${v.removedTracks.join(', ') || 'none'}); manual regions ${v.manual.length}`,
    ...v.tracks.map((t) => `    track ${t.id} ${t.kind} frames ${t.firstFrame}–${t.lastFrame}${v.removedTracks.includes(t.id) ? ' (removed)' : ''}`),
    ...(v.fileSha256 ? [`  file SHA-256 ${v.fileSha256}`] : []),
    ...(v.manifestSha256 ? [`  manifest SHA-256 ${v.manifestSha256}`] : []),
    ...(v.error ? [`  error ${v.error}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

export async function releaseCommand(d: ReleaseCommandDeps, args: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, {
    login: { type: 'string' }, totp: { type: 'string' }, request: { type: 'string' }, camera: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
    style: { type: 'string' }, 'no-caption': { type: 'boolean' }, frames: { type: 'string' }, box: { type: 'string' }, 'to-box': { type: 'string' }, track: { type: 'string' }, out: { type: 'string' },
  });
  const need = (v: string | undefined, name: string) => {
    if (!v) throw new UsageError(`--${name} is required`);
    return v;
  };
  const id = () => int(positionals[0] ?? need(undefined, 'the release id (vigil release SUB ID)'), 'id')!;
  const subs = ['list', 'show', 'mask', 'add-region', 'remove-track', 'approve', 'download'];
  if (!sub || !subs.includes(sub)) throw new UsageError(`vigil release takes ${subs.join(', ')}; see vigil release --help`);
  const login = need(values.login, 'login');
  const actor = await d.signIn({ login, password: await d.password(), ...(values.totp ? { totp: values.totp } : {}) });

  /** Waits for a masking with a progress bar; Ctrl+C cancels it. */
  const follow = async (v: ReleaseView): Promise<number> => {
    const cancel = () => void d.releases.cancel(actor, v.id);
    process.once('SIGINT', cancel);
    const tty = (err as NodeJS.WriteStream).isTTY === true;
    const timer = setInterval(() => void d.releases.get(v.id).then((p) => err.write(`${tty ? '\r' : ''}${bar(p.framesDone, p.framesTotal)}${tty ? '' : '\n'}`)), tty ? 200 : 2000);
    try {
      const done = await d.releases.settled(v.id);
      err.write(`${tty ? '\r' : ''}${bar(done.framesDone, done.framesTotal)}\n`);
      out.write(describe(done));
      return done.state === 'review' ? 0 : 1;
    } finally {
      clearInterval(timer);
      process.off('SIGINT', cancel);
    }
  };

  switch (sub) {
    case 'list': {
      const list = await d.releases.ofRequest(actor, int(need(values.request, 'request'), 'request')!);
      for (const v of list) out.write(`${v.id}\t${v.state}\tcamera ${v.cameraId}\t${v.framesDone}/${v.framesTotal} frames\t${v.fileSha256 ?? ''}\n`);
      out.write(`${list.length} release(s)\n`);
      return 0;
    }
    case 'show':
      out.write(describe(await d.releases.view(actor, id())));
      return 0;
    case 'mask': {
      const style = values.style as MaskStyle | undefined;
      if (style !== undefined && !MASK_STYLES.includes(style)) throw new UsageError(`--style must be one of ${MASK_STYLES.join(', ')}`);
      const started = await d.releases.start(actor, {
        requestId: int(need(values.request, 'request'), 'request')!, cameraId: int(need(values.camera, 'camera'), 'camera')!,
        from: at(need(values.from, 'from'), 'from'), to: at(need(values.to, 'to'), 'to'), ...(style ? { style } : {}), ...(values['no-caption'] ? { caption: false } : {}),
      });
      return follow(started);
    }
    case 'add-region': {
      const m = /^(\d+)-(\d+)$/.exec(need(values.frames, 'frames'));
      if (!m) throw new UsageError('--frames must be FROM-TO, frame numbers of the masked clip');
      const v = await d.releases.view(actor, id());
      const region = { from: Number(m[1]), to: Number(m[2]), box: box(need(values.box, 'box'), 'box'), ...(values['to-box'] ? { toBox: box(values['to-box'], 'to-box') } : {}) };
      return follow(await d.releases.revise(actor, v.id, { manual: [...v.manual, region] }));
    }
    case 'remove-track': {
      const track = int(need(values.track, 'track'), 'track')!;
      const v = await d.releases.view(actor, id());
      if (!v.tracks.some((t) => t.id === track)) throw new UsageError(`release ${v.id} has no track ${track}`);
      return follow(await d.releases.revise(actor, v.id, { removeTracks: [...new Set([...v.removedTracks, track])] }));
    }
    case 'approve':
      out.write(describe(await d.releases.approve(actor, id())));
      return 0;
    default: {
      const dir = need(values.out, 'out');
      const rid = id();
      const clip = await d.releases.handOut(actor, rid, 'clip');
      const manifest = await d.releases.handOut(actor, rid, 'manifest');
      mkdirSync(dir, { recursive: true });
      copyFileSync(clip.path, join(dir, clip.name));
      copyFileSync(manifest.path, join(dir, manifest.name));
      copyFileSync(manifest.path.replace(/manifest\.json$/, 'manifest.sig'), join(dir, `${manifest.name.replace(/\.json$/, '')}.sig`));
      return checkDownload(dir, clip.name, manifest.name, d.publicKey, out, err);
    }
  }
}

/** The file's hash against the manifest, the manifest's signature against the platform's key. */
function checkDownload(dir: string, clipName: string, manifestName: string, key: KeyObject, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  const bytes = readFileSync(join(dir, manifestName));
  const m = JSON.parse(bytes.toString('utf8')) as ReleaseManifest;
  const sig = readFileSync(join(dir, `${manifestName.replace(/\.json$/, '')}.sig`), 'utf8').trim();
  const sha = createHash('sha256').update(readFileSync(join(dir, clipName))).digest('hex');
  const signed = verifySignature(key, bytes, sig);
  const same = sha === m.released.sha256;
  out.write(`${join(dir, clipName)}\n${join(dir, manifestName)}\n`);
  out.write(`file SHA-256 ${sha}: ${same ? 'matches the manifest' : `DOES NOT match the manifest (${m.released.sha256})`}\n`);
  out.write(`manifest signature: ${signed ? 'valid (platform key)' : 'INVALID'}\n`);
  out.write(`derived from ${m.derivedFrom.files.reduce((n, f) => n + f.fragments.length, 0)} original fragments of camera ${m.derivedFrom.camera.id}; ${m.masks.tracks.length} tracks and ${m.masks.manual.length} manual regions masked; caption by profile ${m.caption?.profile ?? '(none)'}\n`);
  if (!same || !signed) {
    err.write('the download does not check out\n');
    return 1;
  }
  return 0;
}
