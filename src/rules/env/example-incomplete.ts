import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import { appServices, describeRead, isProvided, missingEnvReads } from '../../model/app/query.js';
import type { EnvironmentModel, ProjectModel } from '../../model/types.js';
import { defineRule } from '../define-rule.js';

/** `.env.example`, `.env.production.example`, `.env.sample`, `.env.template`, `example.env`, `.env.example.production` */
const EXAMPLE = /^(?:\.env(?:\.([\w-]+))?\.(?:example|sample|template|dist|tmpl)|\.env\.(?:example|sample)\.([\w-]+)|(?:example|sample)\.env)$/;
const SHELL = new Set(['HOME', 'USER', 'PWD', 'PATH', 'SHELL', 'HOSTNAME', 'LOGNAME']);
const PRODUCTION = /^(?:prod|production|live)$/i;

interface Need {
  name: string;
  why: string;
  loc: Location;
}

function matchesEnvironment(scope: string | undefined, env: EnvironmentModel): boolean {
  if (!scope) return true;
  const name = env.name.split('/').pop()!;
  if (scope.toLowerCase() === name.toLowerCase()) return true;
  return PRODUCTION.test(scope) && env.production;
}

/** What a deployer of these environments must provide: unset-able interpolations and required app variables not written in compose or the image. */
function needs(model: ProjectModel, envs: EnvironmentModel[]): Map<string, Need> {
  const out = new Map<string, Need>();
  const add = (n: Need): void => {
    if (!out.has(n.name)) out.set(n.name, n);
  };
  for (const env of envs)
    for (const u of env.interpolations) {
      if (SHELL.has(u.name) || u.resolvedFrom === 'shell') continue;
      // defined by a committed .env: every checkout has it
      if (u.resolvedFrom && model.tree.git?.tracked.has(u.resolvedFrom.file)) continue;
      if (u.form === 'plain' || u.form === 'required' || u.form === 'required-unset') add({ name: u.name, why: `compose interpolates \${${u.name}} without a default`, loc: u.loc });
    }
  const names = new Set(envs.map((e) => e.name));
  for (const view of appServices(model)) {
    if (!names.has(view.env.name)) continue;
    for (const [cls, vals] of view.values) {
      if (cls.opaque) continue;
      for (const r of vals.values()) {
        const f = r.field;
        if (!f.required || f.nested || !f.envNames.length) continue;
        // written in compose `environment` or the image: not the deployer's to provide
        const v = r.variable;
        if (isProvided(r) && v && v.from !== 'env_file' && !v.unset.length) continue;
        if (f.parent && !vals.get(f.parent)?.field.required) continue;
        add({ name: f.envNames[0]!, why: `\`${f.path}\` of ${cls.name} is required`, loc: f.loc });
      }
    }
    for (const r of missingEnvReads(view)) add({ name: r.name, why: `${r.module} reads ${describeRead(r)}`, loc: r.loc });
    for (const r of view.app.envReads) {
      if (!r.required || !r.atImport) continue;
      const v = view.vars.get(r.name);
      if (v && v.from === 'env_file') add({ name: r.name, why: `${r.module} reads it without a default`, loc: r.loc });
    }
  }
  return out;
}

export default defineRule({
  meta: {
    id: 'env/example-incomplete',
    severity: 'medium',
    title: 'Example env file lacks variables the deployment needs',
    fixable: 'safe',
    status: 'stable',
    docs: {
      summary: 'An example env file (`.env.example`, `.env.production.example`, `.env.sample`) does not list variables that compose interpolates without a default, or that the app\'s required settings need and compose does not write itself.',
      why: 'The example file is what people copy to create the real `.env` / env_file on a new server or laptop. A variable missing from it is missing on the next deploy: Compose turns an unset `${VAR}` into an empty string (a blank password, a blank secret key) with only a warning, and a required Pydantic field without its variable stops the app at startup with "Field required".',
      fix: 'Add the missing names to the example file (with an empty or placeholder value and a comment on where the real value comes from). The fix appends `NAME=` lines at the end of the file.',
      verify: 'cp .env.example .env && docker compose -f <files> config --quiet   # no "variable is not set" warnings',
      fixSafety: 'Safe: it only appends empty `NAME=` assignments and a comment to the example file, which nothing loads at runtime; existing lines are untouched.',
      references: [
        { title: 'Compose: interpolation (unset variables, ${VAR:?err})', url: 'https://docs.docker.com/reference/compose-file/interpolation/' },
        { title: 'Compose: set environment variables with an env file', url: 'https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/#env-file' },
        { title: 'pydantic-settings: required fields are read from the environment', url: 'https://docs.pydantic.dev/latest/concepts/pydantic_settings/#usage' },
      ],
    },
  },
  check({ model, report }) {
    for (const path of [...model.tree.files].sort()) {
      const m = EXAMPLE.exec(posix.basename(path));
      if (!m) continue;
      const scope = m[1] ?? m[2];
      const dir = posix.dirname(path);
      const envs = model.environments.filter((e) => (e.projectDir === dir || (e.projectDir === '.' && dir === '.')) && matchesEnvironment(scope, e));
      if (!envs.length) continue;
      const file = model.envFiles.get(path);
      const src = model.sources.get(path);
      if (!file || !src) continue;
      const have = new Set(file.entries.map((e) => e.key));
      const haveUpper = new Set([...have].map((k) => k.toUpperCase()));
      const missing = [...needs(model, envs).values()].filter((n) => !have.has(n.name) && !haveUpper.has(n.name.toUpperCase())).sort((a, b) => (a.name < b.name ? -1 : 1));
      if (!missing.length) continue;
      const text = src.text;
      const lead = text.length && !text.endsWith('\n') ? '\n' : '';
      const added = `${lead}${text.length ? '\n' : ''}# Added by drydock: needed by ${envs.map((e) => e.name).join(', ')} (fill in, or keep empty if optional)\n${missing.map((n) => `${n.name}=\n`).join('')}`;
      report({
        message: `${path} does not list ${missing.map((n) => n.name).join(', ')}, which ${missing.length === 1 ? 'this deployment needs' : 'these deployments need'} (${missing.map((n) => `${n.name}, because ${n.why}`).join('; ')}): an env file created from this example leaves ${missing.length === 1 ? 'it' : 'them'} unset.`,
        location: { file: path },
        related: missing.map((n) => ({ location: n.loc, message: `needed because ${n.why}` })),
        key: missing.map((n) => n.name).join(','),
        fix: {
          description: `Append ${missing.map((n) => `${n.name}=`).join(', ')} to ${path}`,
          safety: 'safe',
          edits: [{ file: path, start: text.length, end: text.length, text: added }],
        },
        verify: [`docker compose ${envs[0]!.composeFiles.map((f) => `-f ${f}`).join(' ')} --env-file ${path} config --quiet`],
      });
    }
  },
});
