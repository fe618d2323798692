/**
 * Which values are secrets. A name looks secret when it names a password, token or key; a
 * value is a literal secret when it is written in a file (not a `${VAR}` reference, not empty,
 * not an obvious placeholder). Reporters mask every such value in every output format.
 */
import type { ProjectModel } from './types.js';

const SECRET_NAME = /(?:^|_|-|\.)(?:PASS(?:WORD|WD)?|PWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|SECRET_?KEY|CREDENTIALS?|AUTH_?KEY|SIGNING_?KEY|ENCRYPTION_?KEY|DSN|WEBHOOK_?SECRET)(?:$|_|-|\.)/i;
/** names that contain a secret word but hold no secret */
const NOT_SECRET = /(?:_FILE|_PATH|_DIR|_URL_?PATH|_LENGTH|_MIN|_MAX|_ALGORITHM|_HASHER|_EXPIRE\w*|_TTL|_ROUNDS|_ENABLED|_HEADER|_NAME|_FIELD|_TYPE|_POLICY|_RESET\w*|_VALIDATORS?)$/i;

export function looksSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !NOT_SECRET.test(name);
}

const PLACEHOLDER = /^(?:|changeme|change[-_ ]?me|change[-_ ]?this|replace[-_ ]?me|todo|xxx+|\*+|<[^>]*>|your[-_ ].*|example|dummy|none|null|false|true)$/i;

export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value.trim());
}

/** a value written literally (not interpolated from the environment) */
export function isLiteral(value: string): boolean {
  return !/\$\{?[A-Za-z_]/.test(value);
}

/** URLs with credentials: `postgres://user:pass@host/db` → `pass` */
export function urlPassword(value: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:([^@\s]+)@/i.exec(value);
  return m && !/^\$\{?/.test(m[1]!) ? m[1] : undefined;
}

export function collectSecretValues(model: ProjectModel): Set<string> {
  const out = new Set<string>();
  const add = (name: string, value: string | null | undefined): void => {
    if (!value) return;
    const pw = urlPassword(value);
    if (pw && pw.length >= 3) out.add(pw);
    if (looksSecretName(name) && value.length >= 3 && !isPlaceholder(value)) out.add(value);
  };
  for (const f of model.envFiles.values()) for (const e of f.entries) add(e.key, e.value);
  for (const env of model.environments) for (const s of env.services) for (const v of s.env.values()) add(v.name, v.value);
  for (const df of model.dockerfiles.values())
    for (const st of df.stages)
      for (const ins of st.instructions)
        if (ins.keyword === 'ENV' || ins.keyword === 'ARG')
          for (const a of ins.args) {
            const eq = a.value.indexOf('=');
            if (eq > 0) add(a.value.slice(0, eq), a.value.slice(eq + 1).replace(/^(['"])(.*)\1$/, '$2'));
          }
  return out;
}
