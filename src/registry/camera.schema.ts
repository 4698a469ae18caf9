import { z } from 'zod';

export const DEVICE_TYPES = ['fixed', 'dome', 'ptz', 'multi_sensor', 'other'] as const;
export const FUNDING = ['government', 'self'] as const;
export const CAMERA_STATUSES = ['planned', 'in_service', 'fault', 'suspended', 'removed'] as const;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a real date');

const sourceUrl = z
  .string()
  .max(2000)
  .regex(/^(rtsps?|file|gb28181|onvif):\/\//, 'must be an rtsp://, rtsps://, file://, gb28181:// or onvif:// URL');

/** Every field of a camera point (R1.2). Unknown fields are refused. */
export const cameraInputSchema = z.strictObject({
  gbId: z.string().describe('20-digit GB/T 28181 national ID'),
  name: z.string().trim().min(1).max(200),
  deviceType: z.enum(DEVICE_TYPES),
  longitude: z.number().min(-180).max(180).nullable().default(null),
  latitude: z.number().min(-90).max(90).nullable().default(null),
  address: z.string().trim().min(1).max(500),
  directionDeg: z.number().min(0).lt(360).nullable().default(null).describe('view direction, degrees clockwise from north'),
  fovDeg: z.number().gt(0).max(360).nullable().default(null).describe('horizontal field of view, degrees'),
  placeCategory: z.string().min(1).max(64).describe('id of a place category (see /api/v1/place-categories)'),
  keyPosition: z.boolean().default(false),
  regionId: z.number().int().positive().describe('the platform (region) the point belongs to'),
  ownerUnitId: z.number().int().positive().nullable().default(null),
  userUnitId: z.number().int().positive().nullable().default(null),
  managingUnitId: z.number().int().positive().nullable().default(null),
  maintainerUnitId: z.number().int().positive().nullable().default(null),
  funding: z.enum(FUNDING),
  signage: z.boolean().describe('a visible sign tells people the camera is there'),
  inServiceDate: isoDate.nullable().default(null),
  status: z.enum(CAMERA_STATUSES).default('planned'),
  sourceUrl: sourceUrl.nullable().default(null),
});

export type CameraInput = z.output<typeof cameraInputSchema>;

/**
 * Changed fields only. The defaults of a new point do not apply: a field left out of a change
 * keeps its value (with `.partial()` alone, a PATCH of the status would also reset the stream
 * address, the units and the position to their defaults).
 */
export const cameraPatchSchema = z.strictObject(
  Object.fromEntries(
    Object.entries(cameraInputSchema.shape).map(([k, v]) => [k, (v instanceof z.ZodDefault ? v.unwrap() : v).optional()]),
  ) as { [K in keyof typeof cameraInputSchema.shape]: z.ZodOptional<(typeof cameraInputSchema.shape)[K] extends z.ZodDefault<infer I> ? I : (typeof cameraInputSchema.shape)[K]> },
);

/** Columns of the CSV exchange format, in order. */
export const CSV_COLUMNS = [
  'gbId', 'name', 'deviceType', 'longitude', 'latitude', 'address', 'directionDeg', 'fovDeg', 'placeCategory',
  'keyPosition', 'regionId', 'ownerUnitId', 'userUnitId', 'managingUnitId', 'maintainerUnitId', 'funding', 'signage',
  'inServiceDate', 'status', 'sourceUrl',
] as const;
