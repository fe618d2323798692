import type { Fix } from '../../core/finding.js';
import type { EnvVar, ProjectModel } from '../../model/types.js';
import { defineRule } from '../define-rule.js';

/** YAML 1.1 booleans that YAML 1.2 (go-yaml v3, Compose v2) reads as strings. */
const YAML11_BOOL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
const YAML12_BOOL = /^(?:true|True|TRUE|false|False|FALSE)$/;
/** go-yaml v3's yamlStyleFloat */
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOATS: Record<string, string> = {
  '.inf': '+Inf', '.Inf': '+Inf', '.INF': '+Inf', '+.inf': '+Inf', '+.Inf': '+Inf', '+.INF': '+Inf',
  '-.inf': '-Inf', '-.Inf': '-Inf', '-.INF': '-Inf', '.nan': 'NaN', '.NaN': 'NaN', '.NAN': 'NaN',
};
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

type Reading =
  | { kind: 'bool12'; go: string }
  | { kind: 'bool11'; go: string }
  | { kind: 'number'; go: string };

/** Go's fmt.Sprint of a float64: %v is strconv 'g' with the shortest digits, in exponent form when exp < -4 || exp >= 6. */
function goFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const abs = String(Math.abs(exp)).padStart(2, '0');
    return `${mant}e${sign}${abs}`;
  }
  return String(x);
}

/** How Compose v2 (go-yaml v3 into interface{}, then fmt.Sprint) reads an unquoted plain scalar. */
function goYamlReading(raw: string): Reading | undefined {
  if (YAML12_BOOL.test(raw)) return { kind: 'bool12', go: raw.toLowerCase() };
  if (YAML11_BOOL.test(raw)) return { kind: 'bool11', go: raw };
  if (SPECIAL_FLOATS[raw]) return { kind: 'number', go: SPECIAL_FLOATS[raw]! };
  if (!/^[-+.0-9]/.test(raw)) return undefined;
  if (raw.startsWith('.')) {
    if (!/^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/.test(raw)) return undefined;
    return { kind: 'number', go: goFloat(Number(raw)) };
  }
  // a date (2024-01-01) is a timestamp that go-yaml v3 hands to interface{} as the string itself
  if (/^\d{4}-\d{1,2}-\d{1,2}(?:[Tt ].*)?$/.test(raw)) return undefined;
  const plain = raw.replace(/_/g, '');
  const int = goParseInt(plain);
  if (int !== undefined && int >= INT64_MIN && int <= UINT64_MAX) return { kind: 'number', go: int.toString() };
  if (YAML_FLOAT.test(plain)) return { kind: 'number', go: goFloat(Number(plain)) };
  return undefined;
}

/** strconv.ParseInt(s, 0, 64) without the range check: 0x, 0o, 0b prefixes, a leading 0 means octal. */
function goParseInt(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  const body = m[2]!;
  let v: bigint;
  if (/^0[xXoObB]/.test(body)) v = BigInt(body.toLowerCase());
  else if (body.length > 1 && body.startsWith('0')) v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  return sign * v;
}

function rawText(model: ProjectModel, v: EnvVar): string | undefined {
  const n = v.node;
  if (!n || n.range[1] <= n.range[0]) return undefined;
  const text = model.sources.get(n.loc.file)?.text;
  if (text === undefined) return undefined;
  // a `!!str` (or any) tag right before the value makes it a string
  const lineStart = text.lastIndexOf('\n', n.range[0] - 1) + 1;
  if (/![\w!:/.-]*\s+$/.test(text.slice(lineStart, n.range[0]))) return undefined;
  return text.slice(n.range[0], n.range[1]);
}

export default defineRule({
  meta: {
    id: 'compose/env-yaml-typing',
    severity: 'medium',
    title: 'environment value is a YAML boolean or number, not a string',
    fixable: 'safe',
    status: 'stable',
    docs: {
      summary: 'In the map form of `environment`, an unquoted value that YAML reads as a boolean (`true`, `True`, and in YAML 1.1 `yes`/`no`/`on`/`off`) or as a number that changes when turned back into text (`08`, `0755`, `1.10`).',
      why: 'Environment variables are strings, but `KEY: value` is typed by YAML first. Compose v2 accepts booleans and numbers and turns them into text with Go\'s `fmt.Sprint`: `True` becomes `"true"`, `08` and `1.10` (YAML numbers) become `"8"` and `"1.1"`, `0755` (an octal number to Go\'s YAML) becomes `"493"`, so the container sees a different value than the file shows. docker-compose v1 read YAML 1.1, where `yes`, `no`, `on` and `off` are booleans too, and rejected every boolean: `services.api.environment.DEBUG contains true, which is an invalid type, it should be a string, number, or a null`. The Compose specification asks for these values to be quoted. `KEY:` with no value is not reported: it deliberately passes the variable through from the shell.',
      fix: 'Quote the value (`VAULT__ENABLED: "true"`, `PORT: "08"`), or use the list form `- KEY=value`, which is always a string.',
      verify: 'docker compose -f <files> config   # shows each environment value as Compose will pass it',
      references: [
        { title: 'Compose services: environment (quote true, false, yes, no)', url: 'https://docs.docker.com/reference/compose-file/services/#environment' },
        { title: 'compose-go types/mapping.go: mappingValue uses fmt.Sprint for non-strings', url: 'https://github.com/compose-spec/compose-go/blob/main/types/mapping.go' },
        { title: 'go-yaml v3 resolve.go: int/float resolution (0-prefixed octal, floats)', url: 'https://github.com/yaml/go-yaml/blob/v3/resolve.go' },
        { title: 'docker-compose v1 error on boolean environment values (outline/outline#4403)', url: 'https://github.com/outline/outline/issues/4403' },
      ],
      fixSafety: 'The fix wraps the value exactly as written in double quotes (`08` → `"08"`), which is the value the author wrote and what every Compose version then passes; the written text contains no quote or backslash, so nothing else changes.',
      example: { bad: { 'compose.yaml': 'services:\n  api:\n    environment:\n      VAULT__ENABLED: true\n      PORT: 08\n' }, good: { 'compose.yaml': 'services:\n  api:\n    environment:\n      VAULT__ENABLED: "true"\n      PORT: "08"\n' } },
    },
  },
  check({ model, report }) {
    for (const env of model.environments)
      for (const svc of env.services) {
        if (!svc.enabled) continue;
        for (const v of svc.env.values()) {
          const n = v.node;
          if (v.from !== 'environment' || !n || n.quoted || n.inList || n.value === null) continue;
          const raw = rawText(model, v);
          if (raw === undefined || raw !== raw.trim() || /[\n'"\\]/.test(raw)) continue;
          const r = goYamlReading(raw);
          if (!r) continue;
          let what: string;
          if (r.kind === 'bool12')
            what = r.go === raw
              ? `${v.name}: ${raw} is the YAML boolean ${r.go}, not a string: Compose v2 passes "${r.go}", but docker-compose v1 rejects the file ("contains ${r.go}, which is an invalid type, it should be a string, number, or a null")`
              : `${v.name}: ${raw} is the YAML boolean ${r.go}, not a string: Compose v2 passes "${r.go}" (lower case), not "${raw}", and docker-compose v1 rejects the file`;
          else if (r.kind === 'bool11')
            what = `${v.name}: ${raw} is a string for Compose v2 (YAML 1.2) but the boolean ${/^(?:y|yes|on)$/i.test(raw) ? 'true' : 'false'} for docker-compose v1 (YAML 1.1), which rejects it`;
          else {
            if (r.go === raw) continue;
            what = `${v.name}: ${raw} is a YAML number, not a string: Compose passes "${r.go}", not "${raw}"`;
          }
          const fix: Fix = { description: `Quote the value: "${raw}"`, safety: 'safe', edits: [{ file: n.loc.file, start: n.range[0], end: n.range[1], text: `"${raw}"` }] };
          report({
            message: `${what}; quote it.`,
            location: v.loc,
            environment: env.name,
            service: svc.name,
            key: `${v.name}=${raw}`,
            fix,
            verify: [`docker compose ${env.composeFiles.map((f) => `-f ${f}`).join(' ')} config --format json | grep '"${v.name}"'`],
          });
        }
      }
  },
});
