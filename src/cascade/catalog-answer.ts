// The Catalog answer a lower platform sends upward (GB/T 28181-2016 §9.5.2, §A.2.6): the shared
// cameras as Items whose ParentID is this platform, split over several MESSAGEs of at most `per`
// items, each carrying SumNum (the total) and DeviceList Num (its own count). Pure.
import type { Camera } from '../db/camera.repository.js';
import type { XmlNode } from '../media/sip/xml.js';

/** GB/T 28181 PTZType: 1 球机, 2 半球, 3 固定枪机, 6 多目 (WVP's reading of Annex A). */
const PTZ_TYPE: Record<Camera['deviceType'], number | undefined> = { ptz: 1, dome: 2, fixed: 3, multi_sensor: 6, other: undefined };

export interface CatalogChannel {
  camera: Camera;
  /** 6-digit administrative code of the camera's region, else the first 6 digits of its ID. */
  civilCode: string;
  online: boolean;
}

/** One Catalog Item: the fields WVP and devices fill; `Event` only in NOTIFY (ADD, DEL, UPDATE…). */
export function catalogItem(ch: CatalogChannel, parentId: string, event?: string): XmlNode {
  const c = ch.camera;
  const item: XmlNode = {
    DeviceID: c.gbId,
    ...(event ? { Event: event } : {}),
    Name: c.name,
    Manufacturer: 'Vigil',
    Model: c.deviceType,
    Owner: 'Owner',
    CivilCode: ch.civilCode,
    Address: c.address,
    Parental: 0,
    ParentID: parentId,
    SafetyWay: 0,
    RegisterWay: 1,
    Secrecy: 0,
    Status: ch.online ? 'ON' : 'OFF',
  };
  if (c.longitude !== null && c.latitude !== null) {
    item['Longitude'] = c.longitude;
    item['Latitude'] = c.latitude;
  }
  const ptz = PTZ_TYPE[c.deviceType];
  if (ptz !== undefined) item['Info'] = { PTZType: ptz };
  // 2022: the filed in-service date, so the upper's register of points carries it too.
  if (c.inServiceDate && /^\d{4}-\d{2}-\d{2}$/.test(c.inServiceDate)) item['InstallTime'] = `${c.inServiceDate}T00:00:00`;
  return item;
}

/** The fields (after CmdType, SN, DeviceID) of each MESSAGE of a Catalog answer; one empty list when nothing is shared. */
export function catalogPages(items: XmlNode[], per: number): XmlNode[] {
  if (per < 1) throw new RangeError('per must be at least 1');
  const pages: XmlNode[] = [];
  for (let i = 0; i === 0 || i < items.length; i += per) {
    const page = items.slice(i, i + per);
    pages.push({ SumNum: items.length, DeviceList: { $attrs: { Num: page.length }, ...(page.length ? { Item: page } : {}) } });
  }
  return pages;
}
