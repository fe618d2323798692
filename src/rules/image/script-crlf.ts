import { posix } from 'node:path';
import type { Fix, RelatedLocation } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import { baseHasTool, matchBaseImage } from '../../knowledge/base-images.js';
import type { ServiceModel, StageModel, StartScript } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { composeFlags, plannedServices, where } from '../runtime/_start.js';

/** `/bin/bash -e` → `/bin/bash`; `/usr/bin/env bash` → `bash`; `/usr/bin/env -S bash -e` → `bash`. */
function interpreterOf(shebang: string): string | undefined {
  const t = shebang.split(/\s+/).filter(Boolean);
  if (!t.length) return undefined;
  if (posix.basename(t[0]!) !== 'env') return t[0];
  let k = 1;
  while (k < t.length && t[k]!.startsWith('-')) k++;
  return t[k];
}

/** Whether the container has `prog` (an absolute path, or a name looked up on PATH): false only when certain. */
function imageHas(svc: ServiceModel, prog: string): boolean | undefined {
  const name = posix.basename(prog);
  const stage = svc.runtime.stage;
  if (stage) {
    const img = stage.image;
    if (img) {
      if (img.unknownBase) return undefined;
      const onPath = img.hasExecutable(name);
      if (onPath !== false) return onPath;
      return prog.startsWith('/') && img.finalPath(prog).exists === true ? true : false;
    }
    // no image model: the base image's facts, unless some RUN may have installed it
    return baseOnly(svc, stage, name);
  }
  const ext = svc.runtime.external;
  if (!ext) return undefined;
  const facts = matchBaseImage(ext);
  return facts ? baseHasTool(facts, name) : undefined;
}

function baseOnly(svc: ServiceModel, stage: StageModel, name: string): boolean | undefined {
  const stages = svc.runtime.dockerfile?.stages ?? [];
  let root: StageModel | undefined = stage;
  const seen: StageModel[] = [];
  while (root && root.baseStage !== undefined && !seen.includes(root)) {
    seen.push(root);
    root = stages[root.baseStage];
  }
  if (!root) return undefined;
  const facts = matchBaseImage(root.base);
  if (!facts) return undefined;
  const has = baseHasTool(facts, name);
  if (has !== false) return has;
  const mentions = [...seen, root].some((s) => s.instructions.some((i) => (i.keyword === 'RUN' || i.keyword === 'COPY' || i.keyword === 'ADD') && i.argsText.includes(name)));
  return mentions ? undefined : false;
}

/** The first line that ends with CRLF. */
function firstCrlfLine(text: string): number {
  const at = text.indexOf('\r\n');
  let line = 1;
  for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export default defineRule({
  meta: {
    id: 'image/script-crlf',
    severity: 'high',
    title: 'start script has CRLF line endings or a shebang for a shell the image lacks',
    fixable: 'safe',
    status: 'stable',
    docs: {
      summary: 'A shell script on the start path has Windows (CRLF) line endings, or is executed directly with a `#!/bin/bash` (or `#!/usr/bin/env bash`) shebang in an image that has no bash (python, node, redis and nginx alpine images, alpine itself).',
      why: 'Linux reads the interpreter from the shebang line up to the line feed, so with CRLF the interpreter is `/bin/sh\\r`, which does not exist: the container fails with `exec /entrypoint.sh: no such file or directory` (from a shell: `/bin/sh^M: bad interpreter`). Run through `sh script.sh`, every line still ends in a carriage return: `set -e\\r` gives `set: illegal option -`, and commands get a stray `\\r` in their last argument. A `#!/bin/bash` script on an image without bash fails the same way (`exec /entrypoint.sh: no such file or directory`, because the kernel cannot find the interpreter). Images whose contents drydock does not know are not reported for bash.',
      fix: 'Convert the script to LF (`dos2unix`, or your editor) and pin it with `.gitattributes` (`*.sh text eol=lf`) so Windows checkouts keep LF; use `#!/bin/sh` (and POSIX syntax) on alpine images, or install bash (`RUN apk add --no-cache bash`).',
      verify: 'file <script>   # "ASCII text", not "with CRLF line terminators"\ndocker compose -f <files> up -d <service> && docker compose -f <files> logs <service>',
      references: [
        { title: 'execve(2): ENOENT when the interpreter of a script does not exist; the shebang line format', url: 'https://man7.org/linux/man-pages/man2/execve.2.html' },
        { title: 'gitattributes: eol=lf keeps LF line endings in the working tree', url: 'https://git-scm.com/docs/gitattributes#_eol' },
        { title: 'Official image docs, alpine variants: "it\'s uncommon for additional related tools (such as git or bash) to be included"', url: 'https://hub.docker.com/_/python' },
        { title: 'Reported failure: exec /entrypoint.sh: no such file or directory from CRLF (ericc-ch/copilot-api#137)', url: 'https://github.com/ericc-ch/copilot-api/issues/137' },
      ],
      fixSafety: 'For CRLF only: the fix deletes the carriage return before every line feed of the script, which is exactly the conversion to LF; nothing else in the file changes. A missing bash gets no automatic fix (the script may use bash syntax).',
      example: {
        bad: {
          'compose.yaml': 'services:\n  api:\n    build: .\n',
          Dockerfile: 'FROM python:3.12-alpine\nCOPY --chmod=755 entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["python", "-m", "http.server"]\n',
          'entrypoint.sh': '#!/bin/bash\nset -e\nexec "$@"\n',
        },
        good: {
          'compose.yaml': 'services:\n  api:\n    build: .\n',
          Dockerfile: 'FROM python:3.12-alpine\nCOPY --chmod=755 entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["python", "-m", "http.server"]\n',
          'entrypoint.sh': '#!/bin/sh\nset -e\nexec "$@"\n',
        },
      },
    },
  },
  check({ model, report }) {
    const seen = new Set<string>();
    for (const { env, svc, plan } of plannedServices(model))
      for (const script of plan.scripts as StartScript[]) {
        const related: RelatedLocation[] = [{ location: script.loc, message: `${script.path} runs here (${script.invocation === 'direct' ? 'executed directly' : script.invocation === 'sourced' ? 'sourced' : 'through a shell'})` }];
        const verify = [`docker compose ${composeFlags(env)} up -d ${svc.name} && docker compose ${composeFlags(env)} logs ${svc.name}`];
        if (script.crlf) {
          const once = `${env.name}\0crlf\0${script.repoPath}`;
          if (!seen.has(once)) {
            seen.add(once);
            const src = model.sources.get(script.repoPath);
            const line = src ? firstCrlfLine(src.text) : 1;
            const location: Location = src ? src.lineLocation(line) : { file: script.repoPath };
            let fix: Fix | undefined;
            if (src) {
              const edits = [...src.text.matchAll(/\r\n/g)].map((m) => ({ file: src.path, start: m.index, end: m.index + 1, text: '' }));
              if (edits.length) fix = { description: `Convert ${script.repoPath} to LF line endings`, safety: 'safe', edits };
            }
            const shebangBroken = line === 1 && script.invocation === 'direct' && script.shebang !== undefined;
            const symptom = shebangBroken
              ? `the kernel looks for the interpreter "${script.shebang}\\r", so the container fails with "exec ${script.path}: no such file or directory"`
              : `the shell reads a carriage return at the end of every line ("set: illegal option -", "$'\\r': command not found", arguments ending in \\r)`;
            report({
              message: `${script.repoPath} has CRLF (Windows) line endings: ${symptom}.`,
              location,
              environment: env.name,
              service: svc.name,
              related,
              ...(fix ? { fix } : {}),
              verify: [`file ${script.repoPath}`, ...verify],
              key: `crlf:${script.repoPath}`,
            });
          }
        }
        if (script.invocation !== 'direct' || script.shebang === undefined) continue;
        const interp = interpreterOf(script.shebang);
        if (!interp || posix.basename(interp) !== 'bash') continue;
        if (imageHas(svc, interp) !== false) continue;
        const once = `${env.name}\0bash\0${script.path}\0${where(script.loc)}`;
        if (seen.has(once)) continue;
        seen.add(once);
        const src = model.sources.get(script.repoPath);
        const base = svc.runtime.stage?.image?.base?.description ?? (svc.runtime.external ? matchBaseImage(svc.runtime.external)?.description : undefined) ?? 'the image';
        report({
          message: `${script.repoPath} starts with #!${script.shebang}, but ${base} has no bash: executing ${script.path} fails with "exec ${script.path}: no such file or directory". Use #!/bin/sh (POSIX syntax) or install bash.`,
          location: src ? src.lineLocation(1) : { file: script.repoPath },
          environment: env.name,
          service: svc.name,
          related,
          verify,
          key: `bash:${script.path}@${where(script.loc)}`,
        });
      }
  },
});
