// The process roles a node can run, and the ones it runs when its configuration names none. The
// schema takes them from here, and so does `vigil serve --help`, which must not load the validator.
export const SERVICE_ROLES = ['api', 'recorder', 'retention', 'health', 'gb28181', 'cascade'] as const;

/** One node runs every role but 'gb28181' (the SIP server listens on a public port and needs passwords). */
export const DEFAULT_SERVICES: readonly (typeof SERVICE_ROLES)[number][] = ['api', 'recorder', 'retention', 'health'];
