// Recorder metrics on a prom-client registry handed in by the process, so the API's /metrics
// shows them next to its own.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface RecorderMetrics {
  sessionsUp: Gauge;
  reconnects: Counter;
  bytesWritten: Counter;
  fragments: Counter;
  framesLost: Counter;
  /** Seconds from a row's data being durable to the row being committed (last batch). */
  indexLag: Gauge;
  indexCommits: Counter;
}

export function createRecorderMetrics(registry: Registry): RecorderMetrics {
  const registers = [registry];
  return {
    sessionsUp: new Gauge({ name: 'vigil_recorder_sessions_up', help: 'Camera sessions connected and recording', registers }),
    reconnects: new Counter({ name: 'vigil_recorder_reconnects_total', help: 'Camera reconnection attempts after a failure', registers }),
    bytesWritten: new Counter({ name: 'vigil_recorder_bytes_written_total', help: 'Bytes written to recording files and fsynced', registers }),
    fragments: new Counter({ name: 'vigil_recorder_fragments_total', help: 'Fragments written to recording files and fsynced', registers }),
    framesLost: new Counter({ name: 'vigil_recorder_frames_lost_total', help: 'Video frames lost or damaged (RTP sequence gaps, dropped on overload)', registers }),
    indexLag: new Gauge({ name: 'vigil_recorder_index_lag_seconds', help: 'Delay from data on disk to its index row committed, last batch', registers }),
    indexCommits: new Counter({ name: 'vigil_recorder_index_commits_total', help: 'Index batches committed', registers }),
  };
}
