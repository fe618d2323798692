import type { Fix } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import { expandWord } from '../../model/start/shell-expand.js';
import type { ProjectModel, ServiceModel } from '../../model/types.js';
import { mapGet, type YamlScalarNode } from '../../parse/compose/yaml-tree.js';
import type { ShellCommand, ShellWord } from '../../parse/shell/types.js';
import { defineRule } from '../define-rule.js';
import { officialOf } from './_datastore.js';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

interface PgIsready {
  user?: string;
  /** -d / --dbname given */
  dbname: boolean;
  host?: string;
  /** the -U value contains something drydock cannot resolve */
  unknown: boolean;
}

/** pg_isready's connection options from its arguments (libpq option letters: -d -h -p -U -t). */
function parseArgs(args: string[]): PgIsready {
  const out: PgIsready = { dbname: false, unknown: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const take = (short: string, long: string): string | undefined => {
      if (a === short || a === long) return args[++i];
      if (a.startsWith(`${long}=`)) return a.slice(long.length + 1);
      if (a.startsWith(short) && a.length > 2) return a.slice(2);
      return undefined;
    };
    if (a === '-d' || a === '--dbname' || a.startsWith('--dbname=') || (a.startsWith('-d') && a.length > 2)) {
      out.dbname = true;
      if (a === '-d' || a === '--dbname') i++;
      continue;
    }
    const u = take('-U', '--username');
    if (u !== undefined) {
      out.user = u;
      continue;
    }
    const h = take('-h', '--host');
    if (h !== undefined) {
      out.host = h;
      continue;
    }
    if (a === '-p' || a === '--port' || a === '-t' || a === '--timeout') i++;
  }
  return out;
}

interface Check {
  /** the healthcheck's pg_isready call */
  call: PgIsready;
  /** the command as the user reads it */
  shown: string;
  loc: Location;
  /** how to add `-d <db>`: a compose list item to append after, or the offset right after the user in a shell text */
  target: { kind: 'list'; items: YamlScalarNode[]; index: number; source: SourceFile } | { kind: 'at'; source: SourceFile; offset: number } | undefined;
}

/** The pg_isready call of the service's healthcheck (compose, else the image's HEALTHCHECK). */
function healthcheckCall(model: ProjectModel, svc: ServiceModel, lookup: (n: string) => string | null | undefined): Check | undefined {
  let test: string[];
  let commands: ShellCommand[] | undefined;
  let loc: Location;
  let target: Check['target'];
  const hc = svc.healthcheck;
  if (hc) {
    if (hc.disabled || !hc.test.length) return undefined;
    test = hc.test;
    commands = hc.commands;
    loc = hc.loc;
    const node = mapGet(mapGet(svc.node, 'healthcheck'), 'test');
    const source = node ? (model.composeFiles.get(node.loc.file)?.source ?? model.sources.get(node.loc.file)) : undefined;
    if (node && source && node.kind === 'seq' && test[0] === 'CMD' && node.items.every((i) => i.kind === 'scalar')) target = { kind: 'list', items: node.items as YamlScalarNode[], index: -1, source };
  } else {
    const image = svc.runtime.stage?.healthcheck;
    if (!image || image.value[0] === 'NONE') return undefined;
    test = image.value;
    commands = image.commands;
    loc = image.loc;
  }
  if (test[0] === 'CMD') {
    const argv = test.slice(1);
    const at = argv.findIndex((w) => /(?:^|\/)pg_isready$/.test(w));
    if (at < 0) return undefined;
    const args = argv.slice(at + 1);
    const call = parseArgs(args);
    if (call.user?.includes('$')) call.unknown = true;
    if (target?.kind === 'list') {
      // the item holding the user (the value after -U, or -Uname / --username=name)
      const ui = argv.findIndex((w, i) => i > at && (w === call.user || w === `-U${call.user}` || w === `--username=${call.user}`) && (w !== call.user || argv[i - 1] === '-U' || argv[i - 1] === '--username'));
      target = ui < 0 || target.items.length !== test.length ? undefined : { ...target, index: ui + 1 };
    }
    return { call, shown: argv.slice(at).join(' '), loc, target };
  }
  if (test[0] !== 'CMD-SHELL') return undefined;
  // the first pg_isready of the shell text (not of a `sh -c` string inside it), as the model parsed it
  for (const c of commands ?? []) {
    if (c.context.shellString !== undefined || !c.nameWord) continue;
    const words = [c.nameWord, ...c.args];
    const at = words.findIndex((w) => /(?:^|\/)pg_isready$/.test(w.text));
    if (at < 0) continue;
    let unknown = false;
    const argWords = words.slice(at + 1);
    const args = argWords.map((w) => {
      const e = expandWord(w.raw, (n) => {
        const v = lookup(n);
        return v === null || v === undefined ? undefined : v;
      });
      if (!e.known) unknown = true;
      return e.text;
    });
    const call = parseArgs(args);
    call.unknown = unknown;
    return { call, shown: words.slice(at).map((w) => w.raw).join(' '), loc, target: afterUser(model, argWords) };
  }
  return undefined;
}

/** Right after the one user option (`-U app`, `-Uapp`, `--username=app`) of pg_isready's words, when its location is exact. */
function afterUser(model: ProjectModel, args: ShellWord[]): Check['target'] {
  const users: ShellWord[] = [];
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!.text;
    if (t === '-U' || t === '--username') {
      const v = args[++i];
      if (v) users.push(v);
    } else if (/^-U./.test(t) || t.startsWith('--username=')) users.push(args[i]!);
  }
  if (users.length !== 1) return undefined;
  const w = users[0]!;
  const source = model.sources.get(w.loc.file) ?? model.composeFiles.get(w.loc.file)?.source;
  if (!source || w.loc.startLine === undefined || w.loc.endLine === undefined) return undefined;
  const start = source.offsetOf(w.loc.startLine, w.loc.startColumn ?? 1);
  const end = source.offsetOf(w.loc.endLine, w.loc.endColumn ?? 1);
  // the word is written as it reads (no YAML escape or fold inside it), so the edit lands right
  if (source.text.slice(start, end) !== w.raw) return undefined;
  return { kind: 'at', source, offset: end };
}

/** Edits that add `-d <db>` right after the user given to pg_isready. */
function addDbname(c: Check, db: string): Fix | undefined {
  if (!/^[A-Za-z0-9_.-]+$/.test(db) || !c.target) return undefined;
  const t = c.target;
  const file = t.source.path;
  const text = t.source.text;
  if (t.kind === 'list') {
    const item = t.items[t.index];
    const last = t.items[t.items.length - 1];
    if (!item || !last || item.range[1] <= item.range[0]) return undefined;
    const seqStart = text.lastIndexOf('[', t.items[0]!.range[0]);
    const flow = seqStart >= 0 && /^\[[ \t]*$/.test(text.slice(seqStart, t.items[0]!.range[0]).split('\n')[0]!) && !text.slice(seqStart, t.items[0]!.range[0]).includes('\n');
    if (flow) return { description: `Add -d ${db} to pg_isready`, safety: 'safe', edits: [{ file, start: item.range[1], end: item.range[1], text: `, "-d", "${db}"` }] };
    const lineStart = text.lastIndexOf('\n', item.range[0] - 1) + 1;
    const dash = /^([ \t]*)-[ \t]+$/.exec(text.slice(lineStart, item.range[0]));
    const lineEnd = text.indexOf('\n', item.range[1]);
    if (!dash || !/^[ \t\r]*$/.test(text.slice(item.range[1], lineEnd < 0 ? text.length : lineEnd))) return undefined;
    return { description: `Add -d ${db} to pg_isready`, safety: 'safe', edits: [{ file, start: item.range[1], end: item.range[1], text: `\n${dash[1]}- "-d"\n${dash[1]}- "${db}"` }] };
  }
  return { description: `Add -d ${db} to pg_isready`, safety: 'safe', edits: [{ file, start: t.offset, end: t.offset, text: ` -d ${db}` }] };
}

export default defineRule({
  meta: {
    id: 'health/pg-isready-database',
    severity: 'low',
    title: 'pg_isready healthcheck connects to a database that does not exist',
    fixable: 'safe',
    status: 'stable',
    docs: {
      summary: 'The healthcheck of a postgres service runs `pg_isready -U <user>` without `-d`, while POSTGRES_DB names a different database: pg_isready asks for the database named like the user, which the image never created.',
      why: 'libpq\'s `dbname` "defaults to be the same as the user name", and the postgres image creates only POSTGRES_DB ("If it is not specified, then the value of POSTGRES_USER will be used") besides `postgres`. pg_isready does not need the database to exist: "It is not necessary to supply correct user name, password, or database name values to obtain the server status; however, if incorrect values are provided, the server will log a failed connection attempt." So the check passes, and the server log fills with `FATAL:  database "<user>" does not exist` at every interval, hiding real errors. Not reported when POSTGRES_DB is unset (it defaults to the user), equals the user, or when PGDATABASE or `-d` names the database.',
      fix: 'Name the database: `pg_isready -U <user> -d <POSTGRES_DB>`.',
      verify: 'docker compose -f <files> logs <db service> --since 2m | grep "does not exist"   # nothing after the fix',
      references: [
        { title: 'PostgreSQL: pg_isready (Notes: incorrect values make the server log a failed connection attempt)', url: 'https://www.postgresql.org/docs/current/app-pg-isready.html' },
        { title: 'PostgreSQL libpq: connection parameters (dbname defaults to the user name)', url: 'https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS' },
        { title: 'postgres image: POSTGRES_DB (defaults to POSTGRES_USER)', url: 'https://hub.docker.com/_/postgres' },
      ],
      fixSafety: 'The fix inserts `-d <POSTGRES_DB>` right after the one `-U <user>` of the healthcheck command (a new list item pair in exec form). The check still reports the same server status; it only stops asking for a database that does not exist.',
      example: {
        bad: { 'compose.yaml': 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_DB: appdb\n    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U app"]\n' },
        good: { 'compose.yaml': 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_DB: appdb\n    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U app -d appdb"]\n' },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments)
      for (const svc of env.services) {
        if (!svc.enabled || officialOf(svc) !== 'postgres') continue;
        const lookup = (n: string): string | null | undefined => {
          const c = svc.env.get(n);
          if (c) return c.value;
          return svc.runtime.stage?.env.get(n)?.value;
        };
        const c = healthcheckCall(model, svc, lookup);
        if (!c || c.call.dbname || c.call.unknown || c.call.user === undefined) continue;
        if (c.call.host !== undefined && !LOCAL_HOSTS.has(c.call.host) && !c.call.host.startsWith('/')) continue;
        if (lookup('PGDATABASE') !== undefined) continue;
        const db = lookup('POSTGRES_DB');
        const owner = lookup('POSTGRES_USER');
        if (typeof db !== 'string' || db === '' || owner === null) continue;
        const user = c.call.user;
        // the role the image creates; another role fails with `role ... does not exist`, a different defect
        if (user !== (owner || 'postgres') || user === db || user === 'postgres') continue;
        // a database name interpolated from .env would be frozen by a literal: no fix then
        const dbVar = svc.env.get('POSTGRES_DB');
        const dbText = dbVar?.node ? model.sources.get(dbVar.node.loc.file)?.text.slice(dbVar.node.range[0], dbVar.node.range[1]) : undefined;
        const fix = dbText?.includes('$') ? undefined : addDbname(c, db);
        report({
          message: `The healthcheck of "${svc.name}" runs \`${c.shown}\` without -d, so it connects to the database "${user}" (libpq's default is the user name), but POSTGRES_DB is "${db}": the check passes, while Postgres logs FATAL: database "${user}" does not exist at every interval.`,
          location: c.loc,
          environment: env.name,
          service: svc.name,
          ...(svc.env.get('POSTGRES_DB') ? { related: [{ location: svc.env.get('POSTGRES_DB')!.loc, message: `POSTGRES_DB=${db}` }] } : {}),
          ...(fix ? { fix } : {}),
          verify: [`docker compose ${env.composeFiles.map((f) => `-f ${f}`).join(' ')} logs ${svc.name} --since 2m | grep "does not exist"`],
          key: `${user}->${db}`,
        });
      }
  },
});
