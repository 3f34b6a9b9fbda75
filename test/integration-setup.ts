import buildSetup from './build-setup';
import redisSetup from './redis-setup';

/** Integration tests: the production build (some start it as a process) and a redis-server. */
export default async function globalSetup(): Promise<void> {
  buildSetup();
  await redisSetup();
}
