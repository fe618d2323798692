/**
 * Environment variables that tools other than the application read: the Python interpreter, the
 * OS and libc, servers (gunicorn, uvicorn), libraries (Django, Celery, Sentry, AWS SDKs, libpq,
 * OpenTelemetry, ...) and database images. A variable listed here is never an "unknown setting",
 * even when it sits close to one of the app's own names. Each group names the documentation that
 * says the tool reads it. A `*` at the end matches any suffix.
 */
export interface ThirdPartyEnvGroup {
  tool: string;
  names: readonly string[];
  source: string;
}

export const THIRD_PARTY_ENV: readonly ThirdPartyEnvGroup[] = [
  {
    tool: 'CPython',
    names: ['PYTHON*'],
    source: 'https://docs.python.org/3/using/cmdline.html#environment-variables',
  },
  {
    tool: 'pip / uv / poetry / virtualenv',
    names: ['PIP_*', 'UV_*', 'POETRY_*', 'VIRTUAL_ENV', 'PIPENV_*'],
    source: 'https://pip.pypa.io/en/stable/topics/configuration/#environment-variables',
  },
  {
    tool: 'POSIX / libc / shells',
    names: ['TZ', 'LANG', 'LANGUAGE', 'LC_*', 'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'HOSTNAME', 'TMPDIR', 'PWD', 'DEBIAN_FRONTEND', 'LD_LIBRARY_PATH', 'LD_PRELOAD', 'MALLOC_ARENA_MAX'],
    source: 'https://pubs.opengroup.org/onlinepubs/9699919799/basedefs/V1_chap08.html',
  },
  {
    tool: 'gunicorn',
    names: ['GUNICORN_CMD_ARGS', 'WEB_CONCURRENCY', 'PORT', 'FORWARDED_ALLOW_IPS'],
    source: 'https://docs.gunicorn.org/en/stable/settings.html',
  },
  {
    tool: 'uvicorn',
    names: ['UVICORN_*', 'WEB_CONCURRENCY', 'FORWARDED_ALLOW_IPS'],
    source: 'https://www.uvicorn.org/settings/',
  },
  {
    tool: 'Django',
    names: ['DJANGO_SETTINGS_MODULE', 'DJANGO_ALLOW_ASYNC_UNSAFE', 'DJANGO_COLORS', 'DJANGO_SUPERUSER_*'],
    source: 'https://docs.djangoproject.com/en/stable/topics/settings/#designating-the-settings',
  },
  {
    tool: 'Celery',
    names: ['CELERY_*', 'C_FORCE_ROOT', 'FORKED_BY_MULTIPROCESSING'],
    source: 'https://docs.celeryq.dev/en/stable/userguide/configuration.html',
  },
  {
    tool: 'Sentry SDK',
    names: ['SENTRY_*'],
    source: 'https://docs.sentry.io/platforms/python/configuration/options/',
  },
  {
    tool: 'AWS SDKs (boto3, botocore)',
    names: ['AWS_*'],
    source: 'https://docs.aws.amazon.com/sdkref/latest/guide/environment-variables.html',
  },
  {
    tool: 'Google Cloud client libraries',
    names: ['GOOGLE_APPLICATION_CREDENTIALS', 'GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT', 'GCP_PROJECT'],
    source: 'https://cloud.google.com/docs/authentication/application-default-credentials',
  },
  {
    tool: 'Azure SDKs',
    names: ['AZURE_*'],
    source: 'https://learn.microsoft.com/en-us/azure/developer/python/sdk/authentication/overview',
  },
  {
    tool: 'libpq (psycopg)',
    names: ['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE', 'PGSSLMODE', 'PGPASSFILE', 'PGSERVICE', 'PGCONNECT_TIMEOUT', 'PGAPPNAME', 'PGOPTIONS', 'PGTZ'],
    source: 'https://www.postgresql.org/docs/current/libpq-envars.html',
  },
  {
    tool: 'postgres image',
    names: ['POSTGRES_*', 'PGDATA'],
    source: 'https://hub.docker.com/_/postgres',
  },
  {
    tool: 'mysql / mariadb images',
    names: ['MYSQL_*', 'MARIADB_*'],
    source: 'https://hub.docker.com/_/mysql',
  },
  {
    tool: 'redis / rabbitmq / mongo images',
    names: ['REDIS_ARGS', 'RABBITMQ_*', 'MONGO_INITDB_*'],
    source: 'https://hub.docker.com/_/rabbitmq',
  },
  {
    tool: 'OpenTelemetry',
    names: ['OTEL_*'],
    source: 'https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/',
  },
  {
    tool: 'Datadog / New Relic agents',
    names: ['DD_*', 'NEW_RELIC_*'],
    source: 'https://docs.datadoghq.com/tracing/trace_collection/library_config/python/',
  },
  {
    tool: 'HTTP clients (requests, httpx, urllib) and OpenSSL',
    names: ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SSL_CERT_FILE', 'SSL_CERT_DIR'],
    source: 'https://requests.readthedocs.io/en/latest/user/advanced/#proxies',
  },
  {
    tool: 'Hugging Face / tokenizers / threading',
    names: ['HF_*', 'TRANSFORMERS_*', 'TOKENIZERS_PARALLELISM', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'],
    source: 'https://huggingface.co/docs/huggingface_hub/package_reference/environment_variables',
  },
  {
    tool: 'Node.js',
    names: ['NODE_ENV', 'NODE_OPTIONS', 'NPM_CONFIG_*'],
    source: 'https://nodejs.org/api/cli.html#environment-variables',
  },
];

const exact = new Map<string, ThirdPartyEnvGroup>();
const prefixes: { prefix: string; group: ThirdPartyEnvGroup }[] = [];
for (const g of THIRD_PARTY_ENV)
  for (const n of g.names) {
    if (n.endsWith('*')) prefixes.push({ prefix: n.slice(0, -1), group: g });
    else if (!exact.has(n)) exact.set(n, g);
  }

/** The tool that reads this variable, when it is a well-known third-party one (case-sensitive, as the tools are). */
export function thirdPartyEnv(name: string): ThirdPartyEnvGroup | undefined {
  return exact.get(name) ?? prefixes.find((p) => name.startsWith(p.prefix))?.group;
}
