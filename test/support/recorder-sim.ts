// The camera simulator in a process of its own, so a benchmark can leave its cost out.
// Arguments: <cameras> [width height bitrateKbps]. Prints the camera URLs as one JSON line, then
// runs until SIGTERM.
import { startSimulator } from '../../src/sim/simulator.js';

const [cameras, width, height, bitrate] = process.argv.slice(2).map(Number);
const sim = await startSimulator({
  cameras: cameras || 1,
  ...(width ? { width } : {}),
  ...(height ? { height } : {}),
  ...(bitrate ? { bitrateKbps: bitrate } : {}),
});
process.stdout.write(`${JSON.stringify(sim.urls)}\n`);
process.once('SIGTERM', () => {
  void sim.close().then(() => process.exit(0));
});
