const { cleanEnv, str, port } = require('envalid');
const { z } = require('zod');

// envalid: defaults make these optional
const env = cleanEnv(process.env, {
  PORT: port({ default: 3000 }),
  LOG_LEVEL: str({ devDefault: 'debug', default: 'info' }),
});

// zod: optional and defaulted keys
const extra = z.object({
  SENTRY_DSN: z.string().url().optional(),
  REGION: z.string().default('eu-west-1'),
}).parse(process.env);

module.exports = {
  port: env.PORT,
  logLevel: env.LOG_LEVEL,
  sentryDsn: extra.SENTRY_DSN,
  region: extra.REGION,
  redisUrl: process.env.REDIS_URL ?? 'redis://localhost:6379',
  host: process.env.HOST || '0.0.0.0',
  databaseUrl: process.env.DATABASE_URL,
};
