/**
 * A tiny auto-escaping tagged template: every interpolated value is escaped unless it is
 * already `Html` (the result of another `html` template or `raw`). Arrays are joined; null,
 * undefined and false render nothing.
 *
 * The entities match `maskSecrets`' HTML form (`&amp; &lt; &gt; &quot;`), so a secret value
 * is still found and masked after escaping. Attributes are always double-quoted, so `'` needs
 * no escape.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function renderValue(v: HtmlValue): string {
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(renderValue).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += renderValue(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Trusted markup (our own CSS, JS, SVG numbers): never pass data through it. */
export function raw(s: string): Html {
  return new Html(s);
}

/**
 * JSON for `<script type="application/json">`: `<` becomes `\u003c`, so no string in the data
 * can close the script element (`</script>`) or open a comment (`<!--`).
 */
export function jsonScript(id: string, data: unknown): Html {
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return html`<script type="application/json" id="${id}">${raw(json)}</script>`;
}

/**
 * Prose with backtick code spans (rule messages and docs): escaped text, spans as `<code>`.
 */
export function prose(s: string): Html {
  const parts = s.split(/`([^`\n]+)`/);
  return new Html(parts.map((p, i) => (i % 2 ? `<code>${escapeHtml(p)}</code>` : escapeHtml(p))).join(''));
}
