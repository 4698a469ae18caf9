// Every command's usage, as `vigil help` and `--help` print it. Apart from the commands on purpose:
// printing a usage loads this file and the few constants it names, never a command's code (the
// database, the server, the S3 library), so `vigil --help` and a usage error start at once.
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from '../audit/entry.js';
import { PERMISSIONS, ROLES } from '../access/permissions.js';
import { DEFAULT_SERVICES } from '../config/roles.js';

export const serveHelp = `vigil serve [--demo]
  Runs the roles in the configuration's "services" (VIGIL_SERVICES; default: ${DEFAULT_SERVICES.join(', ')}).
  Every serving process also keeps the access register's timers.
  --demo   run simulated cameras (VIGIL_SIM_CAMERAS, default 4) and, when the registry is empty,
           seed a demo city whose camera points are those cameras`;

export const auditHelp = `vigil audit <command>          the access register (R4.5, R5.2)
  verify [--checkpoints FILE] [--public-key FILE] [--json]
                     walk the whole chain; exit 1 and name the first broken entry if any
  export-checkpoints [FILE] [--after SEQ]
                     signed checkpoints as JSON lines, to copy off the box (stdout when no file)
  public-key         the platform public key (PEM) that checkpoints are signed with
  search [FILTER] [--limit N] [--cursor SEQ] [--json]
  export --format csv|pdf [--out FILE] [FILTER] [--utc-offset MINUTES]
  FILTER: --from TIME --to TIME (ISO 8601 or epoch ms) --actor USER_ID --camera CAMERA_ID
          --organisation ID (only entries about its subtree: its cameras, its people)
          --action ${AUDIT_ACTIONS.join('|')} --outcome ${AUDIT_OUTCOMES.join('|')} --approval ID`;

export const cameraHelp = `vigil camera <command>
  list   [--region ID] [--unit ID] [--category C] [--status S] [--q TEXT] [--limit N] [--offset N] [--json]
  add    --json FILE|-   (a camera point as JSON; see the API's POST /api/v1/cameras)
  update ID --json FILE|-   (changed fields only, as PATCH /api/v1/cameras/ID; a camera of a system not accepted stays out of service)
  show   ID
  import FILE.csv      (all rows or none; every bad row is reported)
  export [FILE.csv]    (stdout when no file)
  check-sources [--json]  (stored sources the source policy now refuses; exit 1 when there are any)`;

export const cascadeHelp = `vigil cascade <command>
  connect --request ID --login LOGIN [--totp CODE]
    Emergency connection: opens the connection of the approved connection request ID (an upper
    platform configured in cascade.uppers with onDemand: true, for the request's period), signed
    in as LOGIN (its requester, or one who approves such requests; password from VIGIL_PASSWORD or
    stdin); ends by itself at the end of the period, or on Ctrl-C. Opening and end are registered.`;

export const clusterHelp = `vigil cluster <command>
  status [--cameras] [--json]
    Recorder nodes: alive (heartbeat within the lease time, by the database's clock), capacity,
    cameras held, heartbeat age, when the soonest lease runs out; cameras nobody records now.
    --cameras also lists which node records each camera, under which epoch.
  priority CAMERA N
    A camera's recording priority (-1000..1000, default 0): when the nodes' capacity runs short,
    higher priorities are recorded first.`;

export const eventsHelp = `vigil events --login LOGIN [--totp CODE] [--server URL] [filters]
  --from TIME --to TIME    the range events started in (ISO 8601 such as 2026-12-05T08:00+08:00, or
                           epoch milliseconds); default the last 24 hours
  --camera ID              a camera (repeat for several); default every camera one may see
  --org ID                 the cameras of an organisation's subtree
  --kind KIND              gap, connected, disconnected, clock_jump, error (the recording's), finding,
                           offline, recovered, suspicious_event, device_alarm, … (repeat for several)
  --severity LEVEL         info, warning or critical (repeat for several)
  --limit N                events a page (1-200, default 50); --all follows every page
  --json                   the pages as JSON
  Newest first. Signs in to the running server as LOGIN, password from VIGIL_PASSWORD or stdin;
  or with VIGIL_API_TOKEN. One sees the events of the cameras one may watch or whose basic
  information one reads; naming a camera or organisation outside that is refused and registered.`;

export const exportHelp = `vigil export --request ID --camera ID --from TIME --to TIME --login LOGIN [--totp CODE]
                     write an evidence package (original MP4, signed manifest, proofs, verify.html)
                     as an officer of an approved copy/retrieve request; password from
                     VIGIL_PASSWORD or stdin; Ctrl+C cancels`;

export const gbBackfillHelp = `  backfill CAMERA (--from TIME --to TIME [--plan] [--no-wait] | --list) --login LOGIN [--totp CODE] [--server URL]
    Backfill (补录): where our recording of the camera has a gap in the span that its GB/T 28181
    device's own recording covers, download it into the recording (marked as from the device,
    hashed, Merkle-logged; never over footage we hold). --plan only shows what would be
    downloaded. Waits until done unless --no-wait. Through the running server's API: password from
    VIGIL_PASSWORD or stdin, or VIGIL_API_TOKEN; needs playback of the camera; registered.
    --list shows the camera's backfills, kept across restarts: one the server's stop cut off is
    "interrupted" (the range it was downloading left nothing).`;

export const gbHelp = `vigil gb <command>
  devices [--json]
    Registered GB/T 28181 devices and lower platforms: ID, online, transport and address, last
    keepalive, manufacturer and model (DeviceInfo), the last error.
  channels DEVICE [--json]
    The channels of a device's last catalog: national ID, name, status, the camera point it became,
    or why the registry refused it (with the articles).
  catalog DEVICE [--json]
    Every field of every item of the device's last catalog (2016 and 2022 fields, Info/ fields).
${gbBackfillHelp}`;

export const onvifHelp = `vigil onvif probe [--timeout MS] [--interface ADDRESS] [--target HOST[:PORT]]
  Sends a WS-Discovery probe on the local network (or to one host) and lists the ONVIF cameras
  that answer at addresses the camera source policy allows (media.cameraNetworks).
vigil onvif profiles --address http://HOST/onvif/device_service [--user U --password P] [--json]
  Lists a camera's media profiles (codec, size, frame rate) with their RTSP addresses; the device
  must lie where the camera source policy allows.`;

export const orgHelp = `vigil org <command>
  list [--kind platform|unit] [--subtree ID] [--json]
  add  --kind platform --name NAME --level province|city|district|station [--parent ID] [--region-code CODE] [--profile ID] [--gb-id ID]
  add  --kind unit --name NAME --roles builder,user,managing,maintainer --parent REGION_ID
  show ID`;

export const profileHelp = `vigil profile <command>
  list        the jurisdiction profiles (the deployment default is marked *)
  show ID     one profile with inheritance resolved, every value with its article`;

export const ptzHelp = `vigil ptz CAMERA <command> --login LOGIN [--totp CODE] [--server URL]
  move [--pan left|right] [--tilt up|down] [--zoom in|out] [--speed 0-255] [--zoom-speed 0-15] [--for MS]
    Start moving (GB/T 28181 PTZCmd); with --for, stop after MS milliseconds.
  zoom in|out [--zoom-speed 0-15] [--for MS]
  stop
  preset set|goto|remove N
    Store the current position as preset N (1-255), go to it, or remove it.
  Signs in to the running server (default the configured http host and port) as LOGIN, password
  from VIGIL_PASSWORD or stdin; or with VIGIL_API_TOKEN. Needs ptz:control on the camera; every
  command is registered.`;

export const releaseHelp = `vigil release <subcommand> --login LOGIN [--totp CODE] …   public releases (公开发布, CN799-22)
  list --request ID        the releases made under a release request
  show ID                  one release: state, progress, caption and its profile, tracks, hashes
  mask --request ID --camera ID --from TIME --to TIME [--style solid|pixelate|blur] [--no-caption]
                           start masking a range under an approved release request (its requester);
                           waits with a progress bar; Ctrl+C cancels
  add-region ID --frames FROM-TO --box X,Y,W,H [--to-box X,Y,W,H]
                           mask a region the detectors missed (moving to --to-box by the last frame)
                           and mask the clip again
  remove-track ID --track N
                           a track that is not what it seemed: unmasked, and the clip masked again
  approve ID               the custodian's head approves the masked clip they watched
  download ID --out DIR    the released file, its manifest and signature, into DIR, then checked:
                           the file's SHA-256 against the manifest, the manifest's signature`;

export const simHelp = `vigil sim --cameras N [--port 8554] [--host 127.0.0.1] [--control-port 8555] [--fault camK=MODE …] [--keyframe-on-demand]
  Serves N simulated RTSP cameras at rtsp://host:port/cam1 … camN (H.264 1280x720, 25 fps,
  ~3 Mbit/s, wall-clock time burned in). Faults: none, drop, stall, black, frozen, moved; change
  them at run time with  curl -X POST http://host:control-port/cameras/cam3/fault -d '{"mode":"drop"}'
  Each camera is also an ONVIF device at http://host:control-port/onvif/camK/device_service.
  --keyframe-on-demand: cameras (and GB channels) asked for a keyframe (ONVIF SetSynchronizationPoint,
  GB/T 28181 IFameCmd) send an IDR next, as real encoders do; costs one more encoder.
vigil sim --cameras N --gb28181 HOST:PORT --gb-password P [--gb-id 34020000001180000001] [--gb-platform-id 34020000002000000001] [--gb-tcp]
  Also registers the cameras as the channels (…131000000K) of one simulated GB/T 28181 NVR to the
  platform's SIP server at HOST:PORT: digest REGISTER, keepalives, Catalog answers, INVITE answered
  with the live picture in PS over RTP (UDP or TCP, as the platform asks).`;

export const userHelp = `vigil user <command>
  list [--json]
  add    --login NAME --name DISPLAY [--work-id ID] [--org ID]   (prints a generated password once)
  passwd LOGIN                                                 (new generated password, printed once; signs out everywhere)
  grant  LOGIN ROLE [--org ID]      roles: ${ROLES.join(', ')}; no --org = the whole platform
  revoke GRANT_ID
  token  LOGIN --permissions P,P [--org ID] [--days N] [--name TEXT]   (prints the token once)
         permissions: ${PERMISSIONS.join(', ')}`;

export const verifyHelp = `vigil verify [--camera ID] [--from TIME --to TIME] [--json]
                     re-read recordings against the index and the signed Merkle logs; exit 1 and
                     name the first bad position (flipped bit, cut, added, reordered, deleted)
vigil verify-export PACKAGE [--public-key FILE] [--json]
                     check an evidence package offline (signatures, hashes, inclusion proofs)
vigil tree-heads [FILE] [--camera ID] [--after ID]
                     signed tree heads as JSON lines, to copy off the box (stdout when no file)`;

/** `vigil help`: every command, then each one's usage. */
export const topHelp = `vigil — public security video image information system

Usage: vigil [--config FILE] <command> [options]

  serve [--demo]     run the platform (API, console, recorder); --demo adds simulated cameras
  migrate            bring the database schema up to date
  org …              platforms and units          (vigil org help)
  camera …           the camera registry          (vigil camera help)
  profile …          jurisdiction profiles        (vigil profile help)
  user …             accounts, roles, API tokens  (vigil user help)
  audit …            verify and search the access register (vigil audit help)
  verify …           re-read recordings against the signed Merkle logs; verify-export PACKAGE
  export …           an evidence package under an approved copy/retrieve request
  release …          public releases: mask, review, approve, download (vigil release help)
  sim --cameras N    serve N simulated RTSP cameras (vigil sim help)
  onvif …            find cameras, read their profiles (vigil onvif help)
  gb …               GB/T 28181 devices, their catalogs, backfill (vigil gb help)
  ptz CAMERA …       steer a GB/T 28181 camera: move, zoom, stop, presets (vigil ptz help)
  events …           alarms and recording events across cameras by time and kind (vigil events help)
  cascade connect …  emergency connection to an upper platform (vigil cascade help)
  cluster …          recorder nodes, their leases and cameras (vigil cluster help)

Configuration: vigil.config.json in the working folder, --config FILE, or VIGIL_* variables
(VIGIL_DATABASE_URL=postgres://… for PostgreSQL; VIGIL_DATA_DIR, VIGIL_PORT, VIGIL_PROFILE).

${serveHelp}
${orgHelp}
${cameraHelp}
${profileHelp}
${userHelp}
${auditHelp}
${verifyHelp}
${exportHelp}
${releaseHelp}
${simHelp}
${onvifHelp}
${gbHelp}
${ptzHelp}
${eventsHelp}
${cascadeHelp}
${clusterHelp}
`;
