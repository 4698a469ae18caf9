// vigil verify / verify-export / tree-heads: re-read stored footage against the index and the
// Merkle logs, check an evidence package offline, and copy signed tree heads off the box.
import { footageReaderOf } from '../../services/object-storage.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { parsePublicKey } from '../../audit/platform-key.js';
import { verifyPackage } from '../../export/package-verify.js';
import { verifyFootage } from '../../integrity/footage-verify.js';
import { SegmentStore } from '../../recorder/segment-store/segment-store.js';
import type { Context } from '../../services/context.js';
import { int, parse } from '../args.js';
import { UsageError } from '../output.js';

function time(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new UsageError(`--${name} must be ISO 8601 or epoch ms, got "${v}"`);
  return ms;
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

export async function verifyCommand(ctx: Context, args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parse(args, { camera: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } }, false);
  const store = new SegmentStore(ctx.config.dataDir);
  const started = Date.now();
  const cameraId = int(values.camera, 'camera');
  const from = time(values.from, 'from');
  const to = time(values.to, 'to');
  const report = await verifyFootage(
    { repo: ctx.repos.integrityLog, index: ctx.repos.recordingIndex, publicKey: ctx.audit.keys.publicKey, absolute: (p) => store.absolute(p), footage: footageReaderOf(ctx, (p) => store.absolute(p)) },
    { ...(cameraId !== undefined ? { cameraId } : {}), ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) },
  );
  const seconds = (Date.now() - started) / 1000;
  if (values.json) {
    out.write(`${JSON.stringify({ ...report, seconds })}\n`);
  } else {
    out.write(`${report.cameras} camera(s), ${report.files} file(s), ${report.fragments} fragment(s), ${mb(report.bytes)} read in ${seconds.toFixed(1)} s (${mb(report.bytes / Math.max(seconds, 0.001))}/s)\n`);
    if (report.unsealed) out.write(`${report.unsealed} fragment(s) are newer than the last sealing of the log: checked against the index only\n`);
    for (const w of report.beingWritten) out.write(`being written: ${w.path} (${w.pendingBytes} bytes after its last indexed fragment, checked once indexed)\n`);
    if (report.ok) out.write('OK: footage, index and logs agree\n');
    else {
      const f = report.first!;
      out.write(`TAMPERED: first bad position — camera ${f.cameraId}${f.path ? `, ${f.path}` : ''}${f.seq !== undefined ? `, fragment ${f.seq}` : ''}${f.byteOffset !== undefined ? ` at byte ${f.byteOffset}` : ''}${f.atMs !== null ? `, ${new Date(f.atMs).toISOString()}` : ''}: ${f.kind}\n  ${f.message}\n`);
      for (const p of report.problems.slice(1, 20)) out.write(`  also ${p.kind}: ${p.message}\n`);
    }
  }
  return report.ok ? 0 : 1;
}

export async function verifyExportCommand(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parse(args, { 'public-key': { type: 'string' }, json: { type: 'boolean' } });
  const dir = positionals[0];
  if (!dir) throw new UsageError('verify-export needs the package folder');
  const key = values['public-key'] ? parsePublicKey(readFileSync(values['public-key'], 'utf8')) : undefined;
  const r = await verifyPackage(dir, key ? { publicKey: key } : {});
  if (values.json) {
    out.write(`${JSON.stringify({ ok: r.ok, keyId: r.keyId, files: r.files, fragments: r.fragments, bytes: r.bytes, problems: r.problems })}\n`);
  } else {
    const m = r.manifest;
    if (m) {
      out.write(`camera ${m.camera.name} (${m.camera.nationalId}), ${m.range.from} – ${m.range.to}\n`);
      out.write(`request #${m.request.id} ${m.request.kind} by ${m.request.requestingUnit}; officers ${m.request.officers.map((o) => o.workId).join(', ')}; purpose ${m.request.purpose}; destination ${m.request.destination}\n`);
      // Format 2: each file plays from time 0; say which wall-clock instant that is.
      for (const f of m.files ?? []) {
        if (f.start) out.write(`${f.name}: time 0 is ${f.start.wallClock} (${(f.start.decodeTime / f.start.timescale).toFixed(3)} s into the recording)\n`);
      }
    }
    out.write(`signed by platform key ${r.keyId ?? '?'}${key ? ' (pinned)' : ' (from the package: compare it with the key the platform publishes)'}\n`);
    out.write(r.ok ? `VERIFIED: ${r.files} file(s), ${r.fragments} fragment(s), ${mb(r.bytes)}\n` : `NOT VERIFIED: ${r.first!.where}: ${r.first!.message}\n`);
    for (const p of r.problems.slice(1, 20)) out.write(`  also ${p.where}: ${p.message}\n`);
  }
  return r.ok ? 0 : 1;
}

export async function treeHeadsCommand(ctx: Context, args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parse(args, { camera: { type: 'string' }, after: { type: 'string' } });
  const rows = await ctx.repos.integrityLog.treeHeads(int(values.camera, 'camera'), int(values.after, 'after') ?? 0);
  const text = rows.map((r) => `${JSON.stringify({ id: Number(r.id), cameraId: Number(r.camera_id), size: Number(r.tree_size), root: r.root_hash, at: Number(r.at), keyId: r.key_id, signature: r.signature })}\n`).join('');
  if (positionals[0]) writeFileSync(positionals[0], text, { mode: 0o644 });
  else out.write(text);
  return 0;
}
