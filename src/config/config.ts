// The configuration is parsed once, here, from an optional JSON file and VIGIL_* environment
// variables (environment wins). Nothing else in the code reads process.env.
import { hostname } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { Errors } from '../errors.js';
import { configSchema, type Config } from './config.schema.js';

export type { Config } from './config.schema.js';

type Env = Record<string, string | undefined>;

/** Environment variable → config path and how to read it. */
export const ENV_MAP: Record<string, { path: string[]; kind: 'string' | 'int' | 'list' }> = {
  VIGIL_DATA_DIR: { path: ['dataDir'], kind: 'string' },
  VIGIL_DATABASE_URL: { path: ['database', 'url'], kind: 'string' },
  VIGIL_DATABASE_POOL_SIZE: { path: ['database', 'poolSize'], kind: 'int' },
  VIGIL_HOST: { path: ['http', 'host'], kind: 'string' },
  VIGIL_PORT: { path: ['http', 'port'], kind: 'int' },
  VIGIL_TRUSTED_PROXIES: { path: ['http', 'trustedProxies'], kind: 'list' },
  VIGIL_METRICS_TOKEN: { path: ['metrics', 'token'], kind: 'string' },
  VIGIL_PROFILE: { path: ['profile'], kind: 'string' },
  VIGIL_PROFILES_DIR: { path: ['profilesDir'], kind: 'string' },
  VIGIL_LOG_LEVEL: { path: ['log', 'level'], kind: 'string' },
  VIGIL_SERVICES: { path: ['services'], kind: 'list' },
  VIGIL_NODE_ID: { path: ['cluster', 'nodeId'], kind: 'string' },
  VIGIL_NODE_CAPACITY: { path: ['cluster', 'capacity'], kind: 'int' },
  VIGIL_NODE_URL: { path: ['cluster', 'advertiseUrl'], kind: 'string' },
  VIGIL_LEASE_SECONDS: { path: ['cluster', 'leaseSeconds'], kind: 'int' },
  VIGIL_PEER_PORT: { path: ['cluster', 'peerPort'], kind: 'int' },
  VIGIL_SIM_CAMERAS: { path: ['simulator', 'cameras'], kind: 'int' },
  VIGIL_SIM_PORT: { path: ['simulator', 'port'], kind: 'int' },
  VIGIL_MEDIA_DIR: { path: ['media', 'fileSourceRoots'], kind: 'list' },
  VIGIL_CAMERA_NETWORKS: { path: ['media', 'cameraNetworks'], kind: 'list' },
  VIGIL_GB_SIP_ID: { path: ['gb28181', 'sipId'], kind: 'string' },
  VIGIL_GB_PORT: { path: ['gb28181', 'port'], kind: 'int' },
  VIGIL_GB_PUBLIC_ADDRESS: { path: ['gb28181', 'publicAddress'], kind: 'string' },
  VIGIL_GB_PASSWORD: { path: ['gb28181', 'domainPassword'], kind: 'string' },
  VIGIL_STORAGE_BACKEND: { path: ['storage', 'backend'], kind: 'string' },
  VIGIL_S3_ENDPOINT: { path: ['storage', 's3', 'endpoint'], kind: 'string' },
  VIGIL_S3_REGION: { path: ['storage', 's3', 'region'], kind: 'string' },
  VIGIL_S3_BUCKET: { path: ['storage', 's3', 'bucket'], kind: 'string' },
  VIGIL_S3_ACCESS_KEY_ID: { path: ['storage', 's3', 'accessKeyId'], kind: 'string' },
  VIGIL_S3_SECRET_ACCESS_KEY: { path: ['storage', 's3', 'secretAccessKey'], kind: 'string' },
};

export interface LoadConfigOptions {
  /** A config file; defaults to $VIGIL_CONFIG, then ./vigil.config.json when present. */
  file?: string;
  env?: Env;
  /** Values set by the caller (CLI flags) that win over file and environment. */
  overrides?: Record<string, unknown>;
  cwd?: string;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ?? env.VIGIL_CONFIG ?? (existsSync(resolve(cwd, 'vigil.config.json')) ? 'vigil.config.json' : undefined);
  let raw: Record<string, unknown> = {};
  if (file) {
    const path = resolve(cwd, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw Errors.config(`config file ${file} cannot be read`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw Errors.config(`config file ${file} is not valid JSON: ${(e as Error).message}`);
    }
  }
  for (const [name, spec] of Object.entries(ENV_MAP)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(raw, spec.path, readEnv(name, value, spec.kind));
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) setPath(raw, key.split('.'), value);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
    const where = file ? ` (file ${file} and VIGIL_* environment)` : ' (VIGIL_* environment)';
    throw Errors.config(
      `configuration is not valid${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  const config = parsed.data;
  config.dataDir = resolve(cwd, config.dataDir);
  config.media.fileSourceRoots = config.media.fileSourceRoots.map((p) => resolve(p));
  if (config.database.url.startsWith('sqlite:')) {
    const path = config.database.url.slice('sqlite:'.length);
    if (path !== ':memory:' && !isAbsolute(path)) config.database.url = `sqlite:${resolve(config.dataDir, path)}`;
  }
  return Object.freeze(config) as Config;
}

function readEnv(name: string, value: string, kind: 'string' | 'int' | 'list'): unknown {
  if (kind === 'int') {
    if (!/^-?\d+$/.test(value.trim())) throw Errors.config(`${name} must be a whole number, got "${value}"`);
    return Number(value);
  }
  if (kind === 'list') return value.split(',').map((s) => s.trim()).filter(Boolean);
  return value;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

export const configJsonSchema = () => z.toJSONSchema(configSchema, { io: 'input' });

/** This process's name among the recorder nodes: `cluster.nodeId`, else the host name. */
export function nodeIdOf(config: Config): string {
  return config.cluster.nodeId ?? hostname();
}
