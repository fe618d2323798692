import type { RelatedLocation } from '../../core/finding.js';
import { appServices, dotenvMayProvide, isProvided, type AppServiceView } from '../../model/app/query.js';
import type { SettingsField } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { printenv, where } from './_shared.js';

/**
 * Fields whose absence on one sibling is a defect: secrets and members of a nested group
 * (database.*, vault.*). Required fields are left to env/required-setting-missing (critical).
 */
const matters = (f: SettingsField): boolean => !f.nested && !f.required && (f.secret || f.parent !== undefined);

/** Services that run the same code: the same build context (any target) and the same settings classes. */
function groupKey(v: AppServiceView): string {
  return `${v.env.name}\0${v.svc.build?.context ?? v.svc.image?.value ?? ''}\0${v.app.settings.map((s) => `${s.module}:${s.name}`).join(',')}`;
}

export default defineRule({
  meta: {
    id: 'env/sibling-drift',
    severity: 'high',
    title: 'Services running the same app get different settings coverage',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'Services built from the same context and running the same settings (web and worker, api and scheduler) do not get the same required, secret or grouped settings: `web` gets `DATABASE__HOST`/`DATABASE__PASSWORD`, `worker` gets none of them and falls back to the defaults.',
      why: 'Every process that imports the settings reads its own environment. A sibling that lacks a variable the other one gets silently runs with the field\'s default (`localhost`, an empty password, the development secret, Vault disabled): the worker cannot reach the database, signs with a different key than the web app, or skips production behaviour, and it only shows when a task fails. Compose gives each service only its own `environment`/`env_file`; an overlay that adds variables to one service does not add them to its sibling.',
      fix: 'Give the sibling the same variables: a shared `env_file`, a YAML anchor/`x-` extension merged into both services, or `extends`. If the sibling really needs none of that group, drydock cannot know it: suppress the finding with a reason.',
      verify: 'docker compose -f <files> exec <sibling> printenv <NAMES>   # the same names as the service that has them',
      references: [
        { title: 'Compose: environment and env_file are per service', url: 'https://docs.docker.com/compose/how-tos/environment-variables/set-environment-variables/' },
        { title: 'Compose: fragments and extensions (share environment between services)', url: 'https://docs.docker.com/reference/compose-file/fragments/' },
        { title: 'pydantic-settings: defaults are used when the variable is not set', url: 'https://docs.pydantic.dev/latest/concepts/pydantic_settings/#usage' },
      ],
    },
  },
  check({ model, report }) {
    const groups = new Map<string, AppServiceView[]>();
    for (const v of appServices(model)) {
      if (!v.app.settings.length) continue;
      const k = groupKey(v);
      groups.set(k, [...(groups.get(k) ?? []), v]);
    }
    for (const views of groups.values()) {
      if (views.length < 2) continue;
      for (const b of views) {
        const lacks = new Map<string, { field: SettingsField; givenBy: string[]; related: RelatedLocation[] }>();
        for (const [cls, bVals] of b.values) {
          if (cls.opaque) continue;
          for (const a of views) {
            if (a === b) continue;
            const aVals = a.values.get(cls);
            if (!aVals) continue;
            for (const [path, ar] of aVals) {
              const f = ar.field;
              if (!matters(f) || !isProvided(ar) || ar.variable?.unset.length) continue;
              const br = bVals.get(path);
              if (isProvided(br) || dotenvMayProvide(b, cls, f.envNames)) continue;
              // the sibling gets the default; only a difference if the other value is not the default too
              if (ar.value !== undefined && f.defaultValue !== undefined && JSON.stringify(ar.value) === JSON.stringify(f.defaultValue)) continue;
              const e = lacks.get(path) ?? { field: f, givenBy: [], related: [] };
              if (!e.givenBy.includes(a.svc.name)) {
                e.givenBy.push(a.svc.name);
                const src = ar.variable ?? ar.viaJson;
                if (src) e.related.push({ location: src.loc, message: `${src.name} is set for "${a.svc.name}" (${where(src.loc)})` });
              }
              lacks.set(path, e);
            }
          }
        }
        if (!lacks.size) continue;
        const list = [...lacks.values()].sort((x, y) => (x.field.path < y.field.path ? -1 : 1));
        const names = list.map((l) => l.field.envNames[0] ?? l.field.path);
        const others = [...new Set(list.flatMap((l) => l.givenBy))];
        const consequences = list.map((l) => `\`${l.field.path}\` ${l.field.secret ? 'keeps its default secret' : `falls back to ${l.field.default ?? 'its default'}`}`);
        report({
          message: `Service "${b.svc.name}" runs the same settings as ${others.map((o) => `"${o}"`).join(', ')} but does not get ${names.join(', ')}, which ${others.length === 1 ? `"${others[0]}" gets` : 'they get'}: in "${b.svc.name}" ${consequences.join(', ')}.`,
          location: b.svc.loc,
          environment: b.env.name,
          service: b.svc.name,
          related: list.flatMap((l) => l.related),
          key: names.join(','),
          verify: [printenv(b.env, b.svc, names)],
        });
      }
    }
  },
});
