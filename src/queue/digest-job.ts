// The weekly digest job. The scheduler fires Monday 06:00 UTC; the digest covers the last full ISO week before
// the fire time (Monday to Sunday), whose Sunday snapshot the 00:05 daily flow has written by then.
import { lastFullWeek, writeDigest } from '../digest/index.js';
import type { DigestRunner } from './workers.js';

export const digestRunner: DigestRunner = async (rt, week, fireMs) => {
  const target = week ?? lastFullWeek(new Date(fireMs));
  const res = await writeDigest({ store: rt.store, dataDir: rt.config.dataDir, config: rt.config }, target);
  rt.logger.info({ week: res.digest.week }, 'weekly digest written');
  return { week: res.digest.week, paths: Object.values(res.paths) };
};
