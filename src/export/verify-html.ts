// The self-contained verify.html shipped in every package: open it in a browser, choose the
// package's files (or its folder), and it checks everything `vigil verify-export` checks with
// WebCrypto alone (Ed25519 and SHA-256), offline. It is written independently of the Node
// verifier, so the two cross-check each other; the leaf layout is the one in src/integrity/leaf.ts.
// Format 2 patches (rebased decode times) are put back before hashing; that they touch only the
// time fields is checked by the Node verifier's parse, here only their count and size.

const SCRIPT = String.raw`
const $ = (id) => document.getElementById(id);
const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s) => { if (typeof s !== 'string' || !/^([0-9a-f]{2})*$/.test(s)) throw new Error('bad hex'); const o = new Uint8Array(s.length / 2); for (let i = 0; i < o.length; i++) o[i] = parseInt(s.substr(i * 2, 2), 16); return o; };
const sha = async (b) => new Uint8Array(await crypto.subtle.digest('SHA-256', b));
const cat = (...parts) => { const n = parts.reduce((s, p) => s + p.length, 0); const o = new Uint8Array(n); let at = 0; for (const p of parts) { o.set(p, at); at += p.length; } return o; };
const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const leafHash = (data) => sha(cat(Uint8Array.of(0), data));
const nodeHash = (l, r) => sha(cat(Uint8Array.of(1), l, r));

function fragmentLeafData(f) {
  const b = new Uint8Array(86); const v = new DataView(b.buffer); let o = 0;
  v.setUint8(o, 1); o += 1;
  v.setBigUint64(o, BigInt(f.cameraId)); o += 8;
  v.setBigUint64(o, BigInt(f.fileStartMs)); o += 8;
  v.setUint32(o, f.seq >>> 0); o += 4;
  v.setBigUint64(o, BigInt(f.byteOffset)); o += 8;
  v.setUint32(o, f.size >>> 0); o += 4;
  v.setBigUint64(o, BigInt(Math.max(0, f.startMs))); o += 8;
  v.setBigUint64(o, BigInt(Math.max(0, f.endMs))); o += 8;
  v.setUint8(o, f.keyframe ? 1 : 0); o += 1;
  v.setUint32(o, f.samples >>> 0); o += 4;
  b.set(unhex(f.sha256), o);
  return b;
}
function initLeafData(f) {
  const b = new Uint8Array(53); const v = new DataView(b.buffer); let o = 0;
  v.setUint8(o, 2); o += 1;
  v.setBigUint64(o, BigInt(f.cameraId)); o += 8;
  v.setBigUint64(o, BigInt(f.fileStartMs)); o += 8;
  v.setUint32(o, f.initSize >>> 0); o += 4;
  b.set(unhex(f.sha256), o);
  return b;
}

// Format 2: the decode-time and creation-time fields were rebased in place; each patch keeps the
// bytes it replaced. Put them back, and what is hashed is the recording itself.
function patchProblem(patches, size, most) {
  if (patches === undefined) return null;
  if (!Array.isArray(patches) || patches.length > most) return 'more patches than time fields';
  let end = 0;
  for (const p of patches) {
    const n = p && typeof p.original === 'string' && /^[0-9a-f]*$/.test(p.original) ? p.original.length / 2 : -1;
    if (![4, 8, 16].includes(n) || !Number.isSafeInteger(p.offset) || p.offset < end || p.offset + n > size) return 'a patch is not a time field inside it';
    end = p.offset + n;
  }
  return null;
}
function restore(bytes, patches) {
  const out = new Uint8Array(bytes);
  for (const p of patches || []) out.set(unhex(p.original), p.offset);
  return out;
}

// RFC 9162 section 2.1.3.2
async function verifyInclusion(leaf, index, size, proof, root) {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (p.length !== 32 || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else r = await nodeHash(r, p);
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && eq(r, root);
}

function pemToDer(pem) {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

async function verify(files) {
  const problems = [];
  const fail = (where, message) => problems.push(where + ': ' + message);
  const byName = new Map();
  for (const f of files) {
    const rel = (f.webkitRelativePath || f.name).split('/');
    // The folder itself may be chosen: drop its name.
    const name = rel.length > 1 && !['footage'].includes(rel[0]) ? rel.slice(1).join('/') : rel.join('/');
    byName.set(name, f); if (!byName.has(f.name)) byName.set(f.name, f);
  }
  const read = async (name) => { const f = byName.get(name) || byName.get(name.split('/').pop()); if (!f) throw new Error(name + ' was not chosen'); return new Uint8Array(await f.arrayBuffer()); };
  let manifestBytes, key, keyId;
  try {
    manifestBytes = await read('manifest.json');
    const der = pemToDer(new TextDecoder().decode(await read('platform-key.pem')));
    keyId = hex(await sha(der)).slice(0, 16);
    key = await crypto.subtle.importKey('spki', der, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) { fail('package', e.message); return { ok: false, problems }; }
  const sigText = new TextDecoder().decode(await read('manifest.sig').catch(() => new Uint8Array())).trim();
  let sig; try { sig = Uint8Array.from(atob(sigText), (c) => c.charCodeAt(0)); } catch { sig = new Uint8Array(); }
  if (sig.length !== 64 || !(await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, manifestBytes))) { fail('manifest', 'not signed by the platform key'); return { ok: false, problems, keyId }; }
  const m = JSON.parse(new TextDecoder().decode(manifestBytes));
  if (m.format !== 'vigil-evidence/1' && m.format !== 'vigil-evidence/2') fail('manifest', 'unknown format');
  if (m.platform.keyId !== keyId) fail('manifest', 'names another key');
  const h = m.treeHead;
  const headText = 'vigil-tree-head/1\ncamera ' + h.cameraId + '\nsize ' + h.size + '\nroot ' + h.root + '\nat ' + h.at + '\nkey ' + h.keyId + '\n';
  const hsig = Uint8Array.from(atob(h.signature), (c) => c.charCodeAt(0));
  if (h.cameraId !== m.camera.id || hsig.length !== 64 || !(await crypto.subtle.verify({ name: 'Ed25519' }, key, hsig, new TextEncoder().encode(headText)))) { fail('tree head', 'not signed by the platform key'); return { ok: false, problems, keyId }; }
  const root = unhex(h.root);
  const proofOk = async (leafData, index, proof) => { try { return await verifyInclusion(await leafHash(leafData), index, h.size, proof.map(unhex), root); } catch { return false; } };
  let fragments = 0;
  for (const f of m.files) {
    let bytes; try { bytes = await read(f.name); } catch (e) { fail(f.name, 'missing'); continue; }
    $('progress').textContent = 'Checking ' + f.name + '…';
    const initPatch = patchProblem(f.init.patches, f.init.size, 1);
    if (initPatch) fail(f.name + '#init', initPatch);
    const init = restore(bytes.subarray(0, f.init.size), initPatch ? [] : f.init.patches);
    const initSha = hex(await sha(init));
    if (initSha !== f.init.sha256) fail(f.name + '#init', 'the init segment does not match its hash');
    else if (!(await proofOk(initLeafData({ cameraId: h.cameraId, fileStartMs: f.fileStartMs, initSize: f.init.size, sha256: initSha }), f.init.leafIndex, f.init.proof))) fail(f.name + '#init', 'not in the signed tree');
    let end = f.init.size;
    for (const g of f.fragments) {
      fragments++;
      const where = f.name + '#' + g.seq;
      if (g.offset !== end) fail(where, 'does not follow the previous fragment');
      end = g.offset + g.size;
      const stored = bytes.subarray(g.offset, g.offset + g.size);
      if (stored.length !== g.size) { fail(where, 'the file ends inside this fragment'); break; }
      const bad = patchProblem(g.patches, g.size, 4);
      if (bad) { fail(where, bad); continue; }
      const part = restore(stored, g.patches);
      if (hex(await sha(part)) !== g.sha256) { fail(where, 'the bytes do not match the fragment hash'); continue; }
      const leaf = fragmentLeafData({ cameraId: h.cameraId, fileStartMs: f.fileStartMs, seq: g.seq, byteOffset: g.originalOffset, size: g.size, startMs: g.startMs, endMs: g.endMs, keyframe: g.keyframe, samples: g.samples, sha256: g.sha256 });
      if (!(await proofOk(leaf, g.leafIndex, g.proof))) fail(where, 'leaf ' + g.leafIndex + ' is not in the signed tree');
    }
    if (bytes.length !== end) fail(f.name, bytes.length + ' bytes where the manifest accounts for ' + end);
    if (hex(await sha(bytes)) !== f.sha256) fail(f.name, 'the file does not match its hash');
  }
  return { ok: problems.length === 0, problems, keyId, manifest: m, fragments };
}

async function run(files) {
  const out = $('result');
  out.dataset.state = 'running'; out.textContent = '';
  try {
    const r = await verify(Array.from(files));
    out.dataset.ok = String(r.ok);
    const m = r.manifest;
    const lines = [];
    if (m) {
      lines.push('Camera 摄像机: ' + m.camera.name + ' (' + m.camera.nationalId + ')');
      lines.push('Range 时段 (UTC): ' + m.range.from + ' – ' + m.range.to);
      lines.push('Request 申请: #' + m.request.id + ' ' + m.request.kind + ', ' + m.request.requestingUnit + ', purpose 用途: ' + m.request.purpose + ', destination 去向: ' + m.request.destination);
      lines.push('Officers 经办人: ' + m.request.officers.map((o) => o.workId).join(', ') + '; approved by 审批人: ' + m.request.approvers.map((a) => (a.name || a.userId) + ' (' + a.role + ')').join(', '));
      lines.push('Platform key 平台公钥: ' + r.keyId + ' — compare it with the key the platform publishes.');
    }
    lines.push(r.ok ? 'VERIFIED 验证通过: ' + r.fragments + ' fragments match the signed log.' : 'NOT VERIFIED 验证失败:');
    for (const p of r.problems) lines.push('  ' + p);
    out.textContent = lines.join('\n');
  } catch (e) {
    out.dataset.ok = 'false'; out.textContent = 'NOT VERIFIED 验证失败: ' + e.message;
  }
  $('progress').textContent = '';
  out.dataset.state = 'done';
}
$('files').addEventListener('change', (e) => run(e.target.files));
$('folder').addEventListener('change', (e) => run(e.target.files));
`;

export function verifyPage(): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<title>Evidence package verifier 证据包校验</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}pre{white-space:pre-wrap;background:#f4f4f4;padding:1rem}[data-ok=true]{border-left:6px solid #2a2}[data-ok=false]{border-left:6px solid #c22}</style>
</head>
<body>
<h1>Evidence package verifier 证据包校验</h1>
<p>Choose the package folder, or all of its files (manifest.json, manifest.sig, platform-key.pem and footage/*.mp4). Nothing leaves this computer: the check runs in the browser with WebCrypto (Ed25519, SHA-256).</p>
<p>选择证据包文件夹或其全部文件。校验在本机浏览器内完成，不上传任何数据。</p>
<p><label>Folder 文件夹: <input type="file" id="folder" webkitdirectory></label></p>
<p><label>Files 文件: <input type="file" id="files" multiple></label></p>
<p id="progress"></p>
<pre id="result" data-state="idle"></pre>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
