/**
 * HTML built from templates that escape every interpolated value by default. User ids, model
 * names, tags and error types are attacker-chosen strings: only `SafeHtml` (made by `html`
 * or, for constant text, `raw`) is emitted as markup.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a template accepts: text (escaped), numbers, nothing (`null`, `undefined`, `false`), markup, lists of these. */
export type HtmlPart = SafeHtml | string | number | boolean | null | undefined | readonly HtmlPart[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and for double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] as string);
}

function render(part: HtmlPart): string {
  if (part instanceof SafeHtml) return part.value;
  if (part === null || part === undefined || typeof part === 'boolean') return '';
  if (typeof part === 'number') return String(part);
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(part as string);
}

/** The tagged template: `html\`<td>${userId}</td>\`` escapes `userId`. */
export function html(strings: TemplateStringsArray, ...values: HtmlPart[]): SafeHtml {
  let out = strings[0] as string;
  for (let i = 0; i < values.length; i++) out += render(values[i] as HtmlPart) + (strings[i + 1] as string);
  return new SafeHtml(out);
}

/** Markup from a constant the code controls; never pass it data. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Joins parts with a separator (itself escaped unless SafeHtml). */
export function join(parts: readonly HtmlPart[], separator: HtmlPart): SafeHtml {
  return new SafeHtml(parts.map(render).join(render(separator)));
}
