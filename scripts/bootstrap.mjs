#!/usr/bin/env node
// The two README commands start here: `npm start` and `npm test`. Dependency-free on purpose:
// it runs before node_modules exists. It installs what is missing (node modules; OS packages
// through apt-get when it can, otherwise it stops and prints the exact command), builds when the
// sources changed, then runs the platform or the tests.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [, , command = 'start', ...rest] = process.argv;

/** OS packages by what needs them; Debian names. */
const SYSTEM = {
  ffmpeg: {
    debian: ['ffmpeg', 'fonts-dejavu-core'],
    present: () => onPath('ffmpeg') && onPath('ffprobe'),
  },
  postgres: {
    debian: ['postgresql'],
    present: () => Boolean(findPostgresBin()),
  },
  chromium: {
    debian: ['chromium'],
    present: () => existsSync('/usr/bin/chromium'),
  },
  gstreamer: {
    debian: [
      'gstreamer1.0-tools', 'gstreamer1.0-plugins-base', 'gstreamer1.0-plugins-good', 'gstreamer1.0-plugins-bad',
      'gstreamer1.0-plugins-ugly', 'gstreamer1.0-libav', 'gstreamer1.0-rtsp', 'gir1.2-gst-rtsp-server-1.0', 'python3-gi',
    ],
    present: () =>
      onPath('gst-launch-1.0') &&
      spawnSync('/usr/bin/python3', ['-c', "import gi; gi.require_version('GstRtspServer','1.0'); from gi.repository import GstRtspServer"], { stdio: 'ignore' }).status === 0,
  },
  // Keeps both cores busy while the recorder records (test/media/recording-under-load.alone.test.ts).
  stressng: {
    debian: ['stress-ng'],
    present: () => onPath('stress-ng'),
  },
  // Ceph's S3 gateway for the object-storage tests (test/support/ceph-s3.ts): a one-node cluster
  // with one in-memory OSD, started by the tests like the throwaway PostgreSQL.
  ceph: {
    debian: ['radosgw', 'ceph-mon', 'ceph-osd', 'ceph-common'],
    present: () => ['radosgw', 'ceph-mon', 'ceph-osd', 'ceph-authtool', 'monmaptool', 'radosgw-admin'].every((b) => onPath(b) || existsSync(join('/usr/bin', b))),
  },
  // SIPp (a SIP peer Vigil did not write) plays a device and an upper platform in the GB/T 28181
  // tests (test/gb28181/gb-platform.sipp.test.ts, test/cascade/cascade.sipp.test.ts).
  sipp: {
    debian: ['sip-tester'],
    present: () => onPath('sipp'),
  },
  // pdftotext reads back the register's PDF export (src/audit/register-export.test.ts); libzbar decodes
  // the QR codes of the console's TOTP enrolment (test/support/zbar-decode.py).
  pdfqr: {
    debian: ['poppler-utils', 'libzbar0'],
    present: () => onPath('pdftotext') && ['/usr/lib/x86_64-linux-gnu/libzbar.so.0', '/usr/lib/aarch64-linux-gnu/libzbar.so.0', '/usr/lib/libzbar.so.0'].some((f) => existsSync(f)),
  },
  // A CJK font for the labelled footage of the release masks (plates such as 皖A·12345, shop signs),
  // and for the camera names the simulator burns into the demo's pictures (src/sim/picture.ts).
  cjkfont: {
    debian: ['fonts-wqy-zenhei'],
    present: () => existsSync('/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc'),
  },
};

const NEEDS = {
  start: ['ffmpeg', 'cjkfont'],
  test: ['ffmpeg', 'postgres', 'chromium', 'gstreamer', 'stressng', 'cjkfont', 'ceph', 'sipp', 'pdfqr'],
  bench: ['ffmpeg', 'postgres', 'chromium', 'gstreamer', 'cjkfont', 'ceph'],
};

function log(msg) {
  process.stderr.write(`[vigil] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function onPath(bin) {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, bin)));
}

function findPostgresBin() {
  for (const d of (process.env.PATH ?? '').split(':')) if (d && existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl'))) return d;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  for (const v of readdirSync(base).sort((a, b) => Number(b) - Number(a))) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  return undefined;
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    log(`Node ${process.versions.node} is too old: Vigil needs Node 20.19 or newer.`);
    process.exit(1);
  }
}

function ensureSystemPackages(kinds) {
  const missing = kinds.filter((k) => !SYSTEM[k].present());
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.flatMap((k) => SYSTEM[k].debian))];
  const cmd = `apt-get update && apt-get install -y ${pkgs.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const canSudo = !isRoot && onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!onPath('apt-get') || (!isRoot && !canSudo)) {
    log(`Missing system packages for ${missing.join(', ')}. Install them, then run this command again:`);
    log(onPath('apt-get') ? `  sudo sh -c '${cmd}'` : `  (Debian/Ubuntu) sudo sh -c '${cmd}'  — or your OS's packages for: ${missing.join(', ')}`);
    process.exit(1);
  }
  log(`Installing system packages for ${missing.join(', ')}: ${pkgs.join(' ')}`);
  const sudo = isRoot ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const exec = (args) => run(sudo[0] ?? args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), { env });
  if (exec(['apt-get', 'update', '-qq']) !== 0 || exec(['apt-get', 'install', '-y', '-qq', ...pkgs]) !== 0) {
    log(`apt-get failed. Run this yourself, then try again:\n  sudo sh -c '${cmd}'`);
    process.exit(1);
  }
  const still = missing.filter((k) => !SYSTEM[k].present());
  if (still.length) {
    log(`Still missing after install: ${still.join(', ')}. Run: sudo sh -c '${cmd}'`);
    process.exit(1);
  }
}

function ensureNodeModules() {
  const lock = join(root, 'package-lock.json');
  const stampFile = join(root, 'node_modules', '.vigil-install-stamp');
  const want = createHash('sha256')
    .update(readFileSync(join(root, 'package.json')))
    .update(existsSync(lock) ? readFileSync(lock) : '')
    .digest('hex');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === want) return;
  const fresh = !existsSync(join(root, 'node_modules'));
  log(fresh ? 'Installing node modules (first run)…' : 'package.json changed: updating node modules…');
  // `npm install`, not `npm ci`: npm 11 leaves other platforms' optional packages (rollup's,
  // esbuild's) out of the lock file and then `npm ci` refuses it as out of sync. `install` still
  // follows the lock file's versions.
  if (run('npm', ['install', '--no-audit', '--no-fund']) !== 0) {
    log('npm could not install the node modules (see above).');
    process.exit(1);
  }
  writeFileSync(stampFile, want);
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function ensureBuilt() {
  const stamp = join(root, 'dist', '.build-stamp');
  const inputs = ['src', 'web', 'profiles', 'package.json', 'tsconfig.json', 'tsconfig.build.json'].map((p) => join(root, p));
  const newest = Math.max(...inputs.map(newestMtime));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest) return;
  log('Building…');
  if (run('npm', ['run', '--silent', 'build']) !== 0) {
    log('The build failed (see above).');
    process.exit(1);
  }
  writeFileSync(stamp, new Date().toISOString());
}

checkNode();
switch (command) {
  case 'start': {
    ensureSystemPackages(NEEDS.start);
    ensureNodeModules();
    ensureBuilt();
    const args = rest.length ? rest : ['serve', '--demo'];
    // Through the CommonJS launcher, which sizes libuv's thread pool before anything uses it.
    process.exit(run(process.execPath, ['--enable-source-maps', join(root, 'bin', 'vigil.cjs'), ...args]));
    break;
  }
  case 'test': {
    ensureSystemPackages(NEEDS.test);
    ensureNodeModules();
    ensureBuilt();
    const vitest = [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...rest];
    const main = run(process.execPath, vitest);
    // Named files run as asked; a whole run ends with the tests that load both cores on purpose,
    // alone, so they starve no other test (vitest.config.ts).
    if (rest.length > 0) process.exit(main);
    const alone = run(process.execPath, vitest, { env: { ...process.env, VIGIL_TEST_ALONE: '1' } });
    process.exit(main !== 0 ? main : alone);
    break;
  }
  case 'bench': {
    ensureSystemPackages(NEEDS.bench);
    ensureNodeModules();
    ensureBuilt();
    const [script, ...args] = rest;
    process.exit(run(process.execPath, ['--import', 'tsx', join(root, script), ...args]));
    break;
  }
  default:
    log(`unknown command "${command}": use start, test or bench`);
    process.exit(2);
}
