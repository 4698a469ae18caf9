// `vigil serve`'s usage, apart from the command: the help and every other command read it
// without loading the server (Fastify, WebRTC, the console), which only `serve` needs.
import { configSchema } from '../../config/config.schema.js';

/** The roles a node runs when its configuration names none: the schema's default, so the help cannot drift. */
const DEFAULT_ROLES = configSchema.shape.services.parse(undefined).join(', ');

export const serveHelp = `vigil serve [--demo]
  Runs the roles in the configuration's "services" (VIGIL_SERVICES; default: ${DEFAULT_ROLES}).
  Every serving process also keeps the access register's timers.
  --demo   run simulated cameras (VIGIL_SIM_CAMERAS, default 4) and, when the registry is empty,
           seed a demo city whose camera points are those cameras`;
