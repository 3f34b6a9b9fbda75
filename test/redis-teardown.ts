export default async function globalTeardown(): Promise<void> {
  const redis = globalThis.__redisServer;
  globalThis.__redisServer = undefined;
  await redis?.stop();
}
