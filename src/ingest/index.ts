// Every source scheme the platform knows, registered once. A new scheme is a new file and one
// line here.
import { createFileSource } from './file-source.js';
import { createOnvifSource } from './onvif-source.js';
import { registerSource } from './registry.js';
import { createRtspSource } from './rtsp-source.js';

registerSource('rtsp', createRtspSource);
registerSource('rtsps', createRtspSource);
registerSource('file', createFileSource);
registerSource('onvif', createOnvifSource);

export { createSource, redactUrl, registerSource, registeredSchemes } from './registry.js';
export type * from './source.js';
export { maskCredentials } from './registry.js';
export { PLATFORM_REQUESTER, SourceGuard, systemResolver, type SourceResolver } from './source-guard.js';
export { SOURCE_UNAVAILABLE, SourceRefusedError } from './errors.js';
