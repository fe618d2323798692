import type { Location } from '../../core/location.js';
import { appServices, dotenvMayProvide } from '../../model/app/query.js';
import type { SettingsClass, SettingsField } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { printenv, serviceLocation } from './_shared.js';

/** Defaults that only make sense on a laptop: placeholders, `secret`, `dev`, `insecure`, Django's generated dev key. */
const INSECURE = /^(?:change[-_. ]?me\b.*|secret|dev|development|insecure|test|testing|password|passwd|default|example|dummy|local|admin|debug|supersecret|super[-_]secret|s3cr3t|qwerty|not[-_ ]?(?:a[-_ ]?)?secret|replace[-_ ]?me|todo|x{3,}|1234\d*|django-insecure-.*)$|change[-_ ]?(?:me|this)|insecure|do[-_ ]?not[-_ ]?use/i;

function insecureDefault(f: SettingsField): boolean {
  if (f.secret && typeof f.defaultValue === 'string' && f.defaultValue !== '' && INSECURE.test(f.defaultValue)) return true;
  return isDebugFlag(f) && f.defaultValue === true;
}

const isDebugFlag = (f: SettingsField): boolean => f.kind === 'bool' && /(?:^|\.)(?:debug|debug_mode|reload|testing)$/i.test(f.path);

export default defineRule({
  meta: {
    id: 'env/insecure-default',
    severity: 'high',
    title: 'Secret or safety flag keeps an insecure default in production',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'In a production environment, a secret-looking setting keeps a development default (`secret_key: str = "change-me"`, `"secret"`, `"dev"`, `"insecure"`), or a debug flag keeps `debug: bool = True`, because nothing sets it for a service that runs the app (or it is set from a `${VAR}` that nothing defines, which Compose turns into an empty string).',
      why: 'pydantic-settings falls back to the field\'s default when no variable names it, silently: the app starts and signs sessions, tokens and password-reset links with a key that is in the repository (anyone can forge them), or serves debug pages with stack traces and settings. An unset `${SECRET_KEY}` is worse: Compose substitutes an empty string (with only a warning), so the key is empty.',
      fix: 'Set the variable for every service that runs the app in production (from a secret store or an env_file that is not committed), and consider removing the default so a missing secret fails at startup instead (`secret_key: SecretStr` with no default).',
      verify: 'docker compose -f <files> exec <service> python -c "from app.settings import settings; print(settings.secret_key != \'change-me\' and bool(settings.secret_key))"',
      references: [
        { title: 'pydantic-settings: default values are used when the variable is not set', url: 'https://docs.pydantic.dev/latest/concepts/pydantic_settings/#usage' },
        { title: 'Compose interpolation: unset variables become empty strings', url: 'https://docs.docker.com/reference/compose-file/interpolation/' },
        { title: 'Django deployment checklist: SECRET_KEY and DEBUG', url: 'https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#critical-settings' },
        { title: 'OWASP: use of hard-coded credentials', url: 'https://owasp.org/www-community/vulnerabilities/Use_of_hard-coded_password' },
      ],
    },
  },
  check({ model, report }) {
    // a default kept by several services is one defect per environment, located at the default
    const kept = new Map<string, { env: string; cls: SettingsClass; field: SettingsField; services: string[]; related: Location[]; verify: string }>();
    for (const view of appServices(model)) {
      if (!view.env.production) continue;
      for (const [cls, vals] of view.values)
        for (const r of vals.values()) {
          const f = r.field;
          if (!insecureDefault(f)) continue;
          const name = f.envNames[0];
          if (r.source === 'default' && !dotenvMayProvide(view, cls, f.envNames)) {
            const key = `${view.env.name}\0${cls.module}:${cls.name}.${f.path}`;
            const g = kept.get(key) ?? { env: view.env.name, cls, field: f, services: [], related: [], verify: printenv(view.env, view.svc, name ? [name] : []) };
            g.services.push(view.svc.name);
            g.related.push(serviceLocation(view.svc));
            kept.set(key, g);
            continue;
          }
          // set, but from `${VAR}` that nothing defines: Compose substitutes an empty string
          const v = r.variable;
          if (r.source === 'env' && v && v.unset.length && v.value === '' && f.secret) {
            report({
              message: `In ${view.env.name}, ${v.name} of service "${view.svc.name}" comes from \${${v.unset[0]}}, which no .env or shell variable drydock can see defines: Compose substitutes an empty string, so \`${f.path}\` of ${cls.name} is empty instead of a secret (its default would be the placeholder ${f.default}).`,
              location: v.loc,
              environment: view.env.name,
              service: view.svc.name,
              related: [{ location: f.loc, message: `${cls.name}.${f.path} defaults to a placeholder` }],
              key: `${cls.name}.${f.path}\0empty`,
              verify: [printenv(view.env, view.svc, [v.name])],
            });
          }
        }
    }
    for (const g of kept.values()) {
      const f = g.field;
      const who = g.services.length === 1 ? `service "${g.services[0]}"` : `services ${g.services.map((s) => `"${s}"`).join(', ')}`;
      const what = f.secret ? `the placeholder ${f.default}` : `${f.default}`;
      const consequence = f.secret ? 'anyone who reads the repository can forge what the app signs with it' : 'debug mode exposes stack traces and settings to visitors';
      report({
        message: `In ${g.env}, nothing sets ${f.envNames.join(' or ') || f.path} for ${who}, so \`${f.path}\` of ${g.cls.name} keeps ${what}: ${consequence}.`,
        location: f.loc,
        environment: g.env,
        ...(g.services.length === 1 ? { service: g.services[0] } : {}),
        related: g.related.map((l, i) => ({ location: l, message: `service "${g.services[i]}" (no ${f.envNames[0] ?? f.path})` })),
        key: `${g.cls.name}.${f.path}\0${g.services.join(',')}`,
        verify: [g.verify],
      });
    }
  },
});
