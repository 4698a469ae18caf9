import { z } from 'zod';
import { parseNetwork } from '../domain/ip-address.js';
import { DEFAULT_SERVICES, SERVICE_ROLES } from './roles.js';

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
  // 'gb28181' (the GB/T 28181 SIP server) is not in the default: it listens on a public port and needs passwords.
  services: z.array(z.enum(SERVICE_ROLES)).min(1).default(() => [...DEFAULT_SERVICES]),
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
       * cache (src/recorder/segment-store/direct-io.ts). Off by default: written through the cache,
       * a fragment costs the disk nothing until its fdatasync, which then writes it in large
       * requests; each direct write waits for the device, and at 300 cameras those writes, not
       * the syncs, were what pictures queued for (bench/disk-sync.bench.ts). Either way a fragment
       * is indexed only once an fdatasync has made it durable.
       */
      directIo: z.boolean().default(false),
    })
    .prefault({}),
  /**
   * Recorder nodes over one PostgreSQL (issue 22): each camera is recorded by the node holding its
   * lease. On SQLite the one process records every camera and these are not used.
   */
  cluster: z
    .strictObject({
      /** This node's name among the recorder nodes (default: the host name). Unique per process. */
      nodeId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, dot, dash, underscore; at most 64').optional(),
      /** Cameras this recorder node may record at most; placement gives it no more. */
      capacity: z.number().int().min(1).max(100_000).default(500),
      /** A lease lasts this long unless renewed (renewed every third of it); a silent node's cameras move after it. */
      leaseSeconds: z.number().int().min(3).max(300).default(6),
      /** Cameras handed to a joining node per renewal round, so a join does not reconnect everything at once. */
      handOversPerRound: z.number().int().min(1).max(10_000).default(5),
      /**
       * Every this many quiet renewal rounds a node compares the database's digest of cameras and
       * leases with the one it last read, and reads them all only when it differs (lease traffic).
       */
      fullLookEveryRounds: z.number().int().min(1).max(1000).default(10),
      /**
       * An API node's live view of a camera another node records: nothing from the holder for this
       * long (a paused or cut-off node) closes the relay, and the next open asks who holds it again.
       */
      liveStallSeconds: z.number().min(1).max(120).default(6),
      /** How long an API node waits for the holder to answer a live-view request. */
      liveConnectSeconds: z.number().min(1).max(120).default(5),
      /** How long a node's address read from the database is reused (it changes only when a node restarts elsewhere). */
      nodeAddressCacheSeconds: z.number().min(0).max(300).default(2),
      /**
       * The port on which this recorder node serves its recording files to the cluster's other
       * processes (playback of files not yet in the object store) and the live stream of the cameras
       * it records (the API nodes' live view); absent: it serves none.
       */
      peerPort: z.number().int().min(0).max(65535).optional(),
      /** The address the footage server listens on. */
      peerHost: z.string().min(1).default('0.0.0.0'),
      /** Where the other processes reach this node's footage server (default http://<host name>:<peerPort>). */
      advertiseUrl: z.url().optional(),
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
  /**
   * Where footage is kept (issue 22 part 3). `local`: the data folder only. `s3`: closed recording
   * files are uploaded to an S3 bucket created with Object Lock, each object with a COMPLIANCE
   * retention until the end of its legal retention and a legal hold mirrored from Vigil's holds;
   * local disk stays the write buffer, and every reader falls back to the store by ranged GETs.
   */
  storage: z
    .strictObject({
      backend: z.enum(['local', 's3']).default('local'),
      s3: z
        .strictObject({
          /** The S3 endpoint (Ceph radosgw, MinIO, …); unset: AWS's for the region. */
          endpoint: z.url().optional(),
          region: z.string().min(1).default('us-east-1'),
          /** Made with Object Lock at start if missing; one without Object Lock is refused. */
          bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)').optional(),
          /** Credentials; better from VIGIL_S3_ACCESS_KEY_ID / VIGIL_S3_SECRET_ACCESS_KEY than a file. Unset: the SDK's own chain. */
          accessKeyId: z.string().min(1).optional(),
          secretAccessKey: z.string().min(1).optional(),
          /** Path-style URLs (host/bucket/key), as Ceph and MinIO need without wildcard DNS. */
          forcePathStyle: z.boolean().default(true),
          /** Prepended to every object key. */
          keyPrefix: z.string().max(200).default(''),
          /** One request gives up after this long (the store unreachable must not hang a pass). */
          timeoutSeconds: z.number().int().min(1).max(600).default(30),
        })
        .prefault({}),
      /** Keep the local copy after upload (default: local disk is only the write buffer). */
      keepLocalCopy: z.boolean().default(false),
      /** How often the recorder uploads closed files and mirrors legal holds. */
      uploadIntervalSeconds: z.number().int().min(1).max(3600).default(10),
      /** Files uploaded at once by a recorder node. */
      uploadConcurrency: z.number().int().min(1).max(64).default(4),
    })
    .refine((s) => s.backend !== 's3' || s.s3.bucket !== undefined, { message: 'storage.backend "s3" needs storage.s3.bucket', path: ['s3', 'bucket'] })
    .refine((s) => (s.s3.accessKeyId === undefined) === (s.s3.secretAccessKey === undefined), { message: 'give both storage.s3.accessKeyId and storage.s3.secretAccessKey, or neither', path: ['s3'] })
    .prefault({}),
  simulator: z
    .strictObject({
      /** Simulated cameras started with the platform (0 = none). */
      cameras: z.number().int().min(0).max(1000).default(0),
      port: z.number().int().min(0).max(65535).default(8554),
    })
    .prefault({}),
  /**
   * Which camera sources may be opened (issue 14; src/domain/source-policy.ts). A source makes the
   * server read a file or connect out, so both are allow-lists.
   */
  media: z
    .strictObject({
      /**
       * Folders file:// sources may lie under (links followed). Default none: no file sources. Only
       * the system administrator may name one, and never anything inside the data folder.
       */
      fileSourceRoots: z.array(z.string().min(1).refine((p) => p.startsWith('/'), 'must be an absolute path')).max(50).default([]),
      /**
       * CIDR networks cameras may be reached in (rtsp://, rtsps://, onvif://, and the addresses
       * ONVIF reports and RTSP redirects to). Loopback, link-local, cloud metadata, unspecified,
       * multicast and reserved addresses stay refused unless a network listed here lies inside
       * them (e.g. "127.0.0.1/32"); "0.0.0.0/0" allows every ordinary address but none of those.
       */
      cameraNetworks: z
        .array(z.string().refine((c) => parseNetwork(c) !== null, 'must be a CIDR network such as 10.0.0.0/8'))
        .max(500)
        .default(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']),
    })
    .prefault({}),
  /** Live view in the browser (src/live). */
  live: z
    .strictObject({
      /**
       * Largest IP packet on the way to the browsers (bytes): a WebRTC viewer's RTP packets are made
       * to fit it with their IPv4, UDP, RTP and SRTP headers, so a picture goes in as few packets
       * as the path allows (each packet costs a send and an encryption). 1400 fits Ethernet with a
       * tunnel on the way (IPsec, WireGuard, GRE, PPPoE); 1500 for a plain Ethernet LAN; lower it
       * for a path that drops larger packets (a viewer then sees no picture).
       */
      pathMtu: z.number().int().min(576).max(9000).default(1400),
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
      /**
       * Failed sign-ins of one name from one address that cost nothing; after them each attempt
       * from there waits twice as long as the one before, from signInFirstDelaySeconds up to
       * lockoutMinutes. Failures are forgotten after lockoutWindowMinutes. No name is ever locked
       * for everyone: a stranger elsewhere slows only themselves.
       */
      lockoutFailures: z.number().int().min(1).max(100).default(5),
      lockoutWindowMinutes: z.number().min(1).max(24 * 60).default(15),
      lockoutMinutes: z.number().min(1).max(24 * 60).default(15),
      signInFirstDelaySeconds: z.number().min(0.1).max(3600).default(2),
      /** Failed sign-ins from one address, under any names, within the window that stop it trying. */
      signInFailuresPerAddress: z.number().int().min(1).max(100_000).default(30),
      /** API requests a source address, and an account, may make per minute (and in one burst). */
      apiRequestsPerMinute: z.number().int().min(10).max(1_000_000).default(1200),
      /** Refusals of unidentified callers: one register entry per address and kind per window, with a count. */
      refusalSummarySeconds: z.number().int().min(1).max(3600).default(60),
      /**
       * Roles that an administrator granting them to an account they created themselves cannot
       * put in force alone: a second administrator confirms (separation of duties).
       */
      secondAdministratorRoles: z.array(z.string()).default(['system_administrator', 'unit_administrator', 'supervisor', 'approver', 'auditor']),
      /** Life of a signed media URL. */
      streamTokenSeconds: z.number().int().min(5).max(600).default(60),
      /** Longest an approved access request stays valid. */
      maxApprovalHours: z.number().min(1).max(24 * 365).default(24 * 30),
    })
    .prefault({}),
  /** Complaints from the public (CN-25): anyone may file one, so each address and region has a limit. */
  complaints: z
    .strictObject({
      perAddressPerHour: z.number().int().min(1).max(10_000).default(5),
      perRegionPerDay: z.number().int().min(1).max(1_000_000).default(200),
      maxTextChars: z.number().int().min(100).max(8000).default(4000),
    })
    .prefault({}),
  /** GB/T 28181 platform (issue 18): the SIP server (type 200) devices and lower platforms register to. */
  gb28181: z
    .strictObject({
      /** This platform's 20-digit SIP ID (type 200); its first 10 digits are the SIP domain by default. */
      sipId: z.string().regex(/^\d{20}$/, 'must be 20 digits').default('34020000002000000001'),
      /** SIP domain (realm of the digest challenge); defaults to the first 10 digits of sipId. */
      domain: z.string().regex(/^\d{10}$/, 'must be 10 digits').optional(),
      /** Address the SIP server binds (UDP and TCP on one port). */
      host: z.string().min(1).default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(5060),
      /** Address devices can reach this platform at: written in Via/Contact and the SDP c= line. */
      publicAddress: z.string().min(1).default('127.0.0.1'),
      /** Media receiver ports (RTP over UDP, and TCP passive), inclusive. */
      mediaPortMin: z.number().int().min(1024).max(65535).default(30000),
      mediaPortMax: z.number().int().min(1024).max(65535).default(30999),
      /** Password for every device of the domain, unless the device has its own below. */
      domainPassword: z.string().min(1).max(128).optional(),
      /** Per-device passwords: 20-digit device ID → password. */
      devicePasswords: z.record(z.string().regex(/^\d{20}$/), z.string().min(1).max(128)).default({}),
      /** Keepalive defaults when a device does not say (GB/T 28181: 60 s, offline after 3 missed). */
      keepaliveSeconds: z.number().int().min(5).max(3600).default(60),
      keepaliveMissed: z.number().int().min(1).max(100).default(3),
      /** Longest registration accepted; a device asking more gets this. */
      maxExpiresSeconds: z.number().int().min(60).max(86_400 * 7).default(86_400),
      /** Where catalog channels go in the registry when their civil code names no region nor an ancestor (else the one top region). */
      defaultRegionId: z.number().int().positive().optional(),
      /** Place category given to new catalog channels (GB/T 28181 catalogs carry none). */
      placeCategory: z.string().min(1).max(64).default('road-key-sections'),
      /** Place categories of particular channels (20-digit channel ID → category): a channel in a prohibited category is flagged. */
      channelPlaceCategories: z.record(z.string().regex(/^\d{20}$/), z.string().min(1).max(64)).default({}),
      /** Catalog subscription to each registered lower platform (type 200), refreshed before it ends: shares granted or withdrawn there arrive at once. 0: none (the catalog is asked at registration only). */
      catalogSubscribeSeconds: z.number().int().min(0).max(86_400).default(3600),
      /** How long a device may take to answer a query (DeviceInfo, Catalog, RecordInfo); a catalog also ends after this long without its next message. */
      queryTimeoutSeconds: z.number().min(1).max(300).default(10),
      /** Playing a device's own recording in the browser (INVITE s=Playback). */
      devicePlayback: z
        .strictObject({
          /** How long the device may take to answer the playback INVITE. */
          answerSeconds: z.number().min(1).max(120).default(10),
          /** After its answer, how long the device may take to send the first picture. */
          firstPictureSeconds: z.number().min(1).max(120).default(10),
          /** No RTP from the device for this long while playing (not paused) and no BYE: the session ends, the device gets BYE and the viewer is told it stopped sending. */
          silentSeconds: z.number().min(1).max(600).default(10),
          /** Longest range one session asks the device for. */
          maxRangeMinutes: z.number().int().min(1).max(24 * 60).default(360),
        })
        .prefault({}),
      /** Gap backfill: downloading from a device's storage what Vigil's recording lacks. */
      backfill: z
        .strictObject({
          /** A download that brings nothing new for this long is abandoned (the range is left for another try). */
          stallSeconds: z.number().min(5).max(600).default(30),
          /** Gaps shorter than this are not backfilled. */
          minGapSeconds: z.number().min(0.5).max(3600).default(2),
          /** A long gap is downloaded in pieces of at most this many minutes each. */
          maxPieceMinutes: z.number().int().min(1).max(24 * 60).default(60),
        })
        .prefault({}),
    })
    .refine((g) => g.mediaPortMin <= g.mediaPortMax, { message: 'mediaPortMin must not be above mediaPortMax' })
    .prefault({}),
  /** Upward cascade (issue 19): this platform as a lower platform registering to upper platforms (the 'cascade' role). */
  cascade: z
    .strictObject({
      /** This platform's SIP ID towards upper platforms (type 200); defaults to gb28181.sipId. */
      sipId: z.string().regex(/^\d{20}$/, 'must be 20 digits').optional(),
      /** Address the cascade's SIP endpoint binds (UDP and TCP on one port, apart from the devices' port). */
      host: z.string().min(1).default('0.0.0.0'),
      /** Its SIP port (UDP and TCP); 0 picks a free one. */
      port: z.number().int().min(0).max(65535).default(5062),
      /** Address upper platforms can reach this platform at (Via, Contact). */
      publicAddress: z.string().min(1).default('127.0.0.1'),
      /** Catalog items in one MESSAGE of a Catalog answer (the rest follow, SumNum the total). */
      catalogItemsPerMessage: z.number().int().min(1).max(100).default(20),
      /** SIP requests one peer address may make per second on the cascade's listener; past it (and the burst), 503, registered once per burst. */
      floodRatePerSecond: z.number().min(1).max(10_000).default(50),
      /** Requests a peer may make at once before the rate applies. */
      floodBurst: z.number().int().min(1).max(100_000).default(200),
      /**
       * Largest IP packet on the way to the upper platforms (bytes): the RTP packets of a stream
       * sent upward carry as much PS as fits it with their IPv4, UDP and RTP headers (1,460 bytes
       * at 1,500), so a picture goes in as few packets, each one send, as the path allows. 1500 for
       * a plain Ethernet path; lower it for a tunnel on the way (IPsec, GRE, PPPoE: 1400), else
       * the upper gets fragments or nothing. Over TCP the packets are the same size.
       */
      mediaPathMtu: z.number().int().min(576).max(9000).default(1500),
      /**
       * Cameras kept open for the upper platforms, so an upper's live INVITE starts at the GOP the
       * stream hub holds instead of waiting up to a GOP for the camera's next keyframe: 'none'
       * (opened on INVITE), 'key-positions' (cameras marked key positions, 重点部位, among those
       * shared live with a registered upper) or 'live-shared' (every camera shared live with one).
       * Each camera kept open is pulled all the time, watched or not (bench:cascade prints its
       * cost); one the recorder of the process records costs nothing more.
       */
      keepOpen: z.enum(['none', 'key-positions', 'live-shared']).default('none'),
      /** How often a process renews the emergency connections it holds; one silent for three of these (its process crashed) is taken over by the API process: resumed, or closed if its period ended. */
      emergencyHeartbeatSeconds: z.number().min(0.2).max(60).default(5),
      /** Upper platforms to register to; each sees only the cameras shared with its SIP ID. */
      uppers: z
        .array(
          z.strictObject({
            name: z.string().min(1).max(200),
            /** The upper platform's 20-digit SIP ID; shares name it as their recipient. */
            sipId: z.string().regex(/^\d{20}$/, 'must be 20 digits'),
            /** Its SIP domain (digest realm); defaults to the first 10 digits of its SIP ID. */
            domain: z.string().regex(/^\d{10}$/, 'must be 10 digits').optional(),
            address: z.string().min(1),
            port: z.number().int().min(1).max(65535).default(5060),
            transport: z.enum(['UDP', 'TCP']).default('UDP'),
            /** The password the upper platform gave this platform. */
            password: z.string().min(1).max(128),
            keepaliveSeconds: z.number().min(0.1).max(3600).default(60),
            /** Keepalives that may go unanswered before registering again. */
            keepaliveMissed: z.number().int().min(1).max(100).default(3),
            registerExpiresSeconds: z.number().int().min(60).max(86_400).default(3600),
            /** Wait before registering again after a failure. */
            retrySeconds: z.number().min(0.1).max(3600).default(30),
            /**
             * Not connected normally: the interface is ready and `vigil cascade connect` connects it
             * for a stated period under an approval (emergency connection, R2.1, R2.3).
             */
            onDemand: z.boolean().default(false),
          }),
        )
        .default([]),
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
