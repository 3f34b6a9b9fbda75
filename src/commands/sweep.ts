import { composeServices } from '../compose';
import { loadConfigOrExit } from '../config';
import { failureLine, lastRedisErrorOf, runCommand } from './command';
import { createLogger } from '../log';
import { RedisGrantChecks } from '../store/grant-check';
import { createRedis } from '../store/redis';
import { carryOutEnds, endsCompleted, type EndsReport } from '../zoom/use-cases/carry-out-ends';
import { ReplicaAcks } from '../store/replica-acks';
import { PacedZoom } from '../zoom/paced';
import {
  DEFAULT_SWEEP_CONCURRENCY,
  sweepCompleted,
  sweepIdleGrants,
  type SweepReport,
} from '../zoom/use-cases/sweep';

/**
 * `npm run sweep` (Heroku Scheduler, every 10 minutes): carries out every assistant end that is
 * due, then checks with Zoom every grant not used for
 * SWEEP_IDLE_HOURS and erases everything of the grants Zoom no longer honours. Prints counts
 * (never a token). Exit 0 when every idle grant got Zoom's answer; 1 when it could not do its
 * job (storage, configuration, or Zoom not answering for some grants — they are checked again
 * on the next run).
 */

export function formatSweep(report: SweepReport, idleHours: number): string[] {
  const lines = [
    idleHours > 0
      ? `sweep: grants unused for ${idleHours} h or more, checked with Zoom`
      : 'sweep: every grant, checked with Zoom',
    `  scanned             ${report.scanned}`,
    `  used recently       ${report.recent}`,
    `  kept (Zoom agrees)  ${report.kept}`,
    `  deleted (refused)   ${report.deleted}`,
    `  gone meanwhile      ${report.gone}`,
    `  unreadable          ${report.unreadable}  (left to expire by TTL)`,
    `  not checked         ${report.unchecked}  (Zoom did not answer; next run)`,
  ];
  if (report.stoppedEarly) lines.push(`stopped early: ${report.stoppedEarly}; run again later`);
  return lines;
}

export function formatEnds(report: EndsReport): string[] {
  const lines = [
    'sweep: assistants whose end has come, removed at Zoom',
    `  users with ends      ${report.users}`,
    `  due                  ${report.due}`,
    `  removed              ${report.removed}`,
    `  already gone         ${report.alreadyGone}`,
    `  another sweep's      ${report.claimedElsewhere}`,
    `  failed               ${report.failed}  (shown as overdue; next run)`,
    `  grant expired        ${report.grantGone}  (kept until the user signs in again)`,
    `  grant ended by Zoom  ${report.grantEnded}  (deleted with the grant)`,
  ];
  if (report.stoppedEarly) lines.push(`stopped early: ${report.stoppedEarly}; run again later`);
  return lines;
}

/**
 * Workers enough to keep the pace with Zoom answering in up to 400 ms (a call a worker per
 * 400 ms): 4 at the default 10/s; with no ceiling, 32.
 */
export function sweepConcurrency(callsPerSecond: number): number {
  if (!Number.isFinite(callsPerSecond)) return 32;
  return Math.min(32, Math.max(DEFAULT_SWEEP_CONCURRENCY, Math.ceil(callsPerSecond * 0.4)));
}

async function main(): Promise<number> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const redis = createRedis(config.redis, 'sweep');
  const subscriber = createRedis(config.redis, 'sweep-sub');
  const lastRedisError = lastRedisErrorOf(redis, subscriber);
  const services = composeServices(config, { redis, subscriber }, logger);
  const store = services.tokenStore;
  try {
    const pace = new PacedZoom({
      callsPerSecond: config.sweep.zoomCallsPerSecond,
      restPerSecondPerAccount: config.sweep.restCallsPerAccountPerSecond,
    });
    const ends = await carryOutEnds({
      ends: services.ends,
      store,
      tokenManager: services.tokenManager,
      zoomApi: services.zoomApi,
      history: services.history,
      pace,
      logger,
      concurrency: sweepConcurrency(config.sweep.zoomCallsPerSecond),
    });
    process.stdout.write(`${formatEnds(ends).join('\n')}\n`);
    const checks = new RedisGrantChecks(
      redis,
      services.keys,
      store,
      config.tokens.lockTtlMs,
      new ReplicaAcks(redis, logger),
    );
    const report = await sweepIdleGrants(
      {
        userIds: () => store.userIdPages(),
        checks,
        refresher: services.oauth,
        tokenManager: services.tokenManager,
        pace,
        refusalCoolDownMs: config.tokens.refusalCoolDownMs,
        logger,
      },
      {
        idleMs: config.sweep.idleMs,
        concurrency: sweepConcurrency(config.sweep.zoomCallsPerSecond),
      },
    );
    process.stdout.write(`${formatSweep(report, config.sweep.idleMs / 3_600_000).join('\n')}\n`);
    return sweepCompleted(report) && endsCompleted(ends) ? 0 : 1;
  } catch (err) {
    const advice = 'nothing more was deleted; run again.';
    process.stderr.write(failureLine('sweep', err, lastRedisError(), advice));
    return 1;
  } finally {
    await services.tokenManager.settled();
    await Promise.allSettled([redis.quit(), subscriber.quit()]);
  }
}

runCommand(module, main);
