import { appServices, describeRead, missingEnvReads, missingRequired } from '../../model/app/query.js';
import type { EnvRead } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { printenv, serviceLocation, where } from './_shared.js';

export default defineRule({
  meta: {
    id: 'env/required-setting-missing',
    severity: 'critical',
    title: 'Required setting not provided',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A service that runs the app does not get a variable the app cannot start without: a Pydantic settings field with no default, `os.environ["X"]` / django-environ `env("X")` without a default read at import time, or in Node code `process.env.X` used without a fallback when a module loads, an envalid `cleanEnv` spec or a zod schema parsed from `process.env` without a default.',
      why: 'A settings field without a default is required: when no variable (nor the class\'s own env_file) provides it, instantiating the settings raises `pydantic_core.ValidationError: 1 validation error for Settings / database_url / Field required`; `os.environ["X"]` raises `KeyError: \'X\'` and django-environ raises `ImproperlyConfigured: Set the X environment variable`. Both happen when the module is imported, so the container exits at startup and restarts in a loop. In Node, envalid\'s `cleanEnv` prints "Missing environment variables" and exits, and zod\'s `.parse(process.env)` throws a ZodError; a bare `process.env.X` is `undefined`, which the app carries until it uses the value (reported as high rather than critical). drydock counts what the service really gets: the image\'s ENV, compose `env_file` and `environment`, and the settings class\'s own `env_file` when it ships in the build context; values left to the deploying shell (`environment: [X]`) count as provided.',
      fix: 'Provide the variable for that service in that environment (`environment:` or an `env_file` the overlay loads), give the field a default, or make the read optional (`os.environ.get("X", default)`, `process.env.X ?? default`, envalid `default:`, zod `.default()`).',
      verify: 'docker compose -f <files> up -d <service> && docker compose -f <files> ps <service>   # running, not restarting',
      references: [
        { title: 'pydantic-settings: usage (fields without defaults are read from the environment)', url: 'https://docs.pydantic.dev/latest/concepts/pydantic_settings/#usage' },
        { title: 'pydantic: required fields', url: 'https://docs.pydantic.dev/latest/concepts/models/#required-fields' },
        { title: 'Python os.environ (a mapping: missing keys raise KeyError)', url: 'https://docs.python.org/3/library/os.html#os.environ' },
        { title: 'Node.js process.env (unset variables are undefined)', url: 'https://nodejs.org/api/process.html#processenv' },
        { title: 'envalid: cleanEnv, default and devDefault', url: 'https://github.com/af/envalid#readme' },
        { title: 'zod: .parse() throws ZodError; .optional() and .default()', url: 'https://zod.dev/basics' },
        { title: 'django-environ Env.get_value: "Set the X environment variable" (ImproperlyConfigured) without a default', url: 'https://github.com/joke2k/django-environ/blob/main/environ/environ.py' },
      ],
    },
  },
  check({ model, report }) {
    for (const view of appServices(model)) {
      const { env, svc } = view;
      const at = serviceLocation(svc);
      for (const cls of view.app.settings)
        for (const r of missingRequired(view, cls)) {
          const f = r.field;
          const names = f.envNames.length ? f.envNames : [f.path];
          const nestedHint = f.nested && names.length ? ` (or its nested variables ${names[0]}${cls.nestedDelimiter ?? '__'}...)` : '';
          report({
            message: `Service "${svc.name}" does not set ${names.join(' or ')}${nestedHint}, and \`${f.path}\` of ${cls.name} has no default: the app fails at startup with pydantic's "Field required" ValidationError.`,
            location: at,
            environment: env.name,
            service: svc.name,
            related: [{ location: f.loc, message: `${cls.name}.${f.path} is required (no default)` }],
            key: `${cls.module}:${cls.name}.${f.path}`,
            verify: [printenv(env, svc, names.slice(0, 1))],
          });
        }
      for (const r of missingEnvReads(view))
        report({
          message: `Service "${svc.name}" does not set ${r.name}, which ${r.module} reads with ${describeRead(r)} ${r.language === 'node' ? 'when the module loads' : 'at import time'}: ${consequence(r)}.`,
          location: at,
          environment: env.name,
          service: svc.name,
          // a bare `process.env.X` does not throw: the app runs on with undefined until it uses the value
          ...(r.language === 'node' && r.via.startsWith('process.env') ? { severity: 'high' as const } : {}),
          related: [{ location: r.loc, message: `read without a default (${where(r.loc)})` }],
          key: `${r.module}:${r.name}`,
          verify: [printenv(env, svc, [r.name])],
        });
    }
  },
});

/** What the user sees when the variable is missing. */
function consequence(r: EnvRead): string {
  if (r.language === 'node') {
    if (r.via.startsWith('envalid.')) return `envalid's cleanEnv() reports "Missing environment variables: ${r.name}" and exits the process at startup`;
    if (r.via === 'zod') return 'the schema\'s .parse() throws a ZodError ("Required") and the app exits at startup';
    return `the app gets undefined instead of a value (a connection to "undefined", "Invalid URL", or a TypeError at the first use)`;
  }
  return r.via === 'os.environ[]' ? `the app fails at startup with KeyError: '${r.name}'` : 'the app fails at startup with ImproperlyConfigured';
}
