#!/usr/bin/env node
// The `vigil` command: runs the built CLI (npm start builds it; or `npm run build`).
//
// CommonJS on purpose. libuv sizes its thread pool once, from UV_THREADPOOL_SIZE, when the first
// asynchronous file operation runs, and the ES module loader reads the entry file asynchronously:
// an ES module entry is too late to size it. The recorder ends every fragment of every camera with
// a synchronous-data write that holds a pool thread for as long as the disk takes; with libuv's
// default four threads a hundred cameras queue behind each other.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

process.env.UV_THREADPOOL_SIZE ??= '64';

const main = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('vigil is not built yet: run `npm run build` (or `npm start`) first.\n');
  process.exit(1);
}
import(pathToFileURL(main).href);
