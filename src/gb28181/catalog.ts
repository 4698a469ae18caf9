// Catalog items (GB/T 28181-2016 §A.2.4.2 and the 2022 additions) read from a Catalog response or
// NOTIFY into flat records, and the channel → camera point mapping the registry is given.
import { child, childText, children, type XmlElement } from '../media/sip/xml.js';

export type CatalogEvent = 'ON' | 'OFF' | 'VLOST' | 'DEFECT' | 'ADD' | 'DEL' | 'UPDATE';
const EVENTS = new Set<CatalogEvent>(['ON', 'OFF', 'VLOST', 'DEFECT', 'ADD', 'DEL', 'UPDATE']);

export interface CatalogItem {
  deviceId: string;
  name: string;
  parentId: string | null;
  civilCode: string | null;
  status: string;
  /** Set in NOTIFY (subscriptions): what happened to the item. */
  event: CatalogEvent | null;
  /** Every field, `Info/` ones prefixed, values trimmed. */
  fields: Record<string, string>;
}

/** Reads `<DeviceList><Item>…` of a Catalog response or NOTIFY. */
export function catalogItems(root: XmlElement): CatalogItem[] {
  const out: CatalogItem[] = [];
  for (const item of children(child(root, 'DeviceList'), 'Item')) {
    const fields: Record<string, string> = {};
    for (const c of item.children) {
      if (c.children.length) for (const g of c.children) fields[`${c.name}/${g.name}`] = g.text;
      else fields[c.name] = c.text;
    }
    const deviceId = childText(item, 'DeviceID') ?? '';
    const ev = (childText(item, 'Event') ?? '').toUpperCase() as CatalogEvent;
    out.push({
      deviceId,
      name: childText(item, 'Name') || deviceId,
      parentId: firstParent(childText(item, 'ParentID')),
      civilCode: childText(item, 'CivilCode') || null,
      status: (childText(item, 'Status') || 'ON').toUpperCase(),
      event: EVENTS.has(ev) ? ev : null,
      fields,
    });
  }
  return out;
}

/** ParentID may list several parents separated by "/" (a channel in a group and under its NVR). */
function firstParent(v: string | undefined): string | null {
  if (!v) return null;
  const parts = v.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? null;
}

/** PTZType (1 dome, 2 half dome, 3 fixed bullet, 4 remote bullet, 5 remote half dome, 6/7 multi-lens) → the registry's device types. */
export function deviceTypeOf(ptzType: string | undefined): 'fixed' | 'dome' | 'ptz' | 'multi_sensor' | 'other' {
  switch (ptzType) {
    case '1':
    case '4':
      return 'ptz';
    case '2':
    case '5':
      return 'dome';
    case '3':
      return 'fixed';
    case '6':
    case '7':
      return 'multi_sensor';
    default:
      return 'other';
  }
}

/** A coordinate the catalog gave, or null (devices send 0 or an empty field when they have none). */
export function coordinate(v: string | undefined, limit: number): number | null {
  if (!v) return null;
  const n = Number(v);
  return Number.isFinite(n) && n !== 0 && Math.abs(n) <= limit ? n : null;
}

/** InstallTime (2022) as a registry date, when it is one. */
export function installDate(v: string | undefined): string | null {
  const m = v ? /^(\d{4}-\d{2}-\d{2})/.exec(v) : null;
  return m ? m[1]! : null;
}

/** The 2022 catalog fields that belong to the 备案 (filing) record, kept on the channel as given. */
export const FILING_FIELDS_2022 = ['InstallTime', 'ManagementUnit', 'ContactInfo', 'RecordSaveDays', 'IndustrialClassification', 'SecurityLevelCode', 'POType', 'FunctionType', 'MAC'] as const;
