import { z } from 'zod';

/** Everything the platform can be configured with. Defaults give the embedded setup. */
export const configSchema = z.strictObject({
  /** Where recordings, the SQLite file, keys and uploads live. */
  dataDir: z.string().min(1).default('./data'),
  database: z
    .strictObject({
      /** `sqlite:<path>` (relative to dataDir when not absolute) or `postgres://…`. */
      url: z
        .string()
        .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgres://')
        .default('sqlite:vigil.db'),
      poolSize: z.number().int().min(1).max(200).default(10),
    })
    .prefault({}),
  http: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      /**
       * Addresses or CIDR ranges of reverse proxies whose X-Forwarded-Proto / X-Forwarded-For are
       * believed (so a session cookie behind a TLS-terminating proxy gets `Secure`); from anyone
       * else those headers are ignored. Empty: no proxy is trusted.
       */
      trustedProxies: z.array(z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'must be an IP address or CIDR range')).max(50).default([]),
      /**
       * Whether /docs and /openapi.json are open without sign-in. Unset: open in the demo
       * (`vigil serve --demo`, what `npm start` runs), behind sign-in otherwise.
       */
      publicDocs: z.boolean().optional(),
    })
    .prefault({}),
  /** Prometheus metrics at /metrics (issue 14). */
  metrics: z
    .strictObject({
      /**
       * The bearer token a scraper sends (`Authorization: Bearer …`), at least 24 characters.
       * Unset: /metrics answers no one.
       */
      token: z.string().min(24, 'must be at least 24 characters').optional(),
    })
    .prefault({}),
  /** Id of the deployment's default jurisdiction profile (a file in profiles/). */
  profile: z.string().min(1).default('national'),
  /** Folder of jurisdiction profile files; defaults to the one shipped with the project. */
  profilesDir: z.string().min(1).optional(),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  /** Process roles this node runs. */
  // One node runs every role by default; a larger site splits them across nodes on one PostgreSQL.
  services: z.array(z.enum(['api', 'recorder', 'retention', 'health'])).min(1).default(['api', 'recorder', 'retention', 'health']),
  recorder: z
    .strictObject({
      /** A recording file rolls over after this many seconds. */
      fileSeconds: z.number().int().min(10).max(86_400).default(600),
      /** A fragment is one GOP, cut at most after this many milliseconds. */
      fragmentMaxMs: z.number().int().min(200).max(10_000).default(2000),
      /** Reconnect backoff bounds (jittered exponential). */
      reconnectMinMs: z.number().int().min(50).max(60_000).default(500),
      reconnectMaxMs: z.number().int().min(100).max(600_000).default(30_000),
      /** Connects are spread out by this much each, so many cameras returning at once do not storm. */
      staggerMs: z.number().int().min(0).max(10_000).default(20),
      /**
       * Write footage with direct I/O (O_DIRECT) where the filesystem allows it, bypassing the page
       * cache; false writes through the cache (src/recorder/segment-store/direct-io.ts).
       */
      directIo: z.boolean().default(true),
    })
    .prefault({}),
  audit: z
    .strictObject({
      /** A signed checkpoint of the access register after this many entries… */
      checkpointEveryEntries: z.number().int().min(1).max(1_000_000).default(1000),
      /** …or after this many seconds in which the register grew. */
      checkpointEverySeconds: z.number().int().min(1).max(86_400).default(60),
    })
    .prefault({}),
  /** Retention, integrity and disk pressure (issue 6): the "retention" process role. */
  retention: z
    .strictObject({
      /** How often the cleaner removes footage past its period. */
      cleanerIntervalSeconds: z.number().int().min(10).max(86_400).default(3600),
      /** Used-space alarms of the recordings volume; at "full" the recorder stops new fragments. */
      diskWarningPercent: z.number().min(1).max(100).default(85),
      diskCriticalPercent: z.number().min(1).max(100).default(90),
      diskFullPercent: z.number().min(1).max(100).default(95),
      diskCheckSeconds: z.number().int().min(1).max(3600).default(30),
      /** New fragments join each camera's Merkle log and a signed tree head is made this often. */
      treeHeadSeconds: z.number().int().min(1).max(86_400).default(60),
    })
    .refine((r) => r.diskWarningPercent < r.diskCriticalPercent && r.diskCriticalPercent < r.diskFullPercent, { message: 'disk thresholds must rise: warning < critical < full' })
    .prefault({}),
  simulator: z
    .strictObject({
      /** Simulated cameras started with the platform (0 = none). */
      cameras: z.number().int().min(0).max(1000).default(0),
      port: z.number().int().min(0).max(65535).default(8554),
    })
    .prefault({}),
  /** Cameras served onward over RTSP to authorised machine clients (R2.2; src/restream). */
  restream: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Clients authenticate with Basic (an API token): keep it on loopback unless the network is protected. */
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8555),
    })
    .prefault({}),
  /** Accounts and access (issue 4). */
  access: z
    .strictObject({
      /** A session ends this long after sign-in… */
      sessionHours: z.number().min(0.1).max(24 * 30).default(12),
      /** …or after this long without a request. */
      idleMinutes: z.number().min(1).max(24 * 60).default(30),
      /** Failed sign-ins within the window that lock an account, and for how long. */
      lockoutFailures: z.number().int().min(1).max(100).default(5),
      lockoutWindowMinutes: z.number().min(1).max(24 * 60).default(15),
      lockoutMinutes: z.number().min(1).max(24 * 60).default(15),
      /** Life of a signed media URL. */
      streamTokenSeconds: z.number().int().min(5).max(600).default(60),
      /** Longest an approved access request stays valid. */
      maxApprovalHours: z.number().min(1).max(24 * 365).default(24 * 30),
    })
    .prefault({}),
  /** Camera health (issue 7): diagnostic cycle, thresholds, rates, webhooks. */
  health: z
    .strictObject({
      /** A diagnostic cycle over every camera starts this often. */
      intervalSeconds: z.number().int().min(10).max(86_400).default(300),
      /** Cameras sampled at once (each sample is one short ffmpeg process). */
      concurrency: z.number().int().min(1).max(32).default(2),
      /** Recorded video newer than this is the camera's current picture; else the live source is tried. */
      freshSeconds: z.number().min(1).max(3600).default(10),
      /** The two keyframes of one sample are at least this far apart (frozen picture check). */
      frozenSpanSeconds: z.number().min(0.5).max(60).default(2),
      grabTimeoutSeconds: z.number().min(1).max(60).default(8),
      /** Day boundaries for daily rates (China Standard Time: +480). */
      utcOffsetMinutes: z.number().int().min(-720).max(840).default(480),
      /** A diagnostic older than this does not count towards the good rate. */
      staleMinutes: z.number().min(1).max(7 * 24 * 60).default(60),
      thresholds: z
        .strictObject({
          darkLuma: z.number().min(0).max(255).default(30),
          brightLuma: z.number().min(0).max(255).default(225),
          blurLaplacianVar: z.number().min(0).default(40),
          castOffset: z.number().min(0).default(30),
          castFactor: z.number().min(0).default(0.6),
          noiseSigma: z.number().min(0).default(5),
          occlusionShare: z.number().min(0).max(1).default(0.5),
          frozenChangedShare: z.number().min(0).max(1).default(0.0005),
          sceneSimilarity: z.number().min(-1).max(1).default(0.7),
        })
        .prefault({}),
      webhooks: z
        .strictObject({
          urls: z.array(z.url()).max(20).default([]),
          retries: z.number().int().min(0).max(10).default(3),
          backoffMs: z.number().int().min(10).max(60_000).default(1000),
          timeoutMs: z.number().int().min(100).max(60_000).default(5000),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
