/**
 * The fix of migrations/not-applied: a one-shot `migrate` service on the app's build (or image)
 * that runs the migration command, and `depends_on: {migrate: {condition:
 * service_completed_successfully}}` on the app, both written into the environment's last compose
 * file as text insertions that follow the file's indentation and line endings.
 *
 * Every shape this cannot write with certainty (flow-style mappings, a `depends_on` list in the
 * overlay, multi-line or quoted list-form environment values, literal secrets that would be
 * copied, bind mounts, `network_mode`, build args that are not plain) returns undefined: no fix.
 */
import { posix } from 'node:path';
import type { Fix, TextEdit } from '../../core/finding.js';
import type { SourceFile } from '../../core/source-file.js';
import { mapGet, scalarText, type YamlMapNode, type YamlNode, type YamlScalarNode } from '../../parse/compose/yaml-tree.js';
import { dependsOnTransitively, pathInContainer } from '../../model/start/queries.js';
import type { EnvironmentModel, MigrationTool, ProjectModel, ServiceModel } from '../../model/types.js';
import { TOOL_LABEL } from './_shared.js';

const SECRET_NAME = /PASS(?:WORD)?|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE|CREDENTIAL/i;
const URL_WITH_PASSWORD = /:\/\/[^\s/@:]+:[^\s/@]+@/;

/** The command that applies the tool's migrations from the app's working directory, when we can tell it works there. */
function migrateCommand(model: ProjectModel, app: ServiceModel, tool: MigrationTool, cwd: string): string[] | undefined {
  const has = (p: string): boolean => pathInContainer(app, posix.join(cwd, p), model.tree) === true;
  switch (tool.tool) {
    case 'alembic':
      return has('alembic.ini') ? ['alembic', 'upgrade', 'head'] : undefined;
    case 'flask-migrate':
      return has(posix.basename(tool.dir) || 'migrations') ? ['flask', 'db', 'upgrade'] : undefined;
    case 'django':
      return has('manage.py') ? ['python', 'manage.py', 'migrate', '--noinput'] : undefined;
    default:
      return undefined;
  }
}

/** The exact text of a scalar in its file, when it is on one line. */
function rawOf(model: ProjectModel, n: YamlScalarNode): string | undefined {
  const src = model.sources.get(n.loc.file);
  if (!src || n.range[1] <= n.range[0]) return undefined;
  const raw = src.text.slice(n.range[0], n.range[1]);
  return /[\r\n]/.test(raw) ? undefined : raw;
}

/** `KEY: value` for a compose `environment` entry, as the author wrote the value; undefined when it cannot be copied exactly. */
function envLine(model: ProjectModel, name: string, n: YamlScalarNode | undefined, value: string | null): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) return undefined;
  if (value === null || !n || n.range[1] <= n.range[0]) return value === null ? `${name}:` : undefined;
  const raw = rawOf(model, n);
  if (raw === undefined) return undefined;
  // a literal secret would be duplicated into another file
  if (!raw.includes('$') && raw.replace(/^["']|["']$/g, '') !== '' && (SECRET_NAME.test(name) || URL_WITH_PASSWORD.test(raw))) return undefined;
  if (n.inList) {
    // `- KEY=value`: only a plain (unquoted) list item has the value verbatim
    const src = model.sources.get(n.loc.file)!;
    const lineStart = src.text.lastIndexOf('\n', n.range[0] - 1) + 1;
    const before = src.text.slice(lineStart, n.range[0]);
    if (!new RegExp(`^\\s*-\\s+${name.replace(/[.]/g, '\\.')}=$`).test(before)) return undefined;
    return `${name}: ${JSON.stringify(raw)}`;
  }
  if (n.quoted) return `${name}: ${raw}`;
  if (/["\\]/.test(raw)) return undefined;
  return `${name}: ${JSON.stringify(raw)}`;
}

interface Lines {
  src: SourceFile;
  eol: string;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/**
 * Where a block ends: the offset just after its last content line, given the line where the next
 * sibling (or parent sibling) starts. Trailing blank lines, and comments indented less than the
 * block's children, belong to what follows.
 */
function blockEnd(l: Lines, firstLine: number, nextLine: number | undefined, childIndent: number): { offset: number; needsEol: boolean } {
  let last = (nextLine ?? l.src.lineCount + 1) - 1;
  while (last > firstLine) {
    const t = l.src.line(last);
    if (t.trim() === '' || (t.trimStart().startsWith('#') && indentOf(t) < childIndent)) last--;
    else break;
  }
  if (last >= l.src.lineCount) return { offset: l.src.text.length, needsEol: !/\n$/.test(l.src.text) };
  const next = l.src.offsetOf(last + 1, 1);
  if (next > l.src.text.length) return { offset: l.src.text.length, needsEol: !/\n$/.test(l.src.text) };
  return { offset: next, needsEol: false };
}

/** The entries of a block map written in this file, in file order (merge-key entries from anchors elsewhere are left out). */
function ownEntries(m: YamlMapNode, afterLine: number): { key: string; line: number; col: number; value: YamlNode }[] {
  return [...m.entries]
    .map(([key, e]) => ({ key, line: e.keyLoc.startLine ?? 0, col: e.keyLoc.startColumn ?? 0, value: e.value }))
    .filter((e) => e.line > afterLine)
    .sort((a, b) => a.line - b.line);
}

function isBlockMap(l: Lines, n: YamlNode | undefined): n is YamlMapNode {
  if (n?.kind !== 'map' || n.loc.startLine === undefined || n.loc.startColumn === undefined) return false;
  return l.src.text[l.src.offsetOf(n.loc.startLine, n.loc.startColumn)] !== '{' && n.entries.size > 0;
}

export interface MigrateServicePlan {
  fix: Fix;
  serviceName: string;
}

export function migrateServiceFix(model: ProjectModel, env: EnvironmentModel, app: ServiceModel, tool: MigrationTool): MigrateServicePlan | undefined {
  const plan = app.start;
  if (!plan || !app.runtime.stage) return undefined;
  const file = env.composeFiles[env.composeFiles.length - 1];
  const cf = file ? model.composeFiles.get(file) : undefined;
  if (!file || !cf || !cf.root) return undefined;
  const l: Lines = { src: cf.source, eol: cf.source.text.includes('\r\n') ? '\r\n' : '\n' };
  const node = app.node;
  if (mapGet(node, 'network_mode') !== undefined) return undefined;
  if (app.mounts.some((m) => m.type === 'bind')) return undefined;

  const name = ['migrate', 'db-migrate', 'migrations'].find((n) => !env.services.some((s) => s.name === n));
  if (!name) return undefined;
  const cmd = migrateCommand(model, app, tool, plan.cwd);
  if (!cmd) return undefined;

  // what the migrate service runs: through the image's entrypoint when it passes the command on ("$@"), else instead of it
  const passesCmd = !plan.entrypoint || plan.steps.some((s) => s.origin === plan.cmd?.origin && s.via !== undefined && s.exec && plan.cmd !== undefined && s.argv.join('\0') === plan.cmd.argv.join('\0'));
  const body: string[] = [];
  if (app.build) {
    const b = app.build;
    if (b.context === undefined || mapGet(mapGet(node, 'build'), 'dockerfile_inline') !== undefined) return undefined;
    const ctx = posix.relative(`/${env.projectDir}`, `/${b.context}`) || '.';
    body.push('build:');
    body.push(`  context: ${JSON.stringify(ctx)}`);
    if (b.dockerfileWritten !== undefined && b.dockerfile !== undefined) body.push(`  dockerfile: ${JSON.stringify(posix.relative(`/${b.context}`, `/${b.dockerfile}`))}`);
    if (b.target) body.push(`  target: ${JSON.stringify(b.target.value)}`);
    const args = mapGet(mapGet(node, 'build'), 'args');
    if (args?.kind === 'map' && args.entries.size) {
      body.push('  args:');
      for (const [k, e] of args.entries) {
        if (e.value.kind !== 'scalar' || e.value.inList) return undefined;
        const line = envLine(model, k, e.value, e.value.value === null ? null : String(e.value.value));
        if (line === undefined) return undefined;
        body.push(`    ${line}`);
      }
    } else if (args?.kind === 'seq' && args.items.length) {
      body.push('  args:');
      for (const it of args.items) {
        const raw = it.kind === 'scalar' ? rawOf(model, it) : undefined;
        if (raw === undefined || SECRET_NAME.test(raw.split('=')[0] ?? '')) return undefined;
        body.push(`    - ${raw}`);
      }
    } else if (args) return undefined;
  } else if (app.image) {
    const imageNode = mapGet(node, 'image');
    const raw = imageNode?.kind === 'scalar' ? rawOf(model, imageNode) : undefined;
    if (raw === undefined) return undefined;
    body.push(`image: ${raw}`);
  } else return undefined;

  body.push(`${passesCmd ? 'command' : 'entrypoint'}: ${JSON.stringify(cmd).replace(/","/g, '", "')}`);
  const wd = mapGet(node, 'working_dir');
  if (wd?.kind === 'scalar') {
    const raw = rawOf(model, wd);
    if (raw === undefined) return undefined;
    body.push(`working_dir: ${raw}`);
  }
  const user = mapGet(node, 'user');
  if (user?.kind === 'scalar') {
    const raw = rawOf(model, user);
    if (raw === undefined) return undefined;
    body.push(`user: ${raw}`);
  }
  if (app.envFiles.length) {
    body.push('env_file:');
    for (const r of app.envFiles) {
      if (r.required) body.push(`  - ${JSON.stringify(r.written)}`);
      else body.push(`  - path: ${JSON.stringify(r.written)}`, '    required: false');
    }
  }
  const envs = [...app.env.values()].filter((v) => v.from === 'environment');
  if (envs.length) {
    body.push('environment:');
    for (const v of envs) {
      const line = envLine(model, v.name, v.node, v.value);
      if (line === undefined) return undefined;
      body.push(`  ${line}`);
    }
  }
  const nets = mapGet(node, 'networks');
  if (nets) {
    const names = nets.kind === 'seq' ? nets.items.map((i) => scalarText(i)) : nets.kind === 'map' ? [...nets.entries.keys()] : [];
    if (!names.length || names.some((n) => n === undefined || !/^[\w.-]+$/.test(n))) return undefined;
    body.push('networks:', ...names.map((n) => `  - ${n}`));
  }
  const secrets = mapGet(node, 'secrets');
  if (secrets) {
    if (secrets.kind !== 'seq' || secrets.items.some((i) => i.kind !== 'scalar')) return undefined;
    body.push('secrets:', ...secrets.items.map((i) => `  - ${scalarText(i)}`));
  }
  // wait for what the app waits for, except services that themselves wait for the app
  const deps = app.dependsOn.filter((d) => !dependsOnTransitively(env, d.service, app.name) && /^[\w.-]+$/.test(d.service));
  if (deps.length) {
    body.push('depends_on:');
    for (const d of deps) body.push(`  ${d.service}:`, `    condition: ${d.condition}`);
  }
  body.push('restart: "no"');

  // ---- where the text goes in the overlay
  const root = cf.root;
  const services = root.entries.get('services');
  const topLevel = ownEntries(root, 0);
  const edits: TextEdit[] = [];
  let unit = 2;
  let svcIndent = 2;
  if (services && !isBlockMap(l, services.value)) return undefined;
  if (services && services.value.kind === 'map') {
    const svcs = ownEntries(services.value, services.keyLoc.startLine ?? 0);
    if (!svcs.length) return undefined;
    svcIndent = svcs[0]!.col - 1;
    const withChildren = svcs.find((s) => isBlockMap(l, s.value));
    if (withChildren && withChildren.value.kind === 'map') {
      const kids = ownEntries(withChildren.value, withChildren.line);
      if (kids.length) unit = Math.max(1, kids[0]!.col - 1 - svcIndent);
    }
  }
  const pad = (n: number): string => ' '.repeat(n);
  const lines = (indent: number, ls: string[]): string => ls.map((x) => `${pad(indent)}${x.replace(/^( +)/, (m) => pad((m.length / 2) * unit))}${l.eol}`).join('');
  const appDependsText = (indent: number): string => lines(indent, ['depends_on:', `  ${name}:`, '    condition: service_completed_successfully']);
  const migrateText = `${pad(svcIndent)}# one-shot: applies the ${TOOL_LABEL[tool.tool]} migrations before ${app.name} starts${l.eol}${lines(svcIndent, [`${name}:`])}${lines(svcIndent + unit, body)}`;

  if (!services) {
    // no services in the last file: add the block at its end
    const end = blockEnd(l, 0, undefined, 0);
    const text = `${end.needsEol ? l.eol : ''}services:${l.eol}${lines(svcIndent, [`${app.name}:`])}${appDependsText(svcIndent + unit)}${migrateText}`;
    edits.push({ file, start: end.offset, end: end.offset, text });
  } else {
    const sv = services.value as YamlMapNode;
    const svcLine = services.keyLoc.startLine ?? 0;
    const nextTop = topLevel.find((e) => e.line > svcLine)?.line;
    const svcs = ownEntries(sv, svcLine);
    const servicesEnd = blockEnd(l, svcLine, nextTop, svcIndent);
    const appEntry = svcs.find((s) => s.key === app.name);
    let appText = '';
    if (!appEntry) appText = `${lines(svcIndent, [`${app.name}:`])}${appDependsText(svcIndent + unit)}`;
    else {
      if (!isBlockMap(l, appEntry.value) || appEntry.value.kind !== 'map') return undefined;
      const kids = ownEntries(appEntry.value, appEntry.line);
      const childIndent = (kids[0]?.col ?? svcIndent + unit + 1) - 1;
      const nextSvc = svcs.find((s) => s.line > appEntry.line)?.line ?? nextTop;
      const dep = kids.find((k) => k.key === 'depends_on');
      if (!dep) {
        const end = blockEnd(l, appEntry.line, nextSvc, childIndent);
        if (end.offset !== servicesEnd.offset) edits.push({ file, start: end.offset, end: end.offset, text: `${end.needsEol ? l.eol : ''}${appDependsText(childIndent)}` });
        else appText = appDependsText(childIndent);
      } else {
        if (!isBlockMap(l, dep.value) || dep.value.kind !== 'map') return undefined;
        if (dep.value.tag === '!reset') return undefined;
        const depKids = ownEntries(dep.value, dep.line);
        const depIndent = (depKids[0]?.col ?? childIndent + unit + 1) - 1;
        const nextKid = kids.find((k) => k.line > dep.line)?.line ?? nextSvc;
        const end = blockEnd(l, dep.line, nextKid, depIndent);
        const text = lines(depIndent, [`${name}:`, '  condition: service_completed_successfully']);
        if (end.offset !== servicesEnd.offset) edits.push({ file, start: end.offset, end: end.offset, text: `${end.needsEol ? l.eol : ''}${text}` });
        else appText = text;
      }
    }
    edits.push({ file, start: servicesEnd.offset, end: servicesEnd.offset, text: `${servicesEnd.needsEol ? l.eol : ''}${appText}${migrateText}` });
  }
  edits.sort((a, b) => a.start - b.start);
  return {
    serviceName: name,
    fix: {
      description: `Add a one-shot "${name}" service running \`${cmd.join(' ')}\` to ${file}, and make ${app.name} wait for it to complete successfully`,
      safety: 'unsafe',
      edits,
    },
  };
}
