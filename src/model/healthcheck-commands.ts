/**
 * What each healthcheck runs, parsed once for the rules: compose `healthcheck.test`
 * (Healthcheck.commands) and the Dockerfile HEALTHCHECK of every stage (ImageHealthcheck.commands).
 * Docker runs `CMD` as an argv without a shell and `CMD-SHELL` through the container's shell
 * (moby daemon/health.go), so the first is one command with literal words (plus the commands of
 * a `sh -c` string it runs) and the second a shell text.
 */
import type { SourceFile } from '../core/source-file.js';
import { mapGet, type YamlScalarNode } from '../parse/compose/yaml-tree.js';
import type { DockerInstruction } from '../parse/dockerfile/types.js';
import { parseShell, type ShellCommand } from '../parse/shell/parse-shell.js';
import { argvCommands, parseWritten, rangeOf, withoutContinuationComments, type ArgvItem } from './shell-commands.js';
import type { DockerfileModel, ImageHealthcheck, ProjectModel } from './types.js';

export async function addHealthcheckCommands(model: ProjectModel): Promise<void> {
  // the same YAML string (with the same interpolated value) or instruction is read by several
  // environments and Dockerfile variants
  const cache = new Map<unknown, Promise<ShellCommand[]>>();
  const once = (key: unknown, f: () => Promise<ShellCommand[]>): Promise<ShellCommand[]> => {
    let p = cache.get(key);
    if (!p) {
      p = f();
      cache.set(key, p);
    }
    return p;
  };

  for (const env of model.environments) {
    for (const svc of env.services) {
      const hc = svc.healthcheck;
      if (!hc || hc.disabled || (hc.test[0] !== 'CMD' && hc.test[0] !== 'CMD-SHELL') || hc.test.length < 2) continue;
      const testNode = mapGet(mapGet(svc.node, 'healthcheck'), 'test');
      const items: (YamlScalarNode | undefined)[] =
        testNode?.kind === 'seq' ? testNode.items.map((n) => (n.kind === 'scalar' ? n : undefined)) : testNode?.kind === 'scalar' ? [undefined, testNode] : [];
      const source = (n: YamlScalarNode | undefined): SourceFile | undefined => (n ? model.sources.get(n.loc.file) : undefined);
      if (hc.test[0] === 'CMD-SHELL') {
        // Docker hands the rest of the list to the shell; one string is the usual form
        const node = hc.test.length === 2 ? items[1] : undefined;
        const text = hc.test.slice(1).join(' ');
        const src = source(node);
        hc.commands = await once(node ? `${node.loc.file}:${node.range[0]}:${text}` : hc, async () => {
          const where = { file: node?.loc.file ?? hc.loc.file, loc: node?.loc ?? hc.loc, ...(src ? { source: src } : {}), ...(node ? { range: node.range } : {}) };
          return (await parseWritten(text, where)).commands;
        });
      } else {
        const argv: ArgvItem[] = hc.test.slice(1).map((text, i) => {
          const node = items[i + 1];
          return { text, loc: node?.loc ?? hc.loc, ...(node ? { range: node.range } : {}) };
        });
        const src = source(items[1]);
        const key = testNode ? `${testNode.loc.file}:${testNode.loc.startLine}:${testNode.loc.startColumn}:${JSON.stringify(hc.test)}` : hc;
        hc.commands = await once(key, async () => (await argvCommands(argv, argv[0]!.loc.file, src)).commands);
      }
    }
  }

  const dockerfiles = new Set<DockerfileModel>(model.dockerfiles.values());
  for (const env of model.environments) for (const svc of env.services) if (svc.runtime.dockerfile) dockerfiles.add(svc.runtime.dockerfile);
  const done = new Set<ImageHealthcheck>();
  for (const df of dockerfiles) {
    for (const stage of df.stages) {
      const hc = stage.healthcheck;
      if (!hc || done.has(hc)) continue;
      done.add(hc);
      const ins = hc.instruction;
      if (!ins || (hc.value[0] !== 'CMD' && hc.value[0] !== 'CMD-SHELL')) continue;
      hc.commands = await once(ins, () => instructionCommands(ins, df.source));
    }
  }
}

/** `HEALTHCHECK [flags] CMD …`: exec form as an argv, shell form parsed where it is written. */
async function instructionCommands(ins: DockerInstruction, source: SourceFile): Promise<ShellCommand[]> {
  const file = ins.loc.file;
  if (ins.exec) {
    const argv: ArgvItem[] = ins.exec.map((text, i) => {
      const loc = ins.execLocs?.[i] ?? ins.argsLoc;
      const range = ins.execLocs?.[i] ? rangeOf(source, loc) : undefined;
      return { text, loc, ...(range ? { range } : {}) };
    });
    return (await argvCommands(argv, file, source)).commands;
  }
  // the raw arguments after `CMD`, continuations kept so offsets hold
  const raw = source.text.slice(ins.argsRange[0], ins.argsRange[1]);
  const m = /^CMD[ \t]*/i.exec(raw);
  if (!m) return [];
  const text = withoutContinuationComments(raw.slice(m[0].length));
  return (await parseShell(text, { file, source, baseOffset: ins.argsRange[0] + m[0].length })).commands;
}
