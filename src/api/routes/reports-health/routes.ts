// The day's rates per region and per maintainer unit against the jurisdiction's targets, each
// target with its article (R6.2: 完好率 ≥ 95 % in Harbin, HRB-25(3)).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { reachFilter, type HealthRouteDeps } from '../health-status/support.js';
import { againstTarget, dayWindow, ratesBy } from '../../../health/rates.js';
import { forceMajeureMark, markView } from '../force-majeure/routes.js';
import { actorOf } from '../../plugins/auth.js';
import { errorResponses } from '../common.schema.js';

const target = z.object({ rate: z.number().nullable(), target: z.number().nullable(), article: z.string().nullable(), met: z.boolean().nullable(), note: z.string().nullable() });
const row = z.object({
  organisationId: z.number().nullable(),
  name: z.string(),
  profileId: z.string().nullable(),
  cameras: z.number(),
  goodCameras: z.number(),
  onlineRate: z.number().nullable(),
  goodRate: z.number().nullable(),
  /** Offline camera-time left out under confirmed force majeure (HRB-25(3)), in seconds. */
  excludedSeconds: z.number(),
  /** Cameras left out of the good rate: down under confirmed force majeure at the evaluation instant. */
  excusedCameras: z.number(),
  goodRateTarget: target.nullable(),
  onlineRateTarget: target.nullable(),
});

export const healthReportRoutes: FastifyPluginAsyncZod<HealthRouteDeps> = async (app, d) => {
  app.get('/reports/health', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['reports', 'camera health'],
      summary: "A day's online rate (在线率) and good rate (完好率) per region and per maintainer unit, against the profile's targets with articles; confirmed force-majeure spans (HRB-25(3)) left out and listed apart",
      querystring: z.strictObject({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() }),
      response: { 200: z.object({ day: z.string(), regions: z.array(row), units: z.array(row), forceMajeure: z.array(forceMajeureMark.extend({ spanSecondsInDay: z.number() })) }), ...errorResponses },
    },
  }, async (req) => {
    const actor = actorOf(req);
    const day = req.query.day ?? d.health.status.today();
    const all = await d.health.status.cameraDays(day);
    const reach = await reachFilter(d, actor, [...all.map((c) => c.regionId), ...all.flatMap((c) => (c.unitId === null ? [] : [c.unitId]))]);
    const days = all.filter((c) => reach(c.regionId) || reach(c.unitId));
    const name = async (id: number | null) => (id === null ? '—' : ((await d.registry.organisations.get(id).catch(() => undefined))?.name ?? String(id)));
    const regions = await Promise.all(
      [...ratesBy(days, (c) => c.regionId)].map(async ([id, r]) => {
        const profile = await d.health.profileFor(id);
        return {
          organisationId: id, name: await name(id), profileId: profile.id, cameras: r.cameras, goodCameras: r.goodCameras, onlineRate: r.onlineRate, goodRate: r.goodRate,
          excludedSeconds: Math.round(r.excludedMs / 1000), excusedCameras: r.excusedCameras,
          goodRateTarget: againstTarget(r.goodRate, profile.maintenance.goodRateTarget),
          onlineRateTarget: againstTarget(r.onlineRate, profile.maintenance.onlineRateTarget),
        };
      }),
    );
    const units = await Promise.all(
      [...ratesBy(days, (c) => c.unitId)].map(async ([id, r]) => ({
        organisationId: id, name: await name(id), profileId: null, cameras: r.cameras, goodCameras: r.goodCameras, onlineRate: r.onlineRate, goodRate: r.goodRate,
        excludedSeconds: Math.round(r.excludedMs / 1000), excusedCameras: r.excusedCameras,
        goodRateTarget: null, onlineRateTarget: null,
      })),
    );
    // The spans themselves, apart, with who proposed and who confirmed each and how much of the
    // day it covers (the rows' excludedSeconds count only the offline part of that).
    const win = dayWindow(day, d.health.status.utcOffsetMinutes());
    const marks = await d.health.forceMajeure.confirmedWithin([...new Set(days.map((c) => c.cameraId))], win.startMs, win.endMs);
    const forceMajeure = marks.map((m) => ({ ...markView(m), spanSecondsInDay: Math.round((Math.min(m.to, win.endMs) - Math.max(m.from, win.startMs)) / 1000) }));
    return { day, regions, units, forceMajeure };
  });
};
