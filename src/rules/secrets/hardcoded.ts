import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import { isLiteral, isPlaceholder, looksSecretName, urlPassword } from '../../model/secrets.js';
import type { EnvVar, ProjectModel } from '../../model/types.js';
import type { DockerInstruction } from '../../parse/dockerfile/types.js';
import { defineRule } from '../define-rule.js';

const EXAMPLE = /^\.env(?:\.[\w.-]+)?\.(?:example|sample|template|dist)$|\.example$/;

/** What about `name=value` is a literal secret: the whole value, or the password inside a URL. */
function secretKind(name: string, value: string | null, raw: string): 'value' | 'url' | undefined {
  if (!value || !isLiteral(raw)) return undefined;
  const v = value.trim();
  if (looksSecretName(name) && v && !isPlaceholder(v) && !v.startsWith('/run/secrets/')) return 'value';
  const pw = urlPassword(v);
  if (pw && !isPlaceholder(pw)) return 'url';
  return undefined;
}

function what(name: string, kind: 'value' | 'url', file: string): string {
  return kind === 'value' ? `${name} is set to a literal value in ${file}` : `${name} holds a URL with a literal password in ${file}`;
}

/** The compose text of an environment value (the model's value is interpolated, the check needs what is written). */
function composeRaw(model: ProjectModel, v: EnvVar): string | undefined {
  const n = v.node;
  if (!n || n.range[1] <= n.range[0]) return undefined;
  const text = model.sources.get(n.loc.file)?.text;
  return text?.slice(n.range[0], n.range[1]);
}

/** `ENV K=V K2=V2`, legacy `ENV K V`, `ARG K=V`: name, unquoted value as written, location. */
function dockerPairs(ins: DockerInstruction): { name: string; value: string; loc: Location }[] {
  const unquote = (s: string): string => s.replace(/^(['"])([\s\S]*)\1$/, '$2');
  const [first] = ins.args;
  if (!first) return [];
  if (ins.keyword === 'ENV' && !first.value.includes('=')) return [{ name: first.value, value: unquote(ins.argsText.replace(/^\S+[ \t]*/, '')), loc: ins.loc }];
  return ins.args.flatMap((a) => {
    const eq = a.value.indexOf('=');
    return eq > 0 ? [{ name: a.value.slice(0, eq), value: unquote(a.value.slice(eq + 1)), loc: a.loc }] : [];
  });
}

export default defineRule({
  meta: {
    id: 'secrets/hardcoded',
    severity: 'high',
    title: 'Secret written literally in a compose file, Dockerfile or committed env file',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A password, token or key (a secret-looking name, or a URL with a password) is written as a literal value in compose `environment`, in a Dockerfile `ENV`/`ARG` default, or in an env file that git tracks.',
      why: 'Whatever is in the repository is readable by everyone who can clone it, stays in git history after it is removed, and is the same on every deployment. A Dockerfile `ENV` is stored in the image config (`docker inspect` shows it to anyone who can pull the image), and `ARG` values end up in `docker history` and build provenance. A literal in a production compose overlay or in an env file a production service loads is the production credential itself; elsewhere (development defaults) it is reported as `info`. drydock never prints the value.',
      fix: 'Use interpolation (`POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}`) with the value in an untracked `.env` on the deploy host, a Compose `secrets:` entry (`POSTGRES_PASSWORD_FILE: /run/secrets/db_password`), or a BuildKit secret mount (`RUN --mount=type=secret`) for build-time secrets. Rotate a secret that was committed: removing it from the file does not remove it from git history or from pushed images.',
      verify: 'git grep -n "<NAME>" && docker compose -f <files> config   # the value comes from the environment, not the repository',
      references: [
        { title: 'Compose: secrets in Compose (use secrets instead of environment variables)', url: 'https://docs.docker.com/compose/how-tos/use-secrets/' },
        { title: 'Build check SecretsUsedInArgOrEnv (ARG/ENV values persist in the image)', url: 'https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/' },
        { title: 'Dockerfile reference: ARG (build args are visible in docker history)', url: 'https://docs.docker.com/reference/dockerfile/#arg' },
        { title: 'Build secrets (RUN --mount=type=secret)', url: 'https://docs.docker.com/build/building/secrets/' },
      ],
    },
  },
  check({ model, report }) {
    // compose `environment`
    for (const env of model.environments)
      for (const svc of env.services) {
        if (!svc.enabled) continue;
        for (const v of svc.env.values()) {
          if (v.from !== 'environment' || !v.node || v.value === null) continue;
          const raw = composeRaw(model, v);
          if (raw === undefined) continue;
          const kind = secretKind(v.name, v.value, raw);
          if (!kind) continue;
          const file = v.node.loc.file;
          report({
            message: `${what(v.name, kind, file)} (service "${svc.name}"): everyone who can read the repository has it${env.production ? ', and it is the production value' : ''}. Interpolate it from an untracked .env or use a Compose secret.`,
            location: v.loc,
            environment: env.name,
            service: svc.name,
            severity: env.production ? 'high' : 'info',
            key: `env:${v.name}:${file}`,
          });
        }
      }

    // Dockerfile ENV / ARG defaults: in the image whatever environment runs it
    for (const df of model.dockerfiles.values())
      for (const ins of df.ast.instructions) {
        if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG') continue;
        for (const p of dockerPairs(ins)) {
          const kind = secretKind(p.name, p.value, p.value);
          if (!kind) continue;
          const where = ins.keyword === 'ENV' ? 'it is stored in the image config, where `docker inspect` shows it to anyone who can pull the image' : 'the default is in the Dockerfile for everyone who can read it, and build arguments that RUN steps use are recorded in `docker history` and build provenance';
          report({
            message: `${what(p.name, kind, df.path)} (${ins.keyword}): ${where}. Pass it at run time or with a BuildKit secret mount.`,
            location: p.loc,
            severity: 'high',
            key: `docker:${ins.keyword}:${p.name}`,
          });
        }
      }

    // committed env files: only with git facts (without them a local, untracked .env is the normal case)
    const git = model.tree.git;
    if (!git) return;
    const production = new Map<string, string>(); // env file → why it is production
    for (const env of model.environments) {
      if (!env.production) continue;
      for (const svc of env.services) if (svc.enabled) for (const r of svc.envFiles) if (!production.has(r.path)) production.set(r.path, `service "${svc.name}" of ${env.name} loads it`);
      for (const u of env.interpolations)
        if (u.resolvedFrom && u.resolvedFrom !== 'shell' && !production.has(`${u.resolvedFrom.file}\0${u.name}`))
          production.set(`${u.resolvedFrom.file}\0${u.name}`, `${env.name} interpolates it into ${u.loc.file}`);
    }
    for (const [path, file] of model.envFiles) {
      if (!git.tracked.has(path) || git.ignored(path)) continue;
      const example = EXAMPLE.test(posix.basename(path));
      for (const e of file.entries) {
        const kind = secretKind(e.key, e.value, e.raw);
        if (!kind) continue;
        const why = example ? undefined : (production.get(path) ?? production.get(`${path}\0${e.key}`));
        report({
          message: `${what(e.key, kind, path)}, which git tracks: everyone who can clone the repository has it${why ? `, and it reaches production (${why})` : ''}.${example ? ' If it is a real value, replace it with a placeholder.' : ' Keep the file out of git (and rotate the value).'}`,
          location: e.loc,
          severity: why ? 'high' : 'info',
          key: `envfile:${path}:${e.key}`,
        });
      }
    }
  },
});
