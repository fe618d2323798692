import type { RelatedLocation } from '../../core/finding.js';
import type { DjangoSettingsFacts, PathSettingEntry } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { composeFlags, groupBy, locKey, pythonServices, sentence, serviceList, verb, where, type PythonService } from './_shared.js';

interface Hit {
  ps: PythonService;
  settings: DjangoSettingsFacts;
  entry: PathSettingEntry;
}

function effect(setting: string): string {
  if (setting === 'STATICFILES_DIRS') return "Django warns `staticfiles.W004 The directory … in the STATICFILES_DIRS setting does not exist` and collectstatic skips it, so the files meant to be there are never collected and their /static/ URLs return 404";
  return 'templates meant to be found there raise `TemplateDoesNotExist` (HTTP 500) unless an app directory happens to provide them';
}

/** The BASE_DIR expression with `levels` parents, in the style the project wrote it. */
function baseDirFix(text: string, levels: number): string {
  if (/os\.path\.dirname/.test(text)) return `${'os.path.dirname('.repeat(levels)}os.path.abspath(__file__)${')'.repeat(levels)}`;
  if (/parents\[/.test(text)) return `Path(__file__).resolve().parents[${levels - 1}]`;
  return `Path(__file__).resolve()${'.parent'.repeat(levels)}`;
}

export default defineRule({
  meta: {
    id: 'app/path-setting-missing',
    severity: 'high',
    title: 'Django path setting points at a directory that does not exist',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'STATICFILES_DIRS or TEMPLATES DIRS, evaluated the way the running process computes them, name a directory that does not exist in the container, typically because BASE_DIR is one level off after settings.py became a settings package.',
      why: '`BASE_DIR = Path(__file__).resolve().parent.parent` is the project root only while the settings live in `proj/settings.py`; once they move to `proj/settings/base.py` the same line gives `proj/`, and every `BASE_DIR / "static"` points one level too deep. drydock evaluates the settings module the service selects (following `from .base import *`) with `__file__` at its path in the image, then checks the directory against what the image and its bind mounts contain. Missing STATICFILES_DIRS entries make Django warn (staticfiles.W004, Django ≥ 4.0) and collectstatic skip them, so those static files 404 in production; missing template directories give `TemplateDoesNotExist`. The finding is high when the intended directory does exist (one level up, or elsewhere in the build context but not copied there), low when no such directory exists at all (only the warning remains).',
      fix: 'Fix the path (the message names the directory that does exist, e.g. one more `.parent` in BASE_DIR), or remove the entry. Check STATIC_ROOT and MEDIA_ROOT too when BASE_DIR changes: they move with it.',
      verify: 'docker compose -f <files> run --rm --no-deps --entrypoint python <service> manage.py check --deploy 2>&1 | grep -E "W004|TemplateDoesNotExist" ; docker compose -f <files> run --rm --no-deps --entrypoint python <service> manage.py findstatic <a file from that directory>',
      references: [
        { title: 'Django: STATICFILES_DIRS', url: 'https://docs.djangoproject.com/en/stable/ref/settings/#std-setting-STATICFILES_DIRS' },
        { title: 'Django ticket #27854 / PR #14056: staticfiles.W004 for nonexistent STATICFILES_DIRS (Django 4.0)', url: 'https://github.com/django/django/pull/14056' },
        { title: 'Django: TEMPLATES DIRS', url: 'https://docs.djangoproject.com/en/stable/ref/settings/#dirs' },
        { title: 'pathlib: PurePath.parent', url: 'https://docs.python.org/3/library/pathlib.html#pathlib.PurePath.parent' },
      ],
    },
  },
  check({ model, report }) {
    const hits: Hit[] = [];
    for (const ps of pythonServices(model)) {
      const settings = ps.py.django?.settings;
      if (!settings || settings.opaque) continue;
      for (const entry of settings.pathEntries) if (entry.exists === false && entry.setting !== 'LOCALE_PATHS') hits.push({ ps, settings, entry });
    }
    for (const group of groupBy(hits, (h) => `${h.ps.env.name}\0${locKey(h.entry.loc)}\0${h.entry.path}`)) {
      const { ps, settings, entry } = group[0]!;
      const services = [...new Set(group.map((h) => h.ps.svc.name))];
      const related: RelatedLocation[] = [];
      let hint = '';
      const base = settings.baseDir;
      if (entry.from && base && entry.from.name === 'BASE_DIR') {
        related.push({ location: base.loc, message: `BASE_DIR = ${base.value} in the container` });
        const alt = entry.alternative;
        if (alt && base.up !== undefined) {
          hint = ` ${alt.path} does exist: did you mean BASE_DIR = ${baseDirFix(base.text, base.up + alt.levelsUp)} (${base.up + alt.levelsUp} levels above ${settings.files.find((f) => f === base.loc.file) ?? base.loc.file})?`;
        }
      } else if (entry.alternative) hint = ` ${entry.alternative.path} does exist.`;
      const lost = !!entry.alternative || !!entry.inRepo?.length;
      if (!entry.alternative && entry.inRepo?.length) hint += ` The repository has ${entry.inRepo.join(', ')}, but the image does not put it at ${entry.path}.`;
      if (!lost) hint += ' No directory of that name exists in the build context either, so nothing is lost but the warning; remove the entry.';
      const baseNote = entry.from ? ` (${entry.from.name} = ${entry.from.base})` : '';
      report({
        message: `In ${ps.env.name}, ${serviceList(services)} ${verb(services, 'runs', 'run')} ${settings.module}, where ${entry.setting} entry \`${entry.text}\` is ${entry.path}${baseNote}: that directory does not exist in the container. ${sentence(effect(entry.setting))}.${hint}`,
        location: entry.loc,
        environment: ps.env.name,
        service: services[0]!,
        related,
        ...(lost ? {} : { severity: 'low' as const }),
        verify: [`docker compose ${composeFlags(ps.env)} run --rm --no-deps --entrypoint ls ${services[0]} -d ${entry.alternative && entry.from?.name === 'BASE_DIR' ? entry.alternative.path : entry.path}`],
        key: `${entry.setting}:${entry.path}@${where(entry.loc)}`,
      });
    }
  },
});
