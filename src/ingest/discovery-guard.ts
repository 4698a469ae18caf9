// WS-Discovery answers come from anyone on the network and name the addresses the platform would
// call next (issue 14): each service address passes the source guard as a camera source does.
// A refused address is dropped; a device with none left is left out and counted.
import type { DiscoveredDevice } from '../onvif/discovery.js';
import { SourceRefusedError } from './errors.js';
import type { SourceGuard } from './source-guard.js';

export interface AdmittedDiscovery {
  devices: DiscoveredDevice[];
  /** Devices left out because none of their service addresses is allowed. */
  refused: number;
}

export async function admitDiscovered(guard: SourceGuard, found: readonly DiscoveredDevice[]): Promise<AdmittedDiscovery> {
  const devices: DiscoveredDevice[] = [];
  let refused = 0;
  for (const d of found) {
    const xaddrs: string[] = [];
    for (const x of d.xaddrs) if (await allowed(guard, x)) xaddrs.push(x);
    if (xaddrs.length) devices.push({ ...d, xaddrs });
    else refused++;
  }
  return { devices, refused };
}

async function allowed(guard: SourceGuard, address: string): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return false;
  }
  try {
    await guard.admitAddress(url);
    return true;
  } catch (e) {
    if (e instanceof SourceRefusedError) return false;
    throw e;
  }
}
