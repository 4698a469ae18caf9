// The "retention" process role: finishes interrupted deletions, then runs the retention cleaner,
// the Merkle log sealer/signer and the disk-pressure monitor on timers.
import { MerkleLogTimer } from '../integrity/merkle-log.js';
import type { Context } from './context.js';
import { openEvidence, type Evidence } from './evidence.js';

/** The retention role: finishes interrupted deletions, then cleans, seals, signs and watches the disk. */
export async function startRetentionRole(ctx: Context, evidence = openEvidence(ctx)): Promise<{ evidence: Evidence; close(): Promise<void> }> {
  const logger = ctx.logger.child({ role: 'retention' });
  const onError = (what: string) => (e: unknown) => logger.error({ err: e }, `${what} failed; retrying at the next interval`);
  await evidence.cleaner.collectGarbage();
  await evidence.storage.start();
  const sealer = new MerkleLogTimer(evidence.merkle, ctx.config.retention.treeHeadSeconds * 1000, onError('sealing the Merkle logs'));
  await sealer.tick().catch(onError('sealing the Merkle logs'));
  sealer.start();
  let cleaning: Promise<unknown> = evidence.cleaner.runOnce().catch(onError('the retention pass'));
  const timer = setInterval(() => {
    cleaning = cleaning.then(() => evidence.cleaner.runOnce()).catch(onError('the retention pass'));
  }, ctx.config.retention.cleanerIntervalSeconds * 1000);
  timer.unref();
  // With an object store: closed files waiting too long for upload are an alarm.
  const backlog = evidence.uploadBacklog;
  const backlogTimer = backlog ? setInterval(() => void backlog.check().catch(onError('checking the upload backlog')), ctx.config.retention.diskCheckSeconds * 1000) : undefined;
  backlogTimer?.unref();
  logger.info('retention role started');
  return {
    evidence,
    async close() {
      clearInterval(timer);
      clearInterval(backlogTimer);
      await cleaning;
      await sealer.close();
      await evidence.storage.close();
    },
  };
}
