import { judgeVariable } from '../../model/app/names.js';
import { appServices } from '../../model/app/query.js';
import type { Location } from '../../core/location.js';
import { defineRule } from '../define-rule.js';
import { printenv, where } from './_shared.js';

export default defineRule({
  meta: {
    id: 'env/unknown-setting',
    severity: 'high',
    title: 'Variable given to the app matches no setting',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A variable a service passes to the application looks like one of its Pydantic settings (same `env_prefix`, the nested-delimiter shape of a nested model, or a near miss of a known name) but no field reads it, e.g. `DATABASE__NAME` where the nested model field is `database.database`.',
      why: 'pydantic-settings looks up each field under its own names only (`env_prefix` + field name, or the field\'s alias; nested fields as `PARENT` + `env_nested_delimiter` + `CHILD`) and ignores every other variable of the process environment (`extra="forbid"` only applies to its own dotenv file). A misspelt or misshaped name is therefore silently dropped: the app starts with the field\'s default (`shop`, `localhost`, `False`) and connects to the wrong database, runs without the intended feature or with a default secret, with no error at startup. Variables of other tools (`PYTHONUNBUFFERED`, `TZ`, `POSTGRES_*`, `SENTRY_DSN`, `AWS_*`, ...) and names the code reads directly (`os.environ`) or mentions are not judged.',
      fix: 'Rename the variable to the name the setting reads (the message says which), or add the field to the settings class if the app should read it. With nested models, remember the delimiter (`__`) and the sub-field\'s exact name.',
      verify: 'docker compose -f <files> exec <service> python -c "from app.settings import settings; print(settings.model_dump())"   # the field shows the value you set',
      references: [
        { title: 'pydantic-settings: environment variable names (env_prefix, aliases, case-sensitivity)', url: 'https://docs.pydantic.dev/latest/concepts/pydantic_settings/#environment-variable-names' },
        { title: 'pydantic-settings: parsing environment variable values (env_nested_delimiter)', url: 'https://docs.pydantic.dev/latest/concepts/pydantic_settings/#parsing-environment-variable-values' },
        { title: 'pydantic-settings: dotenv support (extra applies to the dotenv file)', url: 'https://docs.pydantic.dev/latest/concepts/pydantic_settings/#dotenv-env-support' },
      ],
    },
  },
  check({ model, report }) {
    const mentioned = model.app?.mentioned;
    // one finding per variable definition per environment, naming every service it reaches
    const groups = new Map<string, { loc: Location; env: string; name: string; services: string[]; message: (services: string[]) => string; verify: string }>();
    for (const view of appServices(model)) {
      for (const v of view.vars.values()) {
        const verdict = judgeVariable(view.app, v.name, mentioned);
        if (!verdict) continue;
        // an image's own ENV (`APP_HOME=/srv`) only counts when it clearly aims at a setting
        if (v.from === 'dockerfile' && verdict.reason === 'prefix' && !verdict.suggestion) continue;
        const key = `${view.env.name}\0${where(v.loc)}\0${v.name}`;
        const g = groups.get(key);
        if (g) {
          if (!g.services.includes(view.svc.name)) g.services.push(view.svc.name);
          continue;
        }
        const s = verdict.suggestion;
        const cls = verdict.cls;
        const what =
          verdict.reason === 'nested' && verdict.nestedField
            ? `the nested model \`${verdict.nestedField.path}\` of ${cls.name} (${cls.module}) has no field for it`
            : verdict.reason === 'prefix'
              ? `no field of ${cls.name} (${cls.module}) reads it, although it carries the env_prefix "${cls.envPrefix}"`
              : `no field of ${cls.name} (${cls.module}) reads it`;
        const dym = s ? ` Did you mean ${s.name} (\`${s.field.path}\`)?` : '';
        const fallback = s ? ` so \`${s.field.path}\` keeps ${s.field.default !== undefined && !s.field.secret ? `its default ${s.field.default}` : s.field.required ? 'no value (a required field: startup fails)' : 'its default'}` : '';
        groups.set(key, {
          loc: v.loc,
          env: view.env.name,
          name: v.name,
          services: [view.svc.name],
          message: (services) =>
            `${v.name} is set for ${services.length === 1 ? `service "${services[0]}"` : `services ${services.map((x) => `"${x}"`).join(', ')}`}, but ${what}: pydantic-settings ignores it${fallback ? `,${fallback}` : ''}.${dym}`,
          verify: printenv(view.env, view.svc, [v.name, ...(s ? [s.name] : [])]),
        });
      }
    }
    for (const g of groups.values())
      report({
        message: g.message(g.services),
        location: g.loc,
        environment: g.env,
        ...(g.services.length === 1 ? { service: g.services[0] } : {}),
        key: `${g.name}\0${g.services.join(',')}`,
        verify: [g.verify],
      });
  },
});
