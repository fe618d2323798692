import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { EnvironmentModel, InterpolationUse, ProjectModel } from '../../model/types.js';
import { defineRule } from '../define-rule.js';

/** `.env.example`, `.env.production.example`, `.env.sample`, `.env.template`, `.env.dist` */
const EXAMPLE = /^\.env(?:\.[\w.-]+)?\.(?:example|sample|template|dist)$/;

/** The example env files in the project directory that list `name`. */
function examplesListing(model: ProjectModel, env: EnvironmentModel, name: string): string[] {
  const out: string[] = [];
  for (const [path, file] of model.envFiles) {
    if (posix.dirname(path) !== env.projectDir || !EXAMPLE.test(posix.basename(path))) continue;
    if (file.entries.some((e) => e.key === name)) out.push(path);
  }
  return out.sort();
}

/** The service whose mapping holds `loc` in its compose file, if any. */
function serviceAt(model: ProjectModel, loc: Location): string | undefined {
  const root = model.composeFiles.get(loc.file)?.root;
  const services = root?.entries.get('services')?.value;
  if (services?.kind !== 'map' || loc.startLine === undefined) return undefined;
  for (const [name, e] of services.entries) {
    const l = e.value.loc;
    if (l.startLine !== undefined && l.endLine !== undefined && loc.startLine >= l.startLine && loc.startLine <= l.endLine) return name;
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: 'compose/variable-unset',
    severity: 'high',
    title: 'Interpolated variable is not set anywhere',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A compose file uses `${VAR}` (or `$VAR`) without a default, and neither the `.env` file of the project directory nor the config\'s env files define it.',
      why: 'Compose substitutes an empty string for an unset variable and only prints a warning: `The "SECRET_KEY" variable is not set. Defaulting to a blank string.` The deployment goes ahead with a blank password, secret key, image tag or host name, and fails later (or worse, runs) in ways that do not point at the variable. Variables exported in the shell that runs `docker compose` do count, which is why it works on one machine and not on the next. When an example file (`.env.example`) lists the variable, the user is expected to copy it to `.env`; the finding is then `medium`. `${VAR:?message}` makes Compose stop with `required variable VAR is missing a value` instead, and `${VAR:-default}` supplies a value: neither is reported.',
      fix: 'Define the variable in `<project dir>/.env` (or the deploy environment), give it a default (`${VAR:-value}`), or mark it required (`${VAR:?set VAR in .env}`) so a missing value stops the deployment loudly.',
      verify: 'docker compose -f <files> config 2>&1 | grep -i "variable is not set"   # no output',
      references: [
        { title: 'Compose interpolation (unset variables, defaults, required)', url: 'https://docs.docker.com/reference/compose-file/interpolation/' },
        { title: 'Set, use, and manage variables: .env and interpolation', url: 'https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/' },
        { title: 'compose-go template/template.go (warning text, required variables)', url: 'https://github.com/compose-spec/compose-go/blob/main/template/template.go' },
      ],
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      const byName = new Map<string, InterpolationUse[]>();
      for (const u of env.interpolations) {
        if (u.form !== 'plain' || u.resolvedFrom !== undefined) continue;
        // a use inside a service that a profile turns off does not reach a container
        const svcName = serviceAt(model, u.loc);
        const svc = svcName ? env.services.find((s) => s.name === svcName) : undefined;
        if (svc && !svc.enabled) continue;
        const list = byName.get(u.name) ?? [];
        list.push(u);
        byName.set(u.name, list);
      }
      for (const [name, uses] of byName) {
        const first = uses[0]!;
        const examples = examplesListing(model, env, name);
        const dotenv = env.dotenv ? `${env.dotenv.path} does not define it` : `there is no .env in ${env.projectDir === '.' ? 'the project directory' : env.projectDir}`;
        const service = serviceAt(model, first.loc);
        // env_file values reach containers only; Compose never interpolates from them (KNOWLEDGE C9)
        const inEnvFile = env.services
          .flatMap((s) => [...s.env.values()])
          .filter((v) => v.name === name)
          .flatMap((v) => [...(v.from === 'env_file' ? [v.loc] : []), ...v.overrode.map((o) => o.loc)])
          .find((l) => model.envFiles.has(l.file));
        const envFileHint = inEnvFile ? ` (${inEnvFile.file} sets it, but env_file values only reach containers: Compose does not interpolate from them)` : '';
        const message = examples.length
          ? `\${${name}} is not set in ${env.name}: ${dotenv}${envFileHint}, though ${examples.join(', ')} lists it (copy it to .env and fill it in); until then Compose warns 'The "${name}" variable is not set. Defaulting to a blank string.' and substitutes an empty value.`
          : `\${${name}} is not set in ${env.name}: ${dotenv}${envFileHint} and it has no default, so Compose warns 'The "${name}" variable is not set. Defaulting to a blank string.' and substitutes an empty value (unless the shell that runs docker compose exports it).`;
        report({
          message,
          location: first.loc,
          environment: env.name,
          ...(service ? { service } : {}),
          severity: examples.length ? 'medium' : 'high',
          related: uses.slice(1).map((u) => ({ location: u.loc, message: `\${${name}} is also used here` })),
          key: `var:${name}`,
          verify: [`docker compose ${env.composeFiles.map((f) => `-f ${f}`).join(' ')} config 2>&1 | grep '"${name}" variable is not set'   # no output`],
        });
      }
    }
  },
});
