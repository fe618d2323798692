import type { RelatedLocation } from '../../core/finding.js';
import type { InstallStep } from '../../model/deps/types.js';
import { allPyprojectRequirements, npmLockMismatches, pythonLockMismatches, type LockMismatch } from '../../parse/manifests/locks.js';
import { defineRule } from '../define-rule.js';
import { at, buildCmd, buildTargets, once } from './_shared.js';

export default defineRule({
  meta: {
    id: 'deps/lock-out-of-sync',
    severity: 'critical',
    title: 'The lock file does not match the manifest the image installs strictly',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary:
        'The Dockerfile installs with a command that uses the lock file strictly (`npm ci`, `uv sync --locked` or `--frozen`, `poetry install`, `yarn install --frozen-lockfile`) and the lock does not match the manifest: a dependency is missing from the lock, or its locked version is outside the manifest\'s range. Also `npm ci` without a lock file in the image.',
      why:
        'A strict install refuses to resolve: `npm ci` stops with "`npm ci` can only install packages when your package.json and package-lock.json are in sync ... Missing: x@^2 from lock file"; `uv sync --locked` stops with "The lockfile at `uv.lock` needs to be updated, but `--locked` was provided"; Poetry 1.8+ stops with "pyproject.toml changed significantly since poetry.lock was last generated. Run `poetry lock` to fix the lock file." The image build fails. With `uv sync --frozen` the build passes but installs the stale lock, so the new dependency is missing at runtime (`ModuleNotFoundError`). The check compares sets (a manifest dependency absent from the lock, or a locked version the manifest range excludes), as uv documents its own check; Poetry\'s content-hash is not recomputed.',
      fix: 'Regenerate the lock with the manifest (`npm install`, `uv lock`, `poetry lock`) and commit both files together; for `npm ci`, copy package-lock.json into the image before the install (`COPY package.json package-lock.json ./`).',
      verify: 'npm ci --dry-run   # or: uv lock --check / poetry check --lock; then rebuild: docker compose build <service>',
      references: [
        { title: 'npm ci: requires package-lock.json in sync with package.json', url: 'https://docs.npmjs.com/cli/commands/npm-ci' },
        { title: 'uv: locking and syncing (--locked, --frozen, when a lock is outdated)', url: 'https://docs.astral.sh/uv/concepts/projects/sync/' },
        { title: 'Poetry: install (installs from poetry.lock)', url: 'https://python-poetry.org/docs/cli/#install' },
        { title: 'Poetry 1.8 made an inconsistent lock an error (user report quoting it)', url: 'https://github.com/nborrmann/diff-poetry-lock/pull/10' },
      ],
    },
  },
  check({ model, report }) {
    const deps = model.deps;
    if (!deps) return;
    const first = once();
    for (const t of buildTargets(model)) {
      for (const s of t.build.installs) {
        if (!s.manifest || (s.lockMode !== 'strict' && s.lockMode !== 'frozen')) continue;
        const scope = { ...(t.env ? { environment: t.env.name } : {}), ...(t.service ? { service: t.service.name } : {}) };
        const verify = [buildCmd(t)];
        if (!s.lock) {
          // npm ci without a lock in the image: "The `npm ci` command can only install with an existing package-lock.json"
          if (s.tool !== 'npm' || s.kind !== 'node') continue;
          const dir = s.manifest.includes('/') ? s.manifest.slice(0, s.manifest.lastIndexOf('/') + 1) : '';
          const inRepo = model.tree.files.has(`${dir}package-lock.json`);
          if (!first(t.env?.name, `nolock\0${at(s.loc)}`)) continue;
          report({
            message: inRepo
              ? `\`npm ci\` runs before package-lock.json is copied into the image (only ${s.manifest} is there): the build fails with "The \`npm ci\` command can only install with an existing package-lock.json".`
              : `\`npm ci\` needs a package-lock.json next to ${s.manifest}, and the repository has none: the build fails with "The \`npm ci\` command can only install with an existing package-lock.json".`,
            location: s.loc,
            ...scope,
            key: `npm ci without lock ${s.manifest}`,
            verify,
          });
          continue;
        }
        const lock = deps.locks.get(s.lock);
        if (!lock || lock.errors.length) continue;
        let mismatches: LockMismatch[] = [];
        if (s.kind === 'node' && lock.kind === 'npm') {
          const pkg = deps.packageJsons.get(s.manifest);
          if (!pkg || pkg.errors.length) continue;
          mismatches = npmLockMismatches(pkg, lock);
        } else if (s.kind === 'project' && (lock.kind === 'uv' || lock.kind === 'poetry')) {
          const py = deps.pyprojects.get(s.manifest);
          if (!py || py.errors.length) continue;
          mismatches = pythonLockMismatches(allPyprojectRequirements(py), lock, py);
        }
        for (const m of mismatches) {
          if (!first(t.env?.name, `${s.lock}\0${m.name}`)) continue;
          const related: RelatedLocation[] = [
            { location: { file: s.lock }, message: m.problem === 'missing' ? `${s.lock} has no entry for ${m.name}` : `${s.lock} locks ${m.name} ${m.locked.join(', ')}` },
            { location: s.loc, message: 'the strict install' },
          ];
          report({
            message: `${m.problem === 'missing' ? `${m.name} (${m.range || 'any version'}) is declared in ${s.manifest} but missing from ${s.lock}` : `${s.lock} locks ${m.name} ${m.locked.join(', ')}, which ${s.manifest} no longer allows (${m.range})`}: ${consequence(s, m)}`,
            location: m.loc,
            ...scope,
            related,
            key: `${s.lock} ${m.name} ${m.problem}`,
            verify,
          });
        }
      }
    }
  },
});

function consequence(s: InstallStep, m: LockMismatch): string {
  if (s.tool === 'npm')
    return m.problem === 'missing'
      ? `\`npm ci\` stops the image build ("npm ci can only install packages when your package.json and package-lock.json are in sync ... Missing: ${m.name} from lock file").`
      : `\`npm ci\` stops the image build ("Invalid: lock file's ${m.name}@${m.locked[0]} does not satisfy ${m.name}@${m.range}").`;
  if (s.tool === 'yarn' || s.tool === 'pnpm') return `\`${s.command}\` refuses to update the lock and the image build fails.`;
  if (s.tool === 'poetry') return '`poetry install` stops the image build ("pyproject.toml changed significantly since poetry.lock was last generated. Run `poetry lock` to fix the lock file."; Poetry before 1.8 only warns and installs the stale lock).';
  if (s.lockMode === 'frozen')
    return `\`uv sync --frozen\` installs ${s.lock} as it is, so ${m.problem === 'missing' ? `${m.name} is not installed and importing it fails at runtime` : `${m.name} ${m.locked.join(', ')} is installed instead of ${m.range}`}.`;
  return '`uv sync --locked` stops the image build ("The lockfile at `uv.lock` needs to be updated, but `--locked` was provided. To update the lockfile, run `uv lock`.").';
}
