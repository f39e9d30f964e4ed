// Converge's XML documents (P3), written and read without an XML library. Requests are
// `<txn>` with one element per field; replies are the same flat shape, or for txnquery a
// `<txnlist>` holding `<ssl_txn_count>` and the matching `<txn>` elements. The reader
// accepts exactly that: an optional XML declaration, elements without attributes nested
// at most three deep, text with the five predefined entities and numeric character
// references. Anything else (comments, CDATA, DOCTYPE, attributes, mixed content, a
// repeated field) makes the document unreadable, which the caller treats as an unknown
// outcome — a lenient parser could only turn an odd reply into a wrong answer.

/** One field of a request, in the order it is written. */
export type XmlField = readonly [name: string, value: string];

/** A reply's fields by name, as text. */
export type FlatReply = Readonly<Record<string, string>>;

const namePattern = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const depthMax = 3;

export function writeTxn(fields: readonly XmlField[]): string {
  const body = fields.map(([name, value]) => {
    if (!namePattern.test(name)) throw new Error(`not an XML field name: ${name.slice(0, 70)}`);
    return `<${name}>${escapeText(value)}</${name}>`;
  }).join('');
  return `<txn>${body}</txn>`;
}

function escapeText(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[character] ?? '');
}

type Element = { readonly name: string; readonly children: readonly Element[]; readonly text: string | null };

/**
 * The reply's fields, or null when the body is not a Converge reply document. A txnquery
 * list with one transaction reads as that transaction; an empty list reads as
 * `{ ssl_txn_count: '0' }`; a list of several is not believed (a query by transaction id
 * names one).
 */
export function readReply(body: string): FlatReply | null {
  const root = parseDocument(body);
  if (root === null) return null;
  if (root.name === 'txn') return fieldsOf(root);
  if (root.name !== 'txnlist') return null;
  const count = root.children.filter((child) => child.name === 'ssl_txn_count');
  const transactions = root.children.filter((child) => child.name === 'txn');
  if (count.length !== 1 || count[0]?.text === null || count.length + transactions.length !== root.children.length) return null;
  const declared = count[0]?.text;
  if (declared === '0' && transactions.length === 0) return { ssl_txn_count: '0' };
  if (declared !== '1' || transactions.length !== 1 || transactions[0] === undefined) return null;
  return fieldsOf(transactions[0]);
}

function fieldsOf(element: Element): FlatReply | null {
  const fields = new Map<string, string>();
  for (const child of element.children) {
    if (child.text === null || fields.has(child.name)) return null;
    fields.set(child.name, child.text);
  }
  return Object.fromEntries(fields);
}

function parseDocument(body: string): Element | null {
  const parser = new Parser(body.replace(/^\uFEFF/, ''));
  parser.skipWhitespace();
  parser.skipDeclaration();
  parser.skipWhitespace();
  const root = parser.element(1);
  if (root === null) return null;
  parser.skipWhitespace();
  return parser.atEnd() ? root : null;
}

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.at === this.text.length;
  }

  skipWhitespace(): void {
    while (this.at < this.text.length && ' \t\r\n'.includes(this.text.charAt(this.at))) this.at++;
  }

  skipDeclaration(): void {
    if (!this.text.startsWith('<?xml', this.at)) return;
    const end = this.text.indexOf('?>', this.at);
    this.at = end === -1 ? this.text.length + 1 : end + 2;
  }

  /** One element and everything in it; null when it is not in the accepted shape. */
  element(depth: number): Element | null {
    if (depth > depthMax) return null;
    const open = /^<([A-Za-z_][A-Za-z0-9_]{0,63})\s*(\/?)>/.exec(this.text.slice(this.at, this.at + 70));
    if (open === null) return null;
    const name = open[1] ?? '';
    this.at += open[0].length;
    if (open[2] === '/') return { name, children: [], text: '' };
    const textEnd = this.text.indexOf('<', this.at);
    if (textEnd === -1) return null;
    if (this.text.startsWith(`</${name}>`, textEnd)) {
      const text = decodeText(this.text.slice(this.at, textEnd));
      this.at = textEnd + name.length + 3;
      return text === null ? null : { name, children: [], text };
    }
    return this.elementChildren(name, depth);
  }

  private elementChildren(name: string, depth: number): Element | null {
    const children: Element[] = [];
    for (;;) {
      this.skipWhitespace();
      if (this.text.startsWith(`</${name}>`, this.at)) {
        this.at += name.length + 3;
        return { name, children, text: null };
      }
      const child = this.element(depth + 1);
      if (child === null) return null;
      children.push(child);
    }
  }
}

const entities: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeText(raw: string): string | null {
  if (raw.includes('>')) return null;
  let failed = false as boolean;
  const decoded = raw.replace(/&([^;&]{0,10});?/g, (match, entity: string) => {
    const named = entities[entity];
    const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(entity);
    const code = numeric === null ? null : Number.parseInt(numeric[1] ?? numeric[2] ?? '', numeric[1] === undefined ? 10 : 16);
    if (!match.endsWith(';') || (named === undefined && (code === null || code > 0x10ffff))) {
      failed = true;
      return '';
    }
    return named ?? String.fromCodePoint(code ?? 0);
  });
  return failed ? null : decoded;
}
