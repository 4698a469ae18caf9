// What the recorder needs of camera leases (issue 22), without knowing how they are kept: which
// cameras this node holds and under which epoch, whether a lease is still safe to write under by
// this process's own monotonic clock, and a way to be told to stop a camera before it is handed
// over. src/cluster/lease-keeper.ts keeps them in PostgreSQL; without leases (SQLite, one process)
// the recorder records every recordable camera with epoch 0.
export interface CameraLeases {
  readonly nodeId: string;
  /** camera id → epoch, for every camera this node may record now. */
  held(): ReadonlyMap<number, number>;
  /** False once the lease may have run out (renewal overdue): nothing more is written under it. */
  valid(cameraId: number, epoch: number): boolean;
  /** The index refused this epoch: another node took the camera over. */
  fenced(cameraId: number, epoch: number): void;
  /** Told when `held()` changed. */
  onChange(listener: () => void): () => void;
  /** The recorder stops a camera (its file closed and indexed) before its lease is given up. */
  attach(stopper: (cameraIds: number[]) => Promise<void>): void;
  /**
   * Make-before-break: cameras another node is handing to this one. The recorder connects and
   * records them without writing a row until the lease is this node's.
   */
  incoming?(): ReadonlySet<number>;
  /** A standby session has its first fragments in hand: the holder may pass the lease on. */
  ready?(cameraId: number): void;
  /** The epoch once the lease is this node's; rejects when the hand-over is off. */
  whenHeld?(cameraId: number): Promise<number>;
  /** The index could not reach the database: recording goes on under the leases held (an outage). */
  databaseUnreachable?(): void;
}
