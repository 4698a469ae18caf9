// Camera points changed in this process: the recorder (and anything else that follows the camera
// list) is told at once instead of waiting for its next poll, which stays as the fallback for
// changes made by other processes or straight in the database.
import { EventEmitter } from 'node:events';

export type CameraChangeListener = (cameraIds: readonly number[]) => void;

export class CameraChanges {
  private readonly emitter = new EventEmitter<{ changed: [readonly number[]] }>();

  /** Listens for committed changes; returns the function that stops listening. */
  on(listener: CameraChangeListener): () => void {
    this.emitter.on('changed', listener);
    return () => this.emitter.off('changed', listener);
  }

  /** Called after a change is committed. A listener's failure is its own, never the change's. */
  changed(cameraIds: readonly number[]): void {
    for (const l of this.emitter.listeners('changed')) {
      try {
        (l as CameraChangeListener)(cameraIds);
      } catch {
        // the listener's problem; the change is already committed
      }
    }
  }
}
