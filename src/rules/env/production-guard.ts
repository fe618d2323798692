import type { RelatedLocation } from '../../core/finding.js';
import { evaluateGuard, guardSettings } from '../../model/app/guards.js';
import { appServices, settingLookup } from '../../model/app/query.js';
import type { SettingValue } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { printenv, where } from './_shared.js';

const show = (v: SettingValue | undefined, secret: boolean): string => (v === undefined ? 'unknown' : secret && v !== '' && v !== null ? '(set)' : JSON.stringify(v));

export default defineRule({
  meta: {
    id: 'env/production-guard',
    severity: 'critical',
    title: 'Production environment fails the app\'s own startup check',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'The app refuses to start in production unless a condition holds (`if settings.environment == "production" and not settings.vault.enabled: raise ...`, in a module or a `@model_validator`), and the production environment, with the settings\' defaults, does not satisfy it.',
      why: 'Such guards run when the settings are built or the module is imported, so the container exits with the guard\'s exception (`ValueError: TRUSTED_HOSTS must be set in production`, wrapped in pydantic\'s ValidationError for validators) and restarts in a loop; the deploy fails. drydock evaluates the condition with what the service really gets (image ENV, env_file, environment) parsed as pydantic parses it (booleans accept true/false/1/0/yes/no/on/off) and the fields\' defaults for everything unset. A guard that reads a different field than the one the environment sets is still unsatisfied.',
      fix: 'Set the settings the guard requires for every service that runs the app in production (the message lists the values drydock used and where they come from), or change the guard if it is wrong.',
      verify: 'docker compose -f <files> up -d && docker compose -f <files> ps   # the app services are running, not restarting; docker compose logs <service> shows no guard error',
      references: [
        { title: 'pydantic: model validators (mode="after" runs on the built model)', url: 'https://docs.pydantic.dev/latest/concepts/validators/#model-validators' },
        { title: 'pydantic-settings: parsing environment variable values', url: 'https://docs.pydantic.dev/latest/concepts/pydantic_settings/#parsing-environment-variable-values' },
        { title: 'pydantic conversion table (str → bool, int)', url: 'https://docs.pydantic.dev/latest/concepts/conversion_table/' },
      ],
    },
  },
  check({ model, report }) {
    for (const view of appServices(model)) {
      if (!view.env.production) continue;
      for (const g of view.app.guards) {
        const cls = view.app.settings.find((c) => c.name === g.settingsClass);
        const vals = cls && view.values.get(cls);
        if (!cls || !vals) continue;
        if (evaluateGuard(g.condition, settingLookup(view, cls)) !== true) continue;
        const lookup = settingLookup(view, cls);
        const related: RelatedLocation[] = [];
        const parts: string[] = [];
        for (const path of [...new Set(guardSettings(g.condition))]) {
          const r = vals.get(path);
          if (!r) continue;
          const v = lookup(path);
          const src = r.variable ?? r.viaJson;
          if (src) {
            parts.push(`${path}=${show(v, r.field.secret)} (from ${src.name} at ${where(src.loc)})`);
            related.push({ location: src.loc, message: `${src.name} sets ${path}` });
          } else {
            parts.push(`${path}=${show(v, r.field.secret)} (default${r.field.envNames.length ? `; nothing sets ${r.field.envNames[0]}` : ''})`);
            related.push({ location: r.field.loc, message: `${path} defaults to ${show(v, r.field.secret)}` });
          }
        }
        const raised = g.exception ? `${g.exception}${g.message !== undefined ? `("${g.message}")` : ''}` : 'an exception';
        report({
          message: `In ${view.env.name}, service "${view.svc.name}" starts with ${parts.join(', ')}, so \`${g.text}\` holds and the app raises ${raised} at startup: the container exits and restarts in a loop.`,
          location: g.loc,
          environment: view.env.name,
          service: view.svc.name,
          related,
          key: `${g.module}:${g.text}`,
          verify: [printenv(view.env, view.svc, guardSettings(g.condition).flatMap((p) => vals.get(p)?.field.envNames.slice(0, 1) ?? []))],
        });
      }
    }
  },
});
