// Where what a person does to a camera's health is registered: the access register. The use cases
// below write it themselves, so the API, the CLI and GB/T 28181 register the same entries; the
// refusals of the permission gate are the gate's.
import type { SecurityLog } from '../access/security-log.js';

export type HealthRegister = Pick<SecurityLog, 'record'>;
