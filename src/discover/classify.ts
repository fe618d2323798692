/** Which kind of deployment file a path is, from its name alone (cheap, no reads). */
import type { FileKind } from './types.js';

const COMPOSE = /^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$/i;
const DOCKERFILE = /^(?:(?:Docker|Container)file(?:[.-][\w.-]+)?|[\w.-]+\.(?:docker|container)file)$/i;
const DOTENV = /^(?:\.env(?:\.[\w.-]+)?|[\w.-]+\.env)$/;
const PY_MANIFEST = /^(?:pyproject\.toml|setup\.py|setup\.cfg|Pipfile|requirements(?:[.-][\w.-]*)?\.(?:txt|in))$/;
const LOCK = /^(?:poetry\.lock|uv\.lock|Pipfile\.lock|package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml)$/;
const ENTRYPOINT_NAME = /^(?:docker-)?(?:entrypoint|start|run|boot|init|cmd)(?:[.-][\w-]+)?$/;

export function classify(relPath: string): FileKind {
  const name = relPath.slice(relPath.lastIndexOf('/') + 1);
  if (name === '.dockerignore' || name.endsWith('.dockerignore')) return 'dockerignore';
  if (name === 'drydock.config.yaml' || name === 'drydock.config.yml' || name === '.drydock.yaml' || name === '.drydock.yml') return 'config';
  if (COMPOSE.test(name)) return 'compose';
  if (DOCKERFILE.test(name)) return 'dockerfile';
  if (DOTENV.test(name)) return 'dotenv';
  if (LOCK.test(name)) return 'lock';
  if (PY_MANIFEST.test(name)) return 'python-manifest';
  if (name === 'package.json') return 'node-manifest';
  if (/\.(?:sh|bash)$/.test(name) || ENTRYPOINT_NAME.test(name)) return 'shell';
  if (name.endsWith('.py')) return 'python';
  return 'other';
}

/** Kinds whose text discovery reads up front (small, and every scan needs them). */
export const EAGER_KINDS: ReadonlySet<FileKind> = new Set(['dockerfile', 'dockerignore', 'compose', 'dotenv', 'shell', 'config']);
