import { z } from 'zod';
import { CAMERA_STATUSES, DEVICE_TYPES, FUNDING } from '../../../registry/camera.schema.js';
import { queryBool } from '../common.schema.js';

export { cameraInputSchema, cameraPatchSchema } from '../../../registry/camera.schema.js';

export const cameraSchema = z
  .object({
    id: z.number(),
    gbId: z.string(),
    name: z.string(),
    deviceType: z.enum(DEVICE_TYPES),
    longitude: z.number().nullable(),
    latitude: z.number().nullable(),
    address: z.string(),
    directionDeg: z.number().nullable(),
    fovDeg: z.number().nullable(),
    placeCategory: z.string(),
    keyPosition: z.boolean(),
    regionId: z.number(),
    ownerUnitId: z.number().nullable(),
    userUnitId: z.number().nullable(),
    managingUnitId: z.number().nullable(),
    maintainerUnitId: z.number().nullable(),
    funding: z.enum(FUNDING),
    signage: z.boolean(),
    inServiceDate: z.string().nullable(),
    status: z.enum(CAMERA_STATUSES),
    sourceUrl: z.string().nullable(),
    via: z
      .object({ device: z.string().describe("the lower platform's or GB device's SIP ID; '' for a camera registered as its own device (type 131/132) to whom may not read its national ID"), civilCode: z.string().describe("the channel's region code (行政区划): its catalog item's CivilCode, else the first 6 digits of its ID") })
      .nullable()
      .optional()
      .describe('for a camera a lower platform or GB/T 28181 device catalogued: which one, and the region code it gave'),
    createdAt: z.number(),
    updatedAt: z.number(),
  })
  .describe('Camera');

export const recordingWarningSchema = z
  .object({
    code: z.enum(['NOT_RECORDED_STATUS', 'NOT_RECORDED_NO_SOURCE']),
    params: z.record(z.string(), z.string()),
    message: z.string(),
  })
  .describe('RecordingWarning');

/** A camera as saved, with why it will not be recorded as it stands (empty when it will be). */
export const cameraWithWarningsSchema = cameraSchema.extend({ warnings: z.array(recordingWarningSchema) }).describe('CameraSaved');

export const cameraListQuery = z.strictObject({
  regionId: z.coerce.number().int().positive().optional().describe('cameras in this region and every region under it'),
  unitId: z.coerce.number().int().positive().optional().describe('cameras this unit owns, uses, manages or maintains'),
  placeCategory: z.string().min(1).optional(),
  status: z.enum(CAMERA_STATUSES).optional(),
  keyPosition: queryBool.optional(),
  q: z.string().max(200).optional().describe('free text over name, address and national ID'),
  positions: queryBool.optional().describe('for the map: with map:view, the positions, view directions and fields of view of the cameras one may watch (registered as a reading of basic information)'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const importResultSchema = z.object({ imported: z.number() });
