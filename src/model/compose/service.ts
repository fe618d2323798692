/**
 * One merged compose service → ServiceModel. Paths resolve against the project directory
 * (the first compose file's folder, KNOWLEDGE.md C1); `environment` wins over `env_file`, and
 * later env files win over earlier ones (C8).
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { YamlMapNode, YamlNode, YamlScalarNode } from '../../parse/compose/yaml-tree.js';
import { mapGet, scalarText } from '../../parse/compose/yaml-tree.js';
import type { DotenvFile } from '../../parse/dotenv/types.js';
import type { BuildSpec, CommandSpec, Dependency, EnvFileRef, EnvVar, Healthcheck, Mount, PortMapping, ServiceModel, Sourced } from '../types.js';
import { splitVolumeSpec } from './merge.js';
import { splitShellWords } from './shell-words.js';

export interface ServiceContext {
  environment: string;
  projectDir: string;
  /** the env_file contents, or undefined when the file is missing or unreadable */
  envFile(path: string): DotenvFile | undefined;
}

/** Resolve a path written in a compose file against the project directory. */
export function resolveComposePath(projectDir: string, written: string): string {
  if (written.startsWith('~')) return written; // the user's home: outside the repository
  if (posix.isAbsolute(written) || /^[A-Za-z]:[\\/]/.test(written)) return written;
  const joined = posix.normalize(posix.join(projectDir === '.' ? '' : projectDir, written.replace(/\\/g, '/')));
  return joined === '.' ? '' : joined.replace(/\/$/, '');
}

const sourced = <T>(value: T, loc: Location): Sourced<T> => ({ value, loc });

function scalarSourced(n: YamlNode | undefined): Sourced<string> | undefined {
  const s = scalarText(n);
  return s === undefined || !n ? undefined : sourced(s, n.loc);
}

function commandSpec(n: YamlNode | undefined): CommandSpec | undefined {
  if (!n) return undefined;
  if (n.kind === 'seq') {
    const argv = n.items.map((i) => scalarText(i) ?? '');
    return { form: 'exec', argv, text: argv.join(' '), loc: n.loc };
  }
  const text = scalarText(n);
  if (text === undefined) return undefined;
  return { form: 'exec', argv: splitShellWords(text), text, loc: n.loc };
}

function parsePort(n: YamlNode): PortMapping | undefined {
  if (n.kind === 'map') {
    const target = scalarText(mapGet(n, 'target'));
    if (!target) return undefined;
    return {
      target,
      published: scalarText(mapGet(n, 'published')),
      hostIp: scalarText(mapGet(n, 'host_ip')),
      protocol: scalarText(mapGet(n, 'protocol')) ?? 'tcp',
      loc: n.loc,
      raw: `${scalarText(mapGet(n, 'published')) ?? ''}:${target}`,
    };
  }
  const raw = scalarText(n);
  if (raw === undefined) return undefined;
  let rest = raw;
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  let hostIp: string | undefined;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (v6) {
    hostIp = v6[1];
    rest = v6[2]!;
  }
  const parts = rest.split(':');
  if (parts.length === 3) hostIp = parts.shift();
  const target = parts.pop()!;
  const published = parts.pop();
  return { target, published: published || undefined, hostIp, protocol, loc: n.loc, raw };
}

function parseMount(n: YamlNode, projectDir: string): Mount | undefined {
  if (n.kind === 'map') {
    const type = (scalarText(mapGet(n, 'type')) ?? 'volume') as Mount['type'];
    const target = scalarText(mapGet(n, 'target')) ?? '';
    const srcNode = mapGet(n, 'source');
    const source = scalarText(srcNode);
    const chp = mapGet(mapGet(n, 'bind'), 'create_host_path');
    return {
      type,
      source,
      hostPath: type === 'bind' && source !== undefined ? resolveComposePath(projectDir, source) : undefined,
      target,
      readOnly: mapGet(n, 'read_only')?.kind === 'scalar' && (mapGet(n, 'read_only') as YamlScalarNode).value === true,
      syntax: 'long',
      createHostPath: chp?.kind === 'scalar' && typeof chp.value === 'boolean' ? chp.value : undefined,
      loc: n.loc,
      sourceNode: srcNode?.kind === 'scalar' ? srcNode : undefined,
    };
  }
  const raw = scalarText(n);
  if (raw === undefined || n.kind !== 'scalar') return undefined;
  const parts = splitVolumeSpec(raw);
  if (parts.length === 1) return { type: 'volume', target: parts[0]!, readOnly: false, syntax: 'short', loc: n.loc };
  const [source, target, mode = ''] = parts as [string, string, string?];
  const isPath = /^[./~]/.test(source) || /^[A-Za-z]:[\\/]/.test(source);
  return {
    type: isPath ? 'bind' : 'volume',
    source,
    hostPath: isPath ? resolveComposePath(projectDir, source) : undefined,
    target,
    readOnly: mode.split(',').includes('ro'),
    syntax: 'short',
    loc: n.loc,
    sourceNode: n,
  };
}

function parseHealthcheck(n: YamlNode | undefined): Healthcheck | undefined {
  if (n?.kind !== 'map') return undefined;
  const disable = mapGet(n, 'disable');
  const testNode = mapGet(n, 'test');
  let test: string[] = [];
  if (testNode?.kind === 'seq') test = testNode.items.map((i) => scalarText(i) ?? '');
  else if (testNode?.kind === 'scalar' && testNode.value !== null) test = ['CMD-SHELL', String(testNode.value)];
  const disabled = (disable?.kind === 'scalar' && disable.value === true) || test[0] === 'NONE';
  return { test, disabled, loc: testNode?.loc ?? n.loc };
}

function parseBuild(n: YamlNode | undefined, projectDir: string): BuildSpec | undefined {
  if (!n) return undefined;
  const ctxNode = n.kind === 'map' ? mapGet(n, 'context') : n;
  const contextWritten = scalarText(ctxNode) ?? '.';
  const remote = /^(?:https?:\/\/|git@|github\.com\/)|\.git(?:#|$)/.test(contextWritten);
  const context = remote ? undefined : resolveComposePath(projectDir, contextWritten);
  const dfNode = n.kind === 'map' ? mapGet(n, 'dockerfile') : undefined;
  const inline = n.kind === 'map' && mapGet(n, 'dockerfile_inline') !== undefined;
  const dockerfileWritten = scalarText(dfNode);
  const dockerfile =
    context === undefined || inline ? undefined : posix.isAbsolute(dockerfileWritten ?? '') ? dockerfileWritten : resolveComposePath(context || '.', dockerfileWritten ?? 'Dockerfile');
  const args = new Map<string, string | null>();
  const argsNode = n.kind === 'map' ? mapGet(n, 'args') : undefined;
  if (argsNode?.kind === 'map') for (const [k, e] of argsNode.entries) args.set(k, scalarText(e.value) ?? null);
  else if (argsNode?.kind === 'seq')
    for (const it of argsNode.items) {
      const s = scalarText(it);
      if (s === undefined) continue;
      const eq = s.indexOf('=');
      args.set(eq < 0 ? s : s.slice(0, eq), eq < 0 ? null : s.slice(eq + 1));
    }
  return {
    context,
    contextWritten,
    contextLoc: ctxNode?.loc ?? n.loc,
    dockerfile,
    dockerfileWritten,
    dockerfileLoc: dfNode?.loc,
    target: n.kind === 'map' ? scalarSourced(mapGet(n, 'target')) : undefined,
    args,
    loc: n.loc,
  };
}

function parseEnvFiles(n: YamlNode | undefined, projectDir: string): EnvFileRef[] {
  if (n?.kind !== 'seq') return [];
  const refs: EnvFileRef[] = [];
  for (const it of n.items) {
    const written = scalarText(it.kind === 'map' ? mapGet(it, 'path') : it);
    if (written === undefined) continue;
    const req = it.kind === 'map' ? mapGet(it, 'required') : undefined;
    const required = !(req?.kind === 'scalar' && (req.value === false || req.value === 'false'));
    refs.push({ path: resolveComposePath(projectDir, written), written, required, loc: (it.kind === 'map' ? mapGet(it, 'path')?.loc : undefined) ?? it.loc });
  }
  return refs;
}

function buildEnv(node: YamlMapNode, envFiles: EnvFileRef[], ctx: ServiceContext): Map<string, EnvVar> {
  const env = new Map<string, EnvVar>();
  const set = (v: EnvVar): void => {
    const prev = env.get(v.name);
    env.set(v.name, prev ? { ...v, overrode: [...prev.overrode, { value: prev.value, loc: prev.loc }, ...v.overrode] } : v);
  };
  for (const ref of envFiles) {
    const file = ctx.envFile(ref.path);
    if (!file) continue;
    for (const e of file.values.values()) set({ name: e.key, value: e.value, loc: e.loc, from: 'env_file', overrode: [] });
  }
  const envNode = mapGet(node, 'environment');
  if (envNode?.kind === 'map')
    for (const [name, e] of envNode.entries) {
      const v = e.value;
      const value = v.kind === 'scalar' ? (v.value === null ? null : String(v.value)) : null;
      const earlier = v.kind === 'scalar' ? (v.previous ?? []).map((p) => ({ value: p.value === null ? null : String(p.value), loc: p.loc })) : [];
      set({ name, value, loc: v.kind === 'scalar' && v.value !== null ? v.loc : e.keyLoc, from: 'environment', node: v.kind === 'scalar' ? v : undefined, overrode: earlier });
    }
  return env;
}

export function buildService(name: string, node: YamlMapNode, definedIn: Location[], ctx: ServiceContext): Omit<ServiceModel, 'runtime'> {
  const profilesNode = mapGet(node, 'profiles');
  const profiles = profilesNode?.kind === 'seq' ? profilesNode.items.map((i) => scalarText(i) ?? '') : [];
  const envFiles = parseEnvFiles(mapGet(node, 'env_file'), ctx.projectDir);
  const volumes = mapGet(node, 'volumes');
  const portsNode = mapGet(node, 'ports');
  const depNode = mapGet(node, 'depends_on');
  const dependsOn: Dependency[] = [];
  if (depNode?.kind === 'map')
    for (const [svc, e] of depNode.entries) {
      const cond = scalarText(mapGet(e.value, 'condition')) ?? 'service_started';
      const req = mapGet(e.value, 'required');
      dependsOn.push({
        service: svc,
        condition: cond as Dependency['condition'],
        required: !(req?.kind === 'scalar' && req.value === false),
        loc: e.keyLoc,
      });
    }
  const tmpfsNode = mapGet(node, 'tmpfs');
  const tmpfs = tmpfsNode?.kind === 'seq' ? tmpfsNode.items.flatMap((i) => scalarSourced(i) ?? []) : tmpfsNode ? [scalarSourced(tmpfsNode)].flatMap((x) => x ?? []) : [];
  const replicasNode = mapGet(mapGet(node, 'deploy'), 'replicas') ?? mapGet(node, 'scale');
  const replicas = replicasNode?.kind === 'scalar' && typeof replicasNode.value === 'number' ? sourced(replicasNode.value, replicasNode.loc) : undefined;
  const ro = mapGet(node, 'read_only');
  const priv = mapGet(node, 'privileged');
  return {
    name,
    environment: ctx.environment,
    loc: definedIn[0]!,
    definedIn,
    enabled: profiles.length === 0,
    profiles,
    image: scalarSourced(mapGet(node, 'image')),
    build: parseBuild(mapGet(node, 'build'), ctx.projectDir),
    command: commandSpec(mapGet(node, 'command')),
    entrypoint: commandSpec(mapGet(node, 'entrypoint')),
    env: buildEnv(node, envFiles, ctx),
    envFiles,
    ports: portsNode?.kind === 'seq' ? portsNode.items.flatMap((p) => parsePort(p) ?? []) : [],
    mounts: volumes?.kind === 'seq' ? volumes.items.flatMap((v) => parseMount(v, ctx.projectDir) ?? []) : [],
    tmpfs,
    dependsOn,
    healthcheck: parseHealthcheck(mapGet(node, 'healthcheck')),
    readOnly: ro?.kind === 'scalar' && ro.value === true,
    user: scalarSourced(mapGet(node, 'user')),
    replicas,
    restart: scalarSourced(mapGet(node, 'restart')),
    stopGracePeriod: scalarSourced(mapGet(node, 'stop_grace_period')),
    privileged: priv?.kind === 'scalar' && typeof priv.value === 'boolean' ? sourced(priv.value, priv.loc) : undefined,
    node,
  };
}
