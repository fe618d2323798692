import { posix } from 'node:path';
import type { Fix } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import type { EnvironmentModel, ProjectModel } from '../../model/types.js';
import { resolveComposePath } from '../../model/compose/service.js';
import type { YamlNode, YamlScalarNode } from '../../parse/compose/yaml-tree.js';
import { defineRule } from '../define-rule.js';

type PathKind = 'bind source' | 'env_file' | 'build context';

interface PathUse {
  kind: PathKind;
  /** as written (after interpolation) */
  written: string;
  /** where Compose looks: relative to the scanned root */
  resolved: string;
  loc: Location;
  /** the scalar that holds the path, and where the path starts inside its value */
  node?: YamlScalarNode;
  /** the whole scalar value is the path (env_file, context, long-syntax source) or only its prefix (short syntax) */
  whole: boolean;
}

const isRelative = (p: string): boolean => !(p.startsWith('~') || posix.isAbsolute(p) || /^[A-Za-z]:[\\/]/.test(p) || /^[a-z][a-z0-9+.-]*:\/\//i.test(p));
const insideRoot = (p: string): boolean => p !== '..' && !p.startsWith('../');

function exists(model: ProjectModel, kind: PathKind, path: string): boolean {
  if (path === '') return kind !== 'env_file';
  if (kind === 'env_file') return model.tree.files.has(path);
  if (kind === 'build context') return model.tree.dirs.has(path);
  return model.tree.files.has(path) || model.tree.dirs.has(path);
}

/** `path` written relative to `dir`, the way a compose file spells it (`./x`, `../x`). */
function relativeFrom(dir: string, path: string): string {
  const rel = posix.relative(dir === '.' ? '' : dir, path) || '.';
  return rel.startsWith('..') || rel === '.' ? rel : `./${rel}`;
}

/** The directory paths of this value resolve from: the project directory, or an include's own. */
function baseDir(env: EnvironmentModel, u: PathUse): string | undefined {
  for (const dir of [env.projectDir, posix.dirname(u.loc.file)]) if (resolveComposePath(dir, u.written) === u.resolved) return dir;
  return undefined;
}

function safeFix(model: ProjectModel, u: PathUse, replacement: string): Fix | undefined {
  const n = u.node;
  if (!n || n.inList || n.range[1] <= n.range[0]) return undefined;
  const text = model.sources.get(n.loc.file)?.text;
  if (text === undefined) return undefined;
  const raw = text.slice(n.range[0], n.range[1]);
  const q = n.quoted ? 1 : 0;
  const inner = raw.slice(q, raw.length - q);
  if (n.quoted && raw[0] !== raw[raw.length - 1]) return undefined;
  // only when the text is exactly the path (no ${VAR}, no escapes), and the new path needs no quoting
  if (!/^[A-Za-z0-9_./@+-]+$/.test(replacement)) return undefined;
  if (u.whole ? inner !== u.written : !inner.startsWith(`${u.written}:`)) return undefined;
  const start = n.range[0] + q;
  return {
    description: `Replace "${u.written}" with "${replacement}"`,
    safety: 'safe',
    edits: [{ file: n.loc.file, start, end: start + u.written.length, text: replacement }],
  };
}

export default defineRule({
  meta: {
    id: 'compose/path-resolves-elsewhere',
    severity: 'high',
    title: 'Relative path resolves from the project directory, not from the file that names it',
    fixable: 'safe',
    status: 'stable',
    docs: {
      summary: 'A relative bind source, `env_file` or `build.context` does not exist where Compose looks for it (the project directory), but does exist relative to the compose file that names it, or relative to the repository root.',
      why: 'Compose resolves every relative path of every merged file from the project directory: the folder of the *first* `-f` file (or `--project-directory`), not the folder of the overlay that wrote it. An overlay in `deploy/` that says `env_file: ./prod.env` or `- ./nginx.conf:/etc/nginx/nginx.conf` points at files next to the base file. The result is the failure of the missing path: `env file ... not found`, a build context that does not exist (`unable to prepare context: path ... not found`), or a bind mount that Docker replaces by an empty directory. Files pulled in with `include` are the exception: each one resolves from its own folder.',
      fix: 'Write the path relative to the project directory (the suggested path), or pass `--project-directory`. drydock offers the rewrite as a fix.',
      verify: 'docker compose -f <files> config   # shows every path resolved to an absolute path',
      references: [
        { title: 'Compose file: relative paths resolve from the first file\'s folder', url: 'https://docs.docker.com/reference/compose-file/#compose-file' },
        { title: 'Merge Compose files: relative paths (multiple -f)', url: 'https://docs.docker.com/compose/how-tos/multiple-compose-files/merge/' },
        { title: 'compose-go cli/options.go (project directory = first file\'s dir)', url: 'https://github.com/compose-spec/compose-go/blob/main/cli/options.go' },
        { title: 'Compose include: each included file keeps its own project directory', url: 'https://docs.docker.com/reference/compose-file/include/' },
      ],
      fixSafety: 'The edit only replaces the path text with the same file\'s path written relative to the project directory, and only when the YAML scalar holds exactly that path (no variables or escapes); it changes nothing else.',
    },
  },
  check({ model, report }) {
    for (const env of model.environments)
      for (const svc of env.services) {
        if (!svc.enabled) continue;
        const uses: PathUse[] = [];
        for (const m of svc.mounts)
          if (m.type === 'bind' && m.source !== undefined && m.hostPath !== undefined)
            uses.push({ kind: 'bind source', written: m.source, resolved: m.hostPath, loc: m.sourceNode?.loc ?? m.loc, node: m.sourceNode, whole: m.syntax === 'long' });
        for (const r of svc.envFiles) {
          const node = findScalar(model, r.loc);
          uses.push({ kind: 'env_file', written: r.written, resolved: r.path, loc: r.loc, node, whole: true });
        }
        const b = svc.build;
        if (b?.context !== undefined) uses.push({ kind: 'build context', written: b.contextWritten, resolved: b.context, loc: b.contextLoc, node: findScalar(model, b.contextLoc), whole: true });

        for (const u of uses) {
          if (!isRelative(u.written) || !isRelative(u.resolved) || !insideRoot(u.resolved) || exists(model, u.kind, u.resolved)) continue;
          const dir = baseDir(env, u);
          if (dir === undefined) continue;
          const fileDir = posix.dirname(u.loc.file);
          const candidates: { path: string; from: string }[] = [];
          const fromFile = resolveComposePath(fileDir, u.written);
          if (fileDir !== dir) candidates.push({ path: fromFile, from: `relative to ${u.loc.file}, the file that names it` });
          const fromRoot = resolveComposePath('.', u.written);
          if (dir !== '.' && fromRoot !== fromFile) candidates.push({ path: fromRoot, from: 'relative to the repository root' });
          const hit = candidates.find((c) => c.path !== u.resolved && insideRoot(c.path) && exists(model, u.kind, c.path));
          if (!hit) continue;
          const suggestion = relativeFrom(dir, hit.path);
          const isProjectDir = dir === env.projectDir;
          const fix = safeFix(model, u, suggestion);
          report({
            message: `${u.kind} "${u.written}" of service "${svc.name}" resolves to ${u.resolved || '.'} from ${isProjectDir ? `the project directory "${dir}" (the first compose file's folder)` : `${dir}, the folder of the included file`}, which does not exist; it exists at ${hit.path}, ${hit.from}: write "${suggestion}".`,
            location: u.loc,
            environment: env.name,
            service: svc.name,
            key: `${u.kind}:${u.resolved}`,
            ...(fix ? { fix } : {}),
            verify: [`docker compose ${env.composeFiles.map((f) => `-f ${f}`).join(' ')} config`],
          });
        }
      }
  },
});

/** The compose scalar at a location (env_file items and build contexts keep their node's location). */
function findScalar(model: ProjectModel, loc: Location): YamlScalarNode | undefined {
  const root = model.composeFiles.get(loc.file)?.root;
  if (!root) return undefined;
  let found: YamlScalarNode | undefined;
  const visit = (n: YamlNode): void => {
    if (found) return;
    if (n.kind === 'scalar') {
      if (n.loc.startLine === loc.startLine && n.loc.startColumn === loc.startColumn && n.loc.endLine === loc.endLine && n.loc.endColumn === loc.endColumn) found = n;
      return;
    }
    if (n.kind === 'map') for (const e of n.entries.values()) visit(e.value);
    else for (const it of n.items) visit(it);
  };
  visit(root);
  return found;
}
