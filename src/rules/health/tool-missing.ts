import { posix } from 'node:path';
import type { RelatedLocation } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import { matchBaseImage, type BaseImageFacts } from '../../knowledge/base-images.js';
import type { EnvironmentModel, ServiceModel, StageModel } from '../../model/types.js';
import type { ShellCommand } from '../../parse/shell/types.js';
import { defineRule } from '../define-rule.js';
import { factsProgram, missingWhy, SHELL_BUILTINS, serviceProgram, type MissingWhy, type Presence } from '../image/_exec.js';

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);

interface Blame {
  name: string;
  why: MissingWhy;
  /** the word naming the program */
  loc: Location;
}
interface Status {
  s: 'ok' | 'fail' | 'unknown';
  blame: Blame[];
}
const UNKNOWN: Status = { s: 'unknown', blame: [] };

/** What the healthcheck runs in: the built image, or an external image known from base-image facts. */
interface Target {
  program(word: string): Presence;
  why(name: string): MissingWhy;
  /** the shell CMD-SHELL runs (Config.Shell, else /bin/sh) is certainly absent */
  shellMissing(): boolean;
  shell: string;
  label: string;
}

export default defineRule({
  meta: {
    id: 'health/tool-missing',
    severity: 'critical',
    title: 'The healthcheck runs a tool the image does not have',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A compose `healthcheck.test` (or the image `HEALTHCHECK` when compose sets none) runs a program that is not in the image: `curl` on `python:*-slim` or `node:*-alpine`, `wget` on Debian slim images, `pg_isready` outside a postgres image, or any `CMD-SHELL` check on an image without `/bin/sh` (distroless).',
      why: 'Docker runs the check inside the container: `CMD` executes the program directly, `CMD-SHELL` runs it through the container\'s shell (`/bin/sh -c`, or the Dockerfile `SHELL`). When the program is missing, every probe exits with an error (`exec: "curl": executable file not found in $PATH`, or `/bin/sh: 1: curl: not found`, exit 127), so after `retries` failures the container is marked `unhealthy` and never becomes healthy. Every service that waits for it with `depends_on: condition: service_healthy` is never started: `docker compose up` stops with `dependency failed to start: container ... is unhealthy`. Slim and Alpine images drop most tools: `python:*-slim` has neither curl nor wget, `node:*-alpine` and `python:*-alpine` have BusyBox `wget` but no curl, distroless images have no shell at all. A check that falls back to another tool (`curl ... || wget ...`) is only reported when every branch fails.',
      fix: 'Use a tool the image has (`python -c "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/health\')"` on Python images, BusyBox `wget -qO- ...` on Alpine, `pg_isready` only on postgres images), install the tool in the Dockerfile (`apt-get install -y --no-install-recommends curl`), or use the `CMD` form with a binary the image ships when it has no shell.',
      verify: 'docker compose -f <files> up -d && docker inspect --format "{{json .State.Health}}" $(docker compose -f <files> ps -q <service>)   # Status "healthy", no "not found" in Log',
      references: [
        { title: 'Compose services: healthcheck (CMD, CMD-SHELL runs /bin/sh)', url: 'https://docs.docker.com/reference/compose-file/services/#healthcheck' },
        { title: 'Dockerfile reference: HEALTHCHECK', url: 'https://docs.docker.com/reference/dockerfile/#healthcheck' },
        { title: 'moby daemon/health.go (CMD-SHELL prepends the container shell, probes run inside the container)', url: 'https://github.com/moby/moby/blob/master/daemon/health.go' },
        { title: 'docker/compose convergence.go (dependency failed to start: container is unhealthy)', url: 'https://github.com/docker/compose/blob/main/pkg/compose/convergence.go' },
        { title: 'docker-library/python slim Dockerfile (wget purged after the build)', url: 'https://github.com/docker-library/python/blob/master/3.12/slim-bookworm/Dockerfile' },
        { title: 'distroless README: no shell, no package manager', url: 'https://github.com/GoogleContainerTools/distroless/blob/main/README.md' },
      ],
      example: {
        bad: { 'compose.yaml': 'services:\n  api:\n    build: .\n    healthcheck:\n      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]\n', Dockerfile: 'FROM python:3.12-slim\n' },
        good: { 'compose.yaml': 'services:\n  api:\n    build: .\n    healthcheck:\n      test: ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/health\')"]\n', Dockerfile: 'FROM python:3.12-slim\n' },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      for (const svc of env.services) {
        if (!svc.enabled) continue;
        const hc = healthcheckOf(svc);
        if (!hc) continue;
        const target = targetOf(svc);
        if (!target) continue;
        const verdict = evaluate(hc, target);
        if (!verdict) continue;
        const dependents = waitingOnHealth(env, svc);
        const related: RelatedLocation[] = [...verdict.related, ...dependents.map((d) => ({ location: d.loc, message: `"${d.service}" waits for "${svc.name}" to be healthy` }))];
        if (hc.fromImage) related.push({ location: svc.loc, message: `service "${svc.name}" sets no healthcheck, so the image's HEALTHCHECK applies` });
        const wait = dependents.length
          ? ` ${names(dependents.map((d) => d.service))} ${dependents.length > 1 ? 'wait' : 'waits'} for it with \`condition: service_healthy\` and never ${dependents.length > 1 ? 'start' : 'starts'}: \`docker compose up\` stops with "dependency failed to start: container ... is unhealthy".`
          : '';
        const files = env.composeFiles.map((f) => `-f ${f}`).join(' ');
        report({
          environment: env.name,
          service: svc.name,
          location: verdict.loc ?? hc.loc,
          message: `The healthcheck of "${svc.name}" ${verdict.what}, so the container never becomes healthy.${wait}${verdict.hint ? ` Fix: ${verdict.hint}.` : ''}`,
          related,
          key: `${svc.name}:${verdict.key}`,
          verify: [`docker compose ${files} up -d && docker inspect --format "{{json .State.Health}}" $(docker compose ${files} ps -q ${svc.name})`],
        });
      }
    }
  },
});

function names(list: string[]): string {
  const q = [...new Set(list)].map((n) => `"${n}"`);
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

interface HealthSource {
  test: string[];
  /** the test as the model parsed it (Healthcheck.commands) */
  commands: ShellCommand[] | undefined;
  fromImage: boolean;
  /** the test (compose) or the HEALTHCHECK instruction */
  loc: Location;
}

function healthcheckOf(svc: ServiceModel): HealthSource | undefined {
  const hc = svc.healthcheck;
  if (hc?.disabled) return undefined;
  if (hc && hc.test.length) return { test: hc.test, commands: hc.commands, fromImage: false, loc: hc.loc };
  const image = svc.runtime.stage?.healthcheck;
  if (!image || image.value[0] === 'NONE') return undefined;
  return { test: image.value, commands: image.commands, fromImage: true, loc: image.loc };
}

function targetOf(svc: ServiceModel): Target | undefined {
  const stage = svc.runtime.stage;
  const image = stage?.image;
  if (stage && image) {
    if (image.unknownBase) return undefined;
    const shell = stageShell(svc, stage) ?? '/bin/sh';
    return {
      program: (w) => serviceProgram(svc, image, w, stage.workdir),
      why: (n) => missingWhy(image, n),
      shellMissing: () => serviceProgram(svc, image, shell, '/') === 'missing',
      shell,
      label: `the image built from ${stage.base.raw}`,
    };
  }
  if (stage || !svc.runtime.external) return undefined;
  const facts = matchBaseImage(svc.runtime.external);
  if (!facts || facts.id === 'scratch') return undefined;
  return {
    program: (w) => factsProgram(svc, facts, w),
    why: (n) => externalWhy(facts, n),
    shellMissing: () => facts.shell === false,
    shell: '/bin/sh',
    label: svc.runtime.external.raw,
  };
}

function externalWhy(facts: BaseImageFacts, name: string): MissingWhy {
  if (facts.closed) return { text: `${facts.description} contains no programs besides its own`, related: [], hint: 'use a tool the image has' };
  return { text: `${facts.description} does not ship ${name}`, related: [], hint: 'use a tool the image has, or build an image on top of it that installs the tool', baseLacks: facts.description };
}

/** The Dockerfile `SHELL` in force for the stage (through `FROM <stage>`), which CMD-SHELL checks run with. */
function stageShell(svc: ServiceModel, stage: StageModel): string | undefined {
  const stages = svc.runtime.dockerfile?.stages ?? [];
  const chain: StageModel[] = [];
  for (let s: StageModel | undefined = stage; s && !chain.includes(s); s = s.baseStage !== undefined ? stages[s.baseStage] : undefined) chain.push(s);
  for (const s of chain) {
    const shells = s.instructions.filter((i) => i.keyword === 'SHELL' && i.exec?.length);
    const last = shells[shells.length - 1];
    if (last) return last.exec![0];
  }
  return undefined;
}

function waitingOnHealth(env: EnvironmentModel, svc: ServiceModel): { service: string; loc: Location }[] {
  const out: { service: string; loc: Location }[] = [];
  for (const o of env.services) {
    if (!o.enabled || o === svc) continue;
    for (const d of o.dependsOn) if (d.service === svc.name && d.condition === 'service_healthy') out.push({ service: o.name, loc: d.loc });
  }
  return out;
}

interface Verdict {
  what: string;
  /** the word to point at; the test itself when absent */
  loc?: Location;
  key: string;
  hint?: string;
  related: RelatedLocation[];
}

/** The check certainly fails because of a missing program (or shell): what to say; undefined otherwise. */
function evaluate(hc: HealthSource, t: Target): Verdict | undefined {
  const { test, commands } = hc;
  const kind = test[0];
  if (kind === 'CMD-SHELL') {
    if (t.shellMissing()) {
      return { what: `uses CMD-SHELL, which runs \`${t.shell} -c\`, but ${t.label} has no ${t.shell}: every check fails (exec: "${t.shell}": no such file or directory)`, key: 'no-shell', hint: 'use the CMD form with a program the image has', related: [] };
    }
    return commands ? shellVerdict(commands, undefined, t) : undefined;
  }
  if (kind !== 'CMD') return undefined;
  const argv = test.slice(1);
  const prog = argv[0];
  if (!prog || /[$`]/.test(prog)) return undefined;
  // the model reads a CMD list as one command, then the commands of its `sh -c` string
  const command = commands?.[0];
  if (!command) return undefined;
  if (SHELLS.has(posix.basename(prog)) && argv[1] === '-c' && argv[2] !== undefined) {
    if (t.program(prog) === 'missing') return { what: `runs ${prog} -c, but ${t.label} has no ${prog}: every check fails (exec: "${prog}": executable file not found)`, loc: command.nameWord?.loc ?? hc.loc, key: `shell:${prog}`, related: [] };
    return shellVerdict(commands, 1, t);
  }
  const st = commandStatus(command, t);
  if (st.s !== 'fail' || !st.blame.length) return undefined;
  const b = st.blame[0]!;
  return {
    what: `runs ${b.name}, but ${b.why.text}: every check fails with 'exec: "${b.name}": executable file not found in $PATH'`,
    loc: command.nameWord?.loc ?? hc.loc,
    key: b.name,
    ...(b.why.hint ? { hint: b.why.hint } : {}),
    related: b.why.related,
  };
}

/**
 * The status of a shell text (the CMD-SHELL string, or `shellString` of the argv): only a plain
 * list of pipelines joined by `&&` and `||` is read; `;`, compound commands, `!` and `&` are not.
 */
function shellVerdict(commands: ShellCommand[], shellString: number | undefined, t: Target): Verdict | undefined {
  // commands of other `sh -c` strings, and of `$( )` in this one, do not decide its status
  const cmds = commands.filter((c) => c.context.shellString === shellString && c.context.joinedBy !== undefined);
  if (!cmds.length) return undefined;
  // pipelines joined by && and ||
  const pipes: { op: '&&' | '||' | 'start'; cmds: ShellCommand[] }[] = [];
  for (const c of cmds) {
    const j = c.context.joinedBy!;
    if (c.context.background || c.context.negated) return undefined;
    if (j === ';') {
      if (pipes.length) return undefined; // a second statement
      pipes.push({ op: 'start', cmds: [c] });
    } else if (j === '|') pipes[pipes.length - 1]?.cmds.push(c);
    else pipes.push({ op: j, cmds: [c] });
  }
  let st: Status | undefined;
  for (const p of pipes) {
    // a pipeline's status is its last command's (no pipefail in sh)
    const last = p.cmds[p.cmds.length - 1]!;
    const run = (): Status => commandStatus(last, t);
    if (!st) st = run();
    else if (p.op === '&&') {
      if (st.s === 'fail') continue;
      const r = run();
      st = st.s === 'ok' ? r : r.s === 'fail' ? r : UNKNOWN;
    } else {
      if (st.s === 'ok') continue;
      const r = run();
      st = st.s === 'fail' ? { s: r.s, blame: r.s === 'fail' ? [...st.blame, ...r.blame] : [] } : r.s === 'ok' ? r : UNKNOWN;
    }
  }
  if (!st || st.s !== 'fail' || !st.blame.length) return undefined;
  const blame = st.blame;
  const tools = blame.map((b) => b.name);
  const first = blame[0]!;
  const lacks = blame[0]!.why.baseLacks;
  const why = blame.length > 1 && lacks !== undefined && blame.every((b) => b.why.baseLacks === lacks) ? `${lacks} ships neither` : blame.map((b) => b.why.text).join('; ');
  return {
    what: blame.length > 1 && why.endsWith('ships neither')
      ? `runs ${tools.join(' or ')} through the shell, but ${why}: every check fails with "${tools[0]}: not found" (exit 127)`
      : `runs ${tools.join(' and ')} through the shell, but ${why}: every check fails with "${tools[0]}: not found" (exit 127)`,
    loc: first.loc,
    key: tools.join('+'),
    ...(first.why.hint ? { hint: first.why.hint } : {}),
    related: blame.flatMap((b) => b.why.related),
  };
}

/** What one simple command certainly does: succeed, fail for a missing program, or unknown. */
function commandStatus(c: ShellCommand, t: Target): Status {
  // the model peels `exec` off (c.exec); assignments alone (`FOO=1`) have no name
  const prog = c.nameWord;
  if (!prog || prog.literal !== true || !c.name) return UNKNOWN;
  const name = c.name;
  if (name === 'exit') {
    const arg = c.args[0];
    if (!arg || arg.literal !== true || !/^\d+$/.test(arg.text)) return UNKNOWN;
    return { s: Number(arg.text) === 0 ? 'ok' : 'fail', blame: [] };
  }
  if (name === 'true' || name === ':') return { s: 'ok', blame: [] };
  if (name === 'false') return { s: 'fail', blame: [] };
  if (SHELL_BUILTINS.has(name)) return UNKNOWN;
  if (t.program(name) !== 'missing') return UNKNOWN;
  const base = posix.basename(name);
  return { s: 'fail', blame: [{ name, why: name.includes('/') ? { text: `${name} does not exist in ${t.label}`, related: [] } : t.why(base), loc: prog.loc }] };
}
