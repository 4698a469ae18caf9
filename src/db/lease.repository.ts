// Recorder nodes and camera leases (migration 0028, issue 22): the one owner of recorder_nodes,
// camera_leases and recording_priorities. Every time here is the DATABASE's clock, so a node whose
// own clock steps cannot extend or shorten a lease. Leases exist on PostgreSQL only; on SQLite the
// one process records every camera without them.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface RecorderNodeTable {
  id: string;
  url: string | null;
  capacity: number;
  heartbeat_at: number;
  started_at: number;
  /** Until when (the database's clock) the node holds every camera lease under its name (0042). */
  lease_until: number;
}

export interface CameraLeaseTable {
  camera_id: number;
  node_id: string;
  epoch: number;
  expires_at: number;
  acquired_at: number;
  /** Hand-over (make-before-break): the node the holder passes the camera to. */
  successor: string | null;
  /** 1 once the successor records the camera's first fragments and waits for the lease. */
  successor_ready: number;
}

export interface RecordingPriorityTable {
  camera_id: number;
  priority: number;
}

export interface LeaseTables {
  recorder_nodes: RecorderNodeTable;
  camera_leases: CameraLeaseTable;
  recording_priorities: RecordingPriorityTable;
}

export interface RecorderNode {
  id: string;
  url: string | null;
  capacity: number;
  heartbeatAt: number;
  startedAt: number;
  /** Its lease has not run out, by the database's clock. */
  alive: boolean;
  /** How long until the node's lease runs out unless renewed, by the database's clock (ms; ≤ 0: run out). */
  leaseLeftMs: number;
}

export interface CameraLease {
  cameraId: number;
  nodeId: string;
  epoch: number;
  expiresAt: number;
  acquiredAt: number;
  /** Past its expiry by the database's clock: any node may take it over with epoch + 1. */
  expired: boolean;
  /** The node the holder hands the camera over to, when a hand-over is under way. */
  successor: string | null;
  /** The successor records the camera already and waits for the lease. */
  successorReady: boolean;
}

export interface HeldLease {
  cameraId: number;
  epoch: number;
}

/** The database's clock in epoch milliseconds (clock_timestamp: it moves within a transaction). */
const NOW_MS = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/**
 * A held camera lease's own expiry (9999-12-31): it runs until given up (then: now) or until its
 * node stops renewing its one row, `recorder_nodes.lease_until` (migration 0042). So a node
 * renews all its leases by updating one row a round, not one per camera.
 */
export const LEASE_HELD = 253_402_300_799_999;

/** Camera leases with their holder's node row, for the lease's expiry as it stands. */
const LEASES_WITH_NODES = sql`camera_leases l left join recorder_nodes n on n.id = l.node_id`;
/** A lease's expiry: its own or its node's, whichever comes first. */
const EXPIRY = sql<number>`least(l.expires_at, coalesce(n.lease_until, 0))`;

const toLease = (r: CameraLeaseTable & { expired: boolean }): CameraLease => ({
  cameraId: Number(r.camera_id), nodeId: r.node_id, epoch: Number(r.epoch), expiresAt: Number(r.expires_at), acquiredAt: Number(r.acquired_at), expired: r.expired,
  successor: r.successor ?? null, successorReady: Number(r.successor_ready ?? 0) === 1,
});

export class LeaseRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The database's clock now, epoch ms. */
  async now(): Promise<number> {
    const { rows } = await sql<{ now: number }>`select ${NOW_MS} as now`.execute(this.db);
    return Number(rows[0]!.now);
  }

  /**
   * A lease round's one write: the node's heartbeat and, with it, every camera lease it holds,
   * renewed until now + `leaseMs`. `continuous` says its lease had not run out before this
   * renewal, so no other node can have taken any of its cameras meanwhile (a takeover needs the
   * node's lease to have run out, and locks the node's row while it takes: see acquire). When it
   * had run out, the node asks `heldBy` which leases are still its own.
   */
  async renewNode(node: { id: string; url: string | null; capacity: number }, leaseMs: number): Promise<{ continuous: boolean }> {
    const { rows } = await sql<{ continuous: boolean }>`
      with old as (select lease_until from recorder_nodes where id = ${node.id})
      insert into recorder_nodes (id, url, capacity, heartbeat_at, started_at, lease_until)
      values (${node.id}, ${node.url}, ${node.capacity}, ${NOW_MS}, ${NOW_MS}, ${NOW_MS} + ${leaseMs})
      on conflict (id) do update set url = excluded.url, capacity = excluded.capacity, heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until
      returning coalesce((select lease_until from old), 0) > recorder_nodes.heartbeat_at as continuous`.execute(this.db);
    return { continuous: rows[0]?.continuous === true };
  }

  /** The leases under this node's name that it has not given up (read after its own lease had run out). */
  async heldBy(nodeId: string): Promise<HeldLease[]> {
    const { rows } = await sql<{ camera_id: number; epoch: number }>`
      select camera_id, epoch from camera_leases where node_id = ${nodeId} and expires_at > ${NOW_MS}`.execute(this.db);
    return rows.map((r) => ({ cameraId: Number(r.camera_id), epoch: Number(r.epoch) }));
  }

  /** A node stopping cleanly: others need not wait for its heartbeat to age. */
  async leave(nodeId: string): Promise<void> {
    await sql`update recorder_nodes set heartbeat_at = 0, lease_until = 0 where id = ${nodeId}`.execute(this.db);
  }

  /**
   * A digest of what placement reads (the recordable cameras with their priorities, and the
   * leases with their hand-over marks): computed in the database, one short row, so a node whose
   * picture has not changed skips reading 10,000 cameras and leases to find that out.
   */
  async placementFingerprint(): Promise<string> {
    const { rows } = await sql<{ c: string; l: string }>`
      select
        (select count(*) || ':' || coalesce(sum(c.id), 0) || ':' || coalesce(max(c.updated_at), 0) || ':' || coalesce(sum(p.priority), 0) || ':' || coalesce(sum(length(c.source_url)), 0)
           from cameras c left join recording_priorities p on p.camera_id = c.id
           where c.status = 'in_service' and c.source_url is not null and c.source_url <> '') as c,
        (select count(*) || ':' || coalesce(sum(epoch), 0) || ':' || count(successor) || ':' || coalesce(sum(successor_ready), 0) || ':' || count(*) filter (where expires_at <= ${NOW_MS})
           from camera_leases) as l`.execute(this.db);
    return `${rows[0]!.c}/${rows[0]!.l}`;
  }

  /** Every node ever registered, alive while its lease (renewNode) has not run out. */
  async nodes(): Promise<RecorderNode[]> {
    const { rows } = await sql<RecorderNodeTable & { alive: boolean; left_ms: number }>`
      select id, url, capacity, heartbeat_at, started_at, lease_until > ${NOW_MS} as alive, lease_until - ${NOW_MS} as left_ms
      from recorder_nodes order by id`.execute(this.db);
    return rows.map((r) => ({ id: r.id, url: r.url, capacity: Number(r.capacity), heartbeatAt: Number(r.heartbeat_at), startedAt: Number(r.started_at), alive: r.alive, leaseLeftMs: Number(r.left_ms) }));
  }

  async leases(): Promise<CameraLease[]> {
    const { rows } = await sql<CameraLeaseTable & { expired: boolean }>`
      select l.camera_id, l.node_id, l.epoch, ${EXPIRY} as expires_at, l.acquired_at, l.successor, l.successor_ready, ${EXPIRY} <= ${NOW_MS} as expired
      from ${LEASES_WITH_NODES} order by l.camera_id`.execute(this.db);
    return rows.map(toLease);
  }

  /** The live leases of the cameras named (expired ones are left out: nobody records those now). */
  async liveLeasesOf(cameraIds: readonly number[]): Promise<CameraLease[]> {
    if (!cameraIds.length) return [];
    const { rows } = await sql<CameraLeaseTable>`
      select l.camera_id, l.node_id, l.epoch, ${EXPIRY} as expires_at, l.acquired_at, l.successor, l.successor_ready from ${LEASES_WITH_NODES}
      where l.camera_id = any(${[...cameraIds]}::bigint[]) and ${EXPIRY} > ${NOW_MS}`.execute(this.db);
    return rows.map((r) => toLease({ ...r, expired: false }));
  }

  /** The lease of one camera, if any (the API routes a viewer to its node). */
  async lease(cameraId: number): Promise<CameraLease | undefined> {
    const { rows } = await sql<CameraLeaseTable & { expired: boolean }>`
      select l.camera_id, l.node_id, l.epoch, ${EXPIRY} as expires_at, l.acquired_at, l.successor, l.successor_ready, ${EXPIRY} <= ${NOW_MS} as expired
      from ${LEASES_WITH_NODES} where l.camera_id = ${cameraId}`.execute(this.db);
    return rows[0] && toLease(rows[0]);
  }

  /**
   * Takes cameras that have no lease, or whose lease expired by the database's clock (given up,
   * or its node's lease ran out), with the next epoch. A live lease is never taken. The nodes
   * whose lease ran out are locked (FOR SHARE) while their cameras are taken: a node renewing at
   * that moment waits, and then learns its lease had run out (renewNode's `continuous`); a
   * renewal that committed first is seen here (the lock reads the row's latest version) and its
   * cameras are not taken. Returns what this node now holds of them; they are held until this
   * node gives them up or stops renewing its own lease (renewNode).
   */
  async acquire(nodeId: string, cameraIds: readonly number[]): Promise<HeldLease[]> {
    if (!cameraIds.length) return [];
    const { rows } = await sql<{ camera_id: number; epoch: number }>`
      with lapsed as (select id from recorder_nodes where lease_until <= ${NOW_MS} for share)
      insert into camera_leases (camera_id, node_id, epoch, expires_at, acquired_at)
      select c, ${nodeId}, 1, ${LEASE_HELD}, ${NOW_MS} from unnest(${[...cameraIds]}::bigint[]) as c
      where exists (select 1 from cameras where id = c)
      on conflict (camera_id) do update
        set node_id = excluded.node_id, epoch = camera_leases.epoch + 1, expires_at = excluded.expires_at, acquired_at = excluded.acquired_at,
          successor = null, successor_ready = 0
        where camera_leases.expires_at <= ${NOW_MS}
          or camera_leases.node_id in (select id from lapsed)
          or not exists (select 1 from recorder_nodes n where n.id = camera_leases.node_id)
      returning camera_id, epoch`.execute(this.db);
    return rows.map((r) => ({ cameraId: Number(r.camera_id), epoch: Number(r.epoch) }));
  }

  /** Gives leases up at once (expires them), for another node to take without waiting. */
  async release(nodeId: string, held: readonly HeldLease[]): Promise<void> {
    if (!held.length) return;
    await sql`
      update camera_leases l set expires_at = ${NOW_MS}
      from unnest(${held.map((h) => h.cameraId)}::bigint[], ${held.map((h) => h.epoch)}::bigint[]) as h(camera_id, epoch)
      where l.camera_id = h.camera_id and l.epoch = h.epoch and l.node_id = ${nodeId}`.execute(this.db);
  }

  /**
   * Make-before-break, the holder's first step: names the node each camera goes to. The holder
   * keeps recording and renewing; the successor connects and records without writing a row.
   */
  async nominate(nodeId: string, moves: readonly (HeldLease & { successor: string })[]): Promise<void> {
    if (!moves.length) return;
    await sql`
      update camera_leases l set successor = m.successor, successor_ready = 0
      from unnest(${moves.map((m) => m.cameraId)}::bigint[], ${moves.map((m) => m.epoch)}::bigint[], ${moves.map((m) => m.successor)}::text[]) as m(camera_id, epoch, successor)
      where l.camera_id = m.camera_id and l.epoch = m.epoch and l.node_id = ${nodeId} and l.successor is distinct from m.successor`.execute(this.db);
  }

  /** The successor's step: it records these cameras (their first fragments are in hand) and waits for the leases. */
  async successorReady(nodeId: string, cameraIds: readonly number[]): Promise<void> {
    if (!cameraIds.length) return;
    await sql`update camera_leases set successor_ready = 1
      where camera_id = any(${[...cameraIds]}::bigint[]) and successor = ${nodeId} and node_id <> ${nodeId}`.execute(this.db);
  }

  /**
   * The holder's last step, after its last row is written: the lease passes to the ready successor
   * with epoch + 1 (from here a row under the old epoch is refused), marked for the successor to
   * adopt (successor = node). Returns the cameras passed on.
   */
  async handOver(nodeId: string, held: readonly HeldLease[]): Promise<HeldLease[]> {
    if (!held.length) return [];
    const { rows } = await sql<{ camera_id: number; epoch: number }>`
      update camera_leases l set node_id = l.successor, epoch = l.epoch + 1, expires_at = ${LEASE_HELD}, acquired_at = ${NOW_MS}
      from unnest(${held.map((h) => h.cameraId)}::bigint[], ${held.map((h) => h.epoch)}::bigint[]) as h(camera_id, epoch)
      where l.camera_id = h.camera_id and l.epoch = h.epoch and l.node_id = ${nodeId} and l.successor is not null and l.successor_ready = 1
      returning l.camera_id, l.epoch`.execute(this.db);
    return rows.map((r) => ({ cameraId: Number(r.camera_id), epoch: Number(r.epoch) }));
  }

  /** The successor adopts the leases handed to it (and clears the hand-over marks). */
  async adoptHandedOver(nodeId: string): Promise<HeldLease[]> {
    const { rows } = await sql<{ camera_id: number; epoch: number }>`
      update camera_leases set successor = null, successor_ready = 0
      where node_id = ${nodeId} and successor = ${nodeId} and expires_at > ${NOW_MS}
      returning camera_id, epoch`.execute(this.db);
    return rows.map((r) => ({ cameraId: Number(r.camera_id), epoch: Number(r.epoch) }));
  }

  async setPriority(cameraId: number, priority: number): Promise<void> {
    await this.db
      .insertInto('recording_priorities')
      .values({ camera_id: cameraId, priority })
      .onConflict((oc) => oc.column('camera_id').doUpdateSet({ priority }))
      .execute();
  }
}
