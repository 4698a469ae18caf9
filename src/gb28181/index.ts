// GB/T 28181 platform: the SIP server devices and lower platforms register to, and the use cases
// behind it. Built from the wire code in media/sip and media/ps; wired into a process by
// services/gb28181.service.ts.
export { GbPlatform, type GbPlatformOptions } from './sip-platform.js';
export { GbDeviceService, deviceIdProblem, type GbSettings, type CatalogOutcome } from './device.service.js';
export { catalogItems, type CatalogItem } from './catalog.js';
export { offlineReason, sipDate } from './keepalive.js';
