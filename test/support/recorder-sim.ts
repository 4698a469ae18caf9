// The camera simulator in a process of its own, so a benchmark can leave its cost out.
// Arguments: <cameras> [width height bitrateKbps] [--stagger-gops] [--keyframe-on-demand]. Prints the camera URLs as
// one JSON line (with --keyframe-on-demand, {"urls", "controlUrl"}: the cameras answer keyframe requests and are
// ONVIF devices on the control endpoint), then runs until SIGTERM.
import { startSimulator } from '../../src/sim/simulator.js';

const args = process.argv.slice(2);
const [cameras, width, height, bitrate] = args.filter((a) => !a.startsWith('--')).map(Number);
const sim = await startSimulator({
  cameras: cameras || 1,
  staggerGops: args.includes('--stagger-gops'),
  ...(args.includes('--keyframe-on-demand') ? { keyframeOnDemand: true, controlPort: 0 } : {}),
  ...(width ? { width } : {}),
  ...(height ? { height } : {}),
  ...(bitrate ? { bitrateKbps: bitrate } : {}),
});
process.stdout.write(`${JSON.stringify(args.includes('--keyframe-on-demand') ? { urls: sim.urls, controlUrl: sim.controlUrl } : sim.urls)}\n`);
process.once('SIGTERM', () => {
  void sim.close().then(() => process.exit(0));
});
