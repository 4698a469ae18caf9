// Duties that carry no number but still need their article in a checklist or a refusal
// (acceptance before use, the archive, the maintainer's written duty, the access register,
// training and duty rosters, the police's power to inspect, complaints). Their articles live in
// the profiles (`duties`), each text listing its own; the resolved profile adds those it
// inherits, nearest first — so Anhui cites AH-13 and CN-12, and a new city is a file, not code.
import { DUTIES, type Duties, type Duty } from '../domain/jurisdiction-profile.js';

export { DUTIES, type Duties, type Duty };

/** The articles setting `duty` under a resolved profile, nearest first; empty when no text sets it. */
export function dutyArticles(duty: Duty, profile: { duties: Duties }): string[] {
  return [...profile.duties[duty]];
}
