// Use cases of GB/T 28181 device access (issue 18): registration, keepalive and going offline,
// DeviceInfo/DeviceStatus, and the catalog into the camera registry. The catalog goes through the
// registry's own use cases, so a GB channel obeys the rules an API call does (national ID type,
// region, prohibited place categories with their articles), and every change is registered.
import type { Clock } from '../domain/clock.js';
import { isGroupType, parseNationalId } from '../domain/national-id.js';
import type { GbChannel, GbDevice, GbDeviceRepository } from '../db/gb-device.repository.js';
import type { OrganisationRepository } from '../db/organisation.repository.js';
import type { CameraGroupRepository } from '../db/camera-group.repository.js';
import type { CameraRepository } from '../db/camera.repository.js';
import { Errors, isVigilError } from '../errors.js';
import type { Registry } from '../registry/index.js';
import type { RecordChange } from '../registry/registry-change.js';
import { coordinate, deviceTypeOf, installDate, type CatalogItem } from './catalog.js';
import { offlineReason } from './keepalive.js';

export interface GbSettings {
  sipId: string;
  domain: string;
  domainPassword?: string | undefined;
  devicePasswords: Record<string, string>;
  keepaliveSeconds: number;
  keepaliveMissed: number;
  maxExpiresSeconds: number;
  defaultRegionId?: number | undefined;
  placeCategory: string;
  channelPlaceCategories: Record<string, string>;
}

export interface GbDeviceServiceDeps {
  repo: GbDeviceRepository;
  cameras: CameraRepository;
  groups: CameraGroupRepository;
  organisations: OrganisationRepository;
  registry: Registry;
  settings: GbSettings;
  clock: Clock;
  /** Registers a registry change made on a device's behalf, in its transaction. */
  recordChange: (deviceId: string) => RecordChange;
  /** Registers a refusal (a channel kept out of the registry) once. */
  recordRefusal: (deviceId: string, channelId: string, error: Error) => Promise<void>;
}

export interface CatalogOutcome {
  cameras: number;
  groups: number;
  refused: { channelId: string; reason: string; articles: string[] }[];
}

/** Why a device may not register with this ID, or undefined. */
export function deviceIdProblem(id: string): string | undefined {
  const parsed = parseNationalId(id);
  if (!parsed.ok) return parsed.reason;
  const type = Number(parsed.id.type);
  if (isGroupType(id) || type < 111 || type >= 300) return `type code ${parsed.id.type} (${parsed.id.typeName.en}) is not a device or platform that registers`;
  return undefined;
}

export class GbDeviceService {
  /** Catalogs are applied one at a time (see applyCatalog). */
  private catalogs: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: GbDeviceServiceDeps) {}

  /** The digest password of a device: its own, else the domain's; undefined refuses it. */
  passwordFor(deviceId: string): string | undefined {
    return this.deps.settings.devicePasswords[deviceId] ?? this.deps.settings.domainPassword;
  }

  async register(r: { deviceId: string; transport: 'UDP' | 'TCP'; address: string; port: number; charset: 'GB2312' | 'UTF-8'; expiresSeconds: number }): Promise<{ device: GbDevice; expiresSeconds: number; isNew: boolean }> {
    const now = this.deps.clock.now();
    const expiresSeconds = Math.min(r.expiresSeconds, this.deps.settings.maxExpiresSeconds);
    const before = await this.deps.repo.get(r.deviceId);
    const device = await this.deps.repo.register(
      { deviceId: r.deviceId, transport: r.transport, address: r.address, port: r.port, charset: r.charset, expiresAt: now + expiresSeconds * 1000, keepaliveSeconds: this.deps.settings.keepaliveSeconds, keepaliveMissed: this.deps.settings.keepaliveMissed },
      now,
      undefined,
      before ?? null,
    );
    return { device, expiresSeconds, isNew: !before || !before.online };
  }

  /** Expires: 0 (注销). */
  async unregister(deviceId: string): Promise<void> {
    await this.deps.repo.setOnline(deviceId, false, this.deps.clock.now(), 'unregistered');
  }

  /** False for a device that is not registered (it must REGISTER again). */
  async keepalive(deviceId: string, remote: { address: string; port: number }): Promise<boolean> {
    const now = this.deps.clock.now();
    // The usual case (a thousand devices every minute or so) is one conditional write.
    if (await this.deps.repo.keepaliveIfCurrent(deviceId, remote.address, remote.port, now)) return true;
    const d = await this.deps.repo.get(deviceId);
    if (!d || !d.online || d.expiresAt <= now) return false;
    if (d.address !== remote.address || d.port !== remote.port) {
      await this.deps.repo.register({ ...d, address: remote.address, port: remote.port, expiresAt: d.expiresAt }, now, undefined, d);
    }
    await this.deps.repo.keepalive(deviceId, now);
    return true;
  }

  /** Marks offline every device whose keepalives stopped or whose registration ran out. */
  async sweep(): Promise<{ deviceId: string; reason: string }[]> {
    const now = this.deps.clock.now();
    const gone: { deviceId: string; reason: string }[] = [];
    for (const d of await this.deps.repo.list()) {
      if (!d.online) continue;
      const reason = offlineReason(d, now);
      if (!reason) continue;
      await this.deps.repo.setOnline(d.deviceId, false, now, reason === 'expired' ? 'registration expired' : `${d.keepaliveMissed} keepalives missed`);
      gone.push({ deviceId: d.deviceId, reason });
    }
    return gone;
  }

  async deviceInfo(deviceId: string, info: { name?: string; manufacturer?: string; model?: string; firmware?: string }): Promise<void> {
    await this.deps.repo.setInfo(deviceId, { name: info.name ?? null, manufacturer: info.manufacturer ?? null, model: info.model ?? null, firmware: info.firmware ?? null }, this.deps.clock.now());
  }

  async deviceStatus(deviceId: string, status: Record<string, string>): Promise<void> {
    await this.deps.repo.setStatus(deviceId, status, this.deps.clock.now());
  }

  /** The device whose catalog listed a channel, or undefined. */
  async channelOwner(channelId: string): Promise<string | undefined> {
    return (await this.deps.repo.channel(channelId))?.device;
  }

  /** One device by its SIP ID (a point read: queries to one device must not list them all). */
  async device(deviceId: string): Promise<GbDevice | undefined> {
    return this.deps.repo.get(deviceId);
  }

  async devices(): Promise<GbDevice[]> {
    return this.deps.repo.list();
  }

  async channels(deviceId: string): Promise<GbChannel[]> {
    const d = await this.deps.repo.get(deviceId);
    return d ? this.deps.repo.channels(d.id) : [];
  }

  /**
   * A catalog (query answer or NOTIFY) into the registry: groups (215/216) first, parents before
   * children, then channels as camera points through the registry's use cases.
   */
  /**
   * `complete`: the items are a whole catalog answer (all SumNum came), so a channel the device
   * listed before and lists no more (a lower platform's withdrawn share) is taken off it.
   */
  applyCatalog(deviceId: string, items: CatalogItem[], options: { complete?: boolean } = {}): Promise<CatalogOutcome> {
    // One catalog at a time, yielding to I/O between items. The database is synchronous on SQLite
    // and one connection's queue on both dialects: fifty devices registering together used to
    // apply fifty catalogs at once, and every REGISTER and Keepalive behind them waited for all
    // of those transactions (and the event loop for their statements) before it was answered.
    const run = this.catalogs.then(() => this.applyCatalogNow(deviceId, items, options.complete ?? false));
    this.catalogs = run.catch(() => undefined);
    return run;
  }

  private async applyCatalogNow(deviceId: string, items: CatalogItem[], complete: boolean): Promise<CatalogOutcome> {
    const device = await this.deps.repo.get(deviceId);
    if (!device) return { cameras: 0, groups: 0, refused: [] };
    const out: CatalogOutcome = { cameras: 0, groups: 0, refused: [] };
    const now = () => this.deps.clock.now();
    const groupsFirst = [...items].sort((a, b) => rank(a) - rank(b));
    const regions = await this.regionsByCivilCode();
    // The channels as the device last listed them: an item that changes nothing is not written
    // again (a device re-registering, a lower platform's periodic catalog of thousands of items).
    const known = new Map((await this.deps.repo.channels(device.id)).map((c) => [c.channelId, c]));
    for (const item of groupsFirst) {
      await yieldToIo();
      const base = { channelId: item.deviceId, name: item.name, parentId: item.parentId, status: item.status, cameraId: null as number | null, groupId: null as number | null, refusal: null as string | null, articles: [] as string[], item: item.fields };
      if (item.event === 'DEL') {
        await this.deps.repo.deleteChannel(device.id, item.deviceId);
        continue;
      }
      if (item.event === 'ON' || item.event === 'OFF' || item.event === 'VLOST' || item.event === 'DEFECT') {
        await this.deps.repo.setChannelStatus(device.id, item.deviceId, item.event === 'ON' ? 'ON' : item.event, now());
        if (Object.keys(item.fields).length <= 2) continue;
      }
      try {
        if (isGroupType(item.deviceId)) {
          base.groupId = await this.ensureGroup(deviceId, item);
          out.groups++;
        } else {
          const type = item.deviceId.slice(10, 13);
          if (!/^\d{20}$/.test(item.deviceId) || (type !== '131' && type !== '132')) {
            base.refusal = /^\d{20}$/.test(item.deviceId) ? `type code ${type} is not a camera (131/132): kept as a catalog node only` : 'not a 20-digit national ID: an administrative-region node or a non-standard ID, kept as a catalog node only';
          } else {
            base.cameraId = await this.ensureCamera(deviceId, item, regions, known.get(item.deviceId));
            out.cameras++;
          }
        }
      } catch (e) {
        if (!isVigilError(e)) throw e;
        base.refusal = e.message;
        base.articles = e.articles;
        out.refused.push({ channelId: item.deviceId, reason: e.message, articles: e.articles });
        await this.deps.recordRefusal(deviceId, item.deviceId, e);
      }
      const before = known.get(item.deviceId);
      if (!before || !sameChannel(before, base)) await this.deps.repo.upsertChannel(device.id, base, now());
    }
    if (complete) {
      const listed = new Set(items.map((i) => i.deviceId));
      // Channels this catalog added are listed; the ones it dropped were known before it.
      for (const ch of known.values()) if (!listed.has(ch.channelId)) await this.deps.repo.deleteChannel(device.id, ch.channelId);
    }
    return out;
  }

  private async regionsByCivilCode(): Promise<Map<string, number>> {
    const map = new Map<string, number>();
    const platforms = await this.deps.organisations.list({ kind: 'platform' });
    for (const o of platforms) if (o.regionCode) map.set(o.regionCode, o.id);
    // A code with no known region nor ancestor here (a lower platform across a boundary) still
    // lands somewhere a person sees it: the default region, else the registry's one top region.
    // The console shows the channel's own code beside it (src/access/camera-view.ts `viaOf`).
    const roots = platforms.filter((o) => o.parentId === null);
    if (roots.length === 1) map.set(TOP_REGION, roots[0]!.id);
    return map;
  }

  private regionFor(civilCode: string | null, regions: Map<string, number>): number | undefined {
    if (civilCode) for (const len of [6, 4, 2]) {
      const hit = regions.get(civilCode.slice(0, len).padEnd(6, '0')) ?? regions.get(civilCode.slice(0, len));
      if (hit) return hit;
    }
    return this.deps.settings.defaultRegionId ?? regions.get(TOP_REGION);
  }

  /**
   * The region a known camera moves to when the lower platform placed its channel elsewhere: its
   * CivilCode differs from the one of the device's last catalog (a NOTIFY UPDATE, a new catalog
   * answer) or the channel is added again (DEL then ADD). A code that did not change moves
   * nothing, so a region set by hand in this registry stands until the lower moves the channel.
   * No code, or one that names no region here with no fallback: the camera stays where it is.
   */
  private moved(regionId: number, civilCode: string | null, lastCode: string | null | undefined, regions: Map<string, number>): { regionId?: number } {
    const code = civilCodeOf(civilCode);
    if (!code || code === lastCode) return {};
    const to = this.regionFor(code, regions);
    return to !== undefined && to !== regionId ? { regionId: to } : {};
  }

  private async ensureGroup(deviceId: string, item: CatalogItem): Promise<number> {
    const existing = await this.deps.groups.getByGbId(item.deviceId);
    if (existing) return existing.id;
    const kind = item.deviceId.slice(10, 13) === '215' ? 'business_group' : 'virtual_organisation';
    let parentId: number | null = null;
    if (kind === 'virtual_organisation') {
      const parentGb = item.parentId && isGroupType(item.parentId) ? item.parentId : item.fields['BusinessGroupID'];
      const parent = parentGb ? await this.deps.groups.getByGbId(parentGb) : undefined;
      parentId = parent?.id ?? null;
    }
    const g = await this.deps.registry.groups.create({ gbId: item.deviceId, kind, name: item.name, parentId }, this.deps.recordChange(deviceId));
    return g.id;
  }

  /**
   * `before`: the channel as this device last listed it (undefined: new to this device, or deleted
   * and added again); its CivilCode tells whether the device moved the channel.
   */
  private async ensureCamera(deviceId: string, item: CatalogItem, regions: Map<string, number>, before: GbChannel | undefined): Promise<number> {
    const f = item.fields;
    const catalogOwned = {
      name: item.name.slice(0, 200),
      deviceType: deviceTypeOf(f['PTZType'] ?? f['Info/PTZType']),
      longitude: coordinate(f['Longitude'], 180),
      latitude: coordinate(f['Latitude'], 90),
      address: (f['Address'] || item.name).slice(0, 500),
      sourceUrl: `gb28181://${deviceId}/${item.deviceId}`,
    };
    const existing = await this.deps.cameras.getByGbId(item.deviceId);
    let cameraId: number;
    if (existing) {
      // A camera whose catalog-owned fields (and region, unless the device moved the channel) are
      // already as the item gives them is not updated: no registry change for what did not change.
      const lastCode = before ? civilCodeOf(before.item['CivilCode']) : undefined;
      const patch = { ...catalogOwned, ...this.moved(existing.regionId, item.civilCode, lastCode, regions) };
      const same = (Object.keys(patch) as (keyof typeof patch)[]).every((k) => existing[k] === patch[k]);
      cameraId = same ? existing.id : (await this.deps.registry.cameras.update(existing.id, patch, this.deps.recordChange(deviceId))).id;
      // Its group membership was set when the channel came under this parent.
      if (before?.cameraId === cameraId && before.parentId === item.parentId) return cameraId;
    } else {
      const regionId = this.regionFor(item.civilCode, regions);
      if (regionId === undefined) {
        throw Errors.validation(`civil code ${item.civilCode ?? '(none)'} names no region in the registry, gb28181.defaultRegionId is not set and the registry has no single top region`);
      }
      const camera = await this.deps.registry.cameras.register(
        {
          gbId: item.deviceId,
          ...catalogOwned,
          directionDeg: null,
          fovDeg: null,
          placeCategory: this.deps.settings.channelPlaceCategories[item.deviceId] ?? this.deps.settings.placeCategory,
          keyPosition: false,
          regionId,
          ownerUnitId: null,
          userUnitId: null,
          managingUnitId: null,
          maintainerUnitId: null,
          funding: 'government',
          signage: false,
          inServiceDate: installDate(f['InstallTime']),
          status: 'planned',
        },
        this.deps.recordChange(deviceId),
      );
      cameraId = camera.id;
    }
    const parentGroup = item.parentId && isGroupType(item.parentId) ? await this.deps.groups.getByGbId(item.parentId) : undefined;
    if (parentGroup) await this.deps.registry.groups.setMembers(parentGroup.id, [cameraId], [], this.deps.recordChange(deviceId));
    return cameraId;
  }
}

/** Whether a channel row already holds what this catalog item would write. */
function sameChannel(a: GbChannel, b: { name: string; parentId: string | null; status: string; cameraId: number | null; groupId: number | null; refusal: string | null; articles: string[]; item: Record<string, string> }): boolean {
  return a.name === b.name && a.parentId === b.parentId && a.status === b.status && a.cameraId === b.cameraId && a.groupId === b.groupId && a.refusal === b.refusal
    && JSON.stringify(a.articles) === JSON.stringify(b.articles) && JSON.stringify(a.item) === JSON.stringify(b.item);
}

/** A catalog item's CivilCode, trimmed; null when it gives none. */
function civilCodeOf(code: string | null | undefined): string | null {
  return code?.trim() || null;
}

/** Key of the registry's single top region in the map of regions by civil code. */
const TOP_REGION = 'top';

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Business groups, then virtual organisations, then everything else. */
function rank(item: CatalogItem): number {
  const t = item.deviceId.slice(10, 13);
  return t === '215' ? 0 : t === '216' ? 1 : 2;
}
