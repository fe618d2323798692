import type { Location } from '../../core/location.js';
import { coerce } from '../../model/app/effective.js';
import { appServices } from '../../model/app/query.js';
import { looksSecretName } from '../../model/secrets.js';
import { defineRule } from '../define-rule.js';
import { printenv, where } from './_shared.js';

export default defineRule({
  meta: {
    id: 'env/type-mismatch',
    severity: 'high',
    title: 'Variable value does not parse as the setting\'s type',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A variable sets a settings field to a value pydantic cannot parse as the field\'s type: `PORT=abc` for an `int`, `ENABLED=maybe` for a `bool`, `MODE=prod` for `Literal["production", "staging"]`, `HOSTS=a.com,b.com` for a `list[str]` (pydantic-settings decodes lists as JSON); also `int(os.environ["X"])` with a non-integer value.',
      why: 'pydantic validates every value when the settings are built: a string that is not a valid int/float, a bool outside true/false/1/0/yes/no/on/off/t/f/y/n (any case), or a value outside a Literal/Enum raises `ValidationError` (`Input should be a valid integer, unable to parse string as an integer`), and a complex field that is not JSON raises `SettingsError: error parsing value for field "hosts" from source "EnvSettingsSource"`. The app exits at startup.',
      fix: 'Write the value the type accepts (`true`/`false` for bools, digits for ints, a JSON list `["a.com","b.com"]` for lists, one of the allowed values for Literal/Enum), or change the field\'s type (`Annotated[list[str], NoDecode]` with a validator for comma-separated lists).',
      verify: 'docker compose -f <files> run --rm <service> python -c "from app.settings import Settings; Settings()"',
      references: [
        { title: 'pydantic conversion table (str → int, float, bool in lax mode)', url: 'https://docs.pydantic.dev/latest/concepts/conversion_table/' },
        { title: 'pydantic-settings: parsing environment variable values (complex types are JSON)', url: 'https://docs.pydantic.dev/latest/concepts/pydantic_settings/#parsing-environment-variable-values' },
        { title: 'pydantic: Enums and choices (values must match a member)', url: 'https://docs.pydantic.dev/2.3/usage/types/enums/' },
        { title: 'django-environ Env.int / get_value (int() of the value)', url: 'https://github.com/joke2k/django-environ/blob/main/environ/environ.py' },
      ],
    },
  },
  check({ model, report }) {
    const groups = new Map<string, { loc: Location; env: string; services: string[]; message: (s: string[]) => string; verify: string; key: string }>();
    const add = (group: string, key: string, g: { loc: Location; env: string; svc: string; message: (s: string[]) => string; verify: string }): void => {
      const prev = groups.get(group);
      if (prev) {
        if (!prev.services.includes(g.svc)) prev.services.push(g.svc);
        return;
      }
      groups.set(group, { loc: g.loc, env: g.env, services: [g.svc], message: g.message, verify: g.verify, key });
    };
    const who = (s: string[]): string => (s.length === 1 ? `service "${s[0]}"` : `services ${s.map((x) => `"${x}"`).join(', ')}`);
    for (const view of appServices(model)) {
      for (const [cls, vals] of view.values)
        for (const r of vals.values()) {
          const src = r.variable ?? r.viaJson;
          if (!r.error || !src || src.unset.length) continue;
          const f = r.field;
          const shown = f.secret || looksSecretName(src.name) ? '' : ` "${src.value}"`;
          const via = r.viaJson ? ` (inside the JSON of ${src.name})` : '';
          add(`${view.env.name}\0${where(src.loc)}\0${f.path}`, `${src.name}\0${cls.name}.${f.path}`, {
            loc: src.loc,
            env: view.env.name,
            svc: view.svc.name,
            message: (s) => `${src.name}${shown}${via} ${r.error} for \`${f.path}: ${f.type || f.kind}\` of ${cls.name}: pydantic rejects it and ${who(s)} fails at startup with a ValidationError.`,
            verify: printenv(view.env, view.svc, [src.name]),
          });
        }
      for (const read of view.app.envReads) {
        // int() fails on anything but an integer; django-environ's env.float strips junk first, so only float() of os.environ counts
        if (!read.atImport || !(read.cast === 'int' || (read.cast === 'float' && read.via.startsWith('os.')))) continue;
        const v = view.vars.get(read.name);
        if (!v || v.value === null || v.unset.length) continue;
        const c = coerce({ kind: read.cast, type: read.cast }, v.value);
        if (c.ok) continue;
        const shown = looksSecretName(v.name) ? '' : ` "${v.value}"`;
        add(`${view.env.name}\0${where(v.loc)}\0${read.module}:${read.name}`, `${v.name}\0${read.module}`, {
          loc: v.loc,
          env: view.env.name,
          svc: view.svc.name,
          message: (s) => `${v.name}${shown} ${c.error}, but ${read.module} parses it with ${read.cast}() at import time (${where(read.loc)}): ${who(s)} fails at startup with ValueError.`,
          verify: printenv(view.env, view.svc, [v.name]),
        });
      }
    }
    for (const g of groups.values())
      report({
        message: g.message(g.services),
        location: g.loc,
        environment: g.env,
        ...(g.services.length === 1 ? { service: g.services[0] } : {}),
        key: g.key,
        verify: [g.verify],
      });
  },
});
