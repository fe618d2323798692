import { appServices, missingEnvReads, missingRequired } from '../../model/app/query.js';
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
      summary: 'A service that runs the app does not get a variable the app cannot start without: a Pydantic settings field with no default, or `os.environ["X"]` / django-environ `env("X")` without a default read at import time.',
      why: 'A settings field without a default is required: when no variable (nor the class\'s own env_file) provides it, instantiating the settings raises `pydantic_core.ValidationError: 1 validation error for Settings / database_url / Field required`; `os.environ["X"]` raises `KeyError: \'X\'` and django-environ raises `ImproperlyConfigured: Set the X environment variable`. Both happen when the module is imported, so the container exits at startup and restarts in a loop. drydock counts what the service really gets: the image\'s ENV, compose `env_file` and `environment`, and the settings class\'s own `env_file` when it ships in the build context; values left to the deploying shell (`environment: [X]`) count as provided.',
      fix: 'Provide the variable for that service in that environment (`environment:` or an `env_file` the overlay loads), give the field a default, or make the read optional (`os.environ.get("X", default)`).',
      verify: 'docker compose -f <files> up -d <service> && docker compose -f <files> ps <service>   # running, not restarting',
      references: [
        { title: 'pydantic-settings: usage (fields without defaults are read from the environment)', url: 'https://docs.pydantic.dev/latest/concepts/pydantic_settings/#usage' },
        { title: 'pydantic: required fields', url: 'https://docs.pydantic.dev/latest/concepts/models/#required-fields' },
        { title: 'Python os.environ (a mapping: missing keys raise KeyError)', url: 'https://docs.python.org/3/library/os.html#os.environ' },
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
          message: `Service "${svc.name}" does not set ${r.name}, which ${r.module} reads with ${r.via === 'os.environ[]' ? `os.environ["${r.name}"]` : `${r.via}("${r.name}")`} at import time: the app fails at startup with ${r.via === 'os.environ[]' ? `KeyError: '${r.name}'` : 'ImproperlyConfigured'}.`,
          location: at,
          environment: env.name,
          service: svc.name,
          related: [{ location: r.loc, message: `read without a default (${where(r.loc)})` }],
          key: `${r.module}:${r.name}`,
          verify: [printenv(env, svc, [r.name])],
        });
    }
  },
});
