// The camera simulator in a process of its own, so a benchmark can leave its cost out.
// Arguments: <cameras> [width height bitrateKbps] [--stagger-gops]. Prints the camera URLs as one JSON line, then
// runs until SIGTERM.
import { startSimulator } from '../../src/sim/simulator.js';

const args = process.argv.slice(2);
const [cameras, width, height, bitrate] = args.filter((a) => !a.startsWith('--')).map(Number);
const sim = await startSimulator({
  cameras: cameras || 1,
  staggerGops: args.includes('--stagger-gops'),
  ...(width ? { width } : {}),
  ...(height ? { height } : {}),
  ...(bitrate ? { bitrateKbps: bitrate } : {}),
});
process.stdout.write(`${JSON.stringify(sim.urls)}\n`);
process.once('SIGTERM', () => {
  void sim.close().then(() => process.exit(0));
});
