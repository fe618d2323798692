/**
 * The tool a start step really invokes, behind interpreters: `python -m gunicorn x` is gunicorn,
 * `python manage.py migrate` and `django-admin migrate` are Django's manage commands,
 * `node node_modules/.bin/next start` is next, `bundle exec rails` is rails.
 */
import { posix } from 'node:path';
import type { StartStep } from '../types.js';

export interface Invocation {
  /** `gunicorn`, `uvicorn`, `manage.py` (Django management), `node`, `next`, `alembic`, … */
  tool: string;
  /** the tool's own arguments (for `node`: the script first) */
  args: string[];
}

/** Python interpreter options that take the next word as their value. */
const PY_VALUED = new Set(['-X', '-W', '--check-hash-based-pycs']);
/** node options that take the next word as their value. */
const NODE_VALUED = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-e', '--eval', '-p', '--print', '--env-file', '--inspect-port', '--max-old-space-size', '-C', '--conditions', '--title']);

export function invocationOf(step: Pick<StartStep, 'name' | 'argv'>): Invocation {
  const name = step.name;
  const args = step.argv.slice(1);
  if (/^(?:python(?:\d+(?:\.\d+)?)?|pypy\d*)$/.test(name)) {
    let i = 0;
    while (i < args.length) {
      const a = args[i]!;
      if (a === '-m') return { tool: moduleTool(args[i + 1] ?? ''), args: args.slice(i + 2) };
      if (a === '-c') return { tool: 'python -c', args: args.slice(i + 1) };
      if (a === '--' || !a.startsWith('-') || a === '-') break;
      i += PY_VALUED.has(a) ? 2 : 1;
    }
    const script = args[i] === '--' ? args[i + 1] : args[i];
    if (script === undefined) return { tool: 'python', args: [] };
    const base = posix.basename(script);
    if (base === 'manage.py') return { tool: 'manage.py', args: args.slice(args.indexOf(script) + 1) };
    return { tool: 'python', args: args.slice(args.indexOf(script)) };
  }
  if (name === 'manage.py' || name === 'django-admin' || name === 'django-admin.py') return { tool: 'manage.py', args };
  if (name === 'node' || name === 'nodejs') {
    let i = 0;
    while (i < args.length) {
      const a = args[i]!;
      if (a === '--' || !a.startsWith('-')) break;
      i += NODE_VALUED.has(a) ? 2 : 1;
    }
    const script = args[i] === '--' ? args[i + 1] : args[i];
    if (script && /(?:^|\/)node_modules\/(?:\.bin\/([^/]+)|([^/]+)\/.*bin\/([^/.]+)(?:\.js)?)$/.test(script)) {
      const m = /(?:^|\/)node_modules\/(?:\.bin\/([^/]+)|([^/]+)\/.*bin\/([^/.]+)(?:\.js)?)$/.exec(script)!;
      return { tool: m[1] ?? m[3] ?? m[2]!, args: args.slice(args.indexOf(script) + 1) };
    }
    return { tool: 'node', args: script === undefined ? [] : args.slice(args.indexOf(script)) };
  }
  if (name === 'bundle' && args[0] === 'exec' && args[1]) return { tool: posix.basename(args[1]), args: args.slice(2) };
  if (name === 'rake') return { tool: 'rails', args };
  return { tool: name, args };
}

/** `python -m django` → manage.py; `python -m celery` → celery; `python -m http.server` stays. */
function moduleTool(mod: string): string {
  if (mod === 'django') return 'manage.py';
  return mod;
}
