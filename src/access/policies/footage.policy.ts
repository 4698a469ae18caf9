// Footage: watching within one's own scope is a role right (值守监看, R3.1, R3.3); copying and
// retrieving always go through an approved access request (R5.3), so no role alone allows them.
import { allow } from '../policy.js';

allow('view-live', 'Camera', (actor, camera) => actor.can('live:view', camera.paths));
allow('play-back', 'Camera', (actor, camera) => actor.can('playback:view', camera.paths));
allow('control-ptz', 'Camera', (actor, camera) => actor.can('ptz:control', camera.paths));
