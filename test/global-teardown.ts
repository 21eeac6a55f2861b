export default async function globalTeardown(): Promise<void> {
  const servers = globalThis.__MINDBOT_TEST_SERVERS__;
  servers?.redis?.kill();
  await servers?.postgres?.stop();
}
