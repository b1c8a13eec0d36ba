import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MessageCryptoError } from './errors';

/**
 * A deliberately small XML reader for WeChat's flat `<xml>…</xml>` documents: envelopes and
 * decrypted payloads. It refuses DTDs outright (no entity can be declared, so nothing can expand),
 * bounds the input size, keeps every value as a string, and decodes only XML's five predefined
 * entities and character references itself; CDATA stays verbatim.
 */

export const DEFAULT_MAX_XML_BYTES = 64 * 1024;

export interface XmlLimits {
  /** Largest accepted document, in UTF-8 bytes. Default 64 KiB. */
  maxBytes?: number;
}

/** A leaf element's text, or the children of an element that has child elements. */
export type XmlNode = string | XmlRecord;

/** Children of an element by tag name; a tag that occurs more than once maps to an array. */
export interface XmlRecord {
  [tag: string]: XmlNode | XmlNode[];
}

export interface Envelope {
  encrypt: string;
  /** Present on pushes addressed to the platform. Not covered by the signature. */
  appId?: string;
  /** Present on messages for an authorizer (its gh_ id). Not covered by the signature. */
  toUserName?: string;
}

const TEXT = '#text';
const CDATA = '#cdata';

/** fast-xml-parser's ordered output: `{ tag: children }`, `{ '#text': text }` or `{ '#cdata': [{ '#text': text }] }`. */
type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true, // keeps text and CDATA apart and in order, so each is decoded the right way
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  trimValues: false,
  cdataPropName: CDATA,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const PREDEFINED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const ENTITY_REFERENCE = /&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);/g;

function badXml(reason: string): MessageCryptoError {
  return new MessageCryptoError('BAD_XML', reason);
}

function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

function decodeReference(reference: string): string {
  if (!reference.startsWith('#')) {
    const value = PREDEFINED_ENTITIES[reference];
    if (value === undefined) throw badXml('undeclared entity reference');
    return value;
  }
  const codePoint = reference[1] === 'x' ? parseInt(reference.slice(2), 16) : parseInt(reference.slice(1), 10);
  if (!isXmlChar(codePoint)) throw badXml('character reference to a non-XML character');
  return String.fromCodePoint(codePoint);
}

function decodeText(raw: string): string {
  return raw.replace(ENTITY_REFERENCE, (_match, reference: string) => decodeReference(reference));
}

function assertAcceptable(xml: unknown, limits: XmlLimits): asserts xml is string {
  if (typeof xml !== 'string') throw badXml('XML input is not a string');
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  if (xml.length > maxBytes || Buffer.byteLength(xml, 'utf8') > maxBytes) {
    throw new MessageCryptoError('XML_TOO_LARGE', `XML exceeds ${maxBytes} bytes`);
  }
  if (/<!(?:DOCTYPE|ENTITY)/i.test(xml)) throw badXml('DTDs and entity declarations are not accepted');
  const validation = XMLValidator.validate(xml);
  if (validation !== true) throw badXml(`XML is not well-formed (line ${validation.err.line})`);
}

function nameOf(node: OrderedNode): string {
  const name = Object.keys(node).find((key) => key !== ':@');
  if (name === undefined) throw badXml('unexpected empty node');
  return name;
}

function cdataText(content: unknown): string {
  return (content as OrderedNode[]).map((part) => (typeof part[TEXT] === 'string' ? part[TEXT] : '')).join('');
}

function addChild(record: XmlRecord, tag: string, node: XmlNode): void {
  const existing = record[tag];
  if (existing === undefined) record[tag] = node;
  else if (Array.isArray(existing)) existing.push(node);
  else record[tag] = [existing, node];
}

/** An element with only text/CDATA becomes its string; one with child elements becomes a record. */
function toXmlNode(children: OrderedNode[]): XmlNode {
  let text = '';
  let record: XmlRecord | undefined;
  for (const child of children) {
    const name = nameOf(child);
    if (name === TEXT) text += decodeText(String(child[TEXT]));
    else if (name === CDATA) text += cdataText(child[CDATA]);
    else addChild((record ??= Object.create(null) as XmlRecord), name, toXmlNode(child[name] as OrderedNode[]));
  }
  if (record === undefined) return text;
  if (text.trim() !== '') throw badXml('an element mixes text with child elements');
  return record;
}

function parseOrdered(xml: string): OrderedNode[] {
  try {
    return parser.parse(xml) as OrderedNode[];
  } catch {
    // e.g. reserved names such as __proto__, or nesting deeper than the parser allows
    throw badXml('XML could not be parsed');
  }
}

/**
 * Parses `<xml>…</xml>` into its children: leaf values as strings (numbers are not converted),
 * nested elements as records, repeated tags as arrays. The result has no prototype.
 */
export function parseFlatXml(xml: string, limits: XmlLimits = {}): XmlRecord {
  assertAcceptable(xml, limits);
  const roots = parseOrdered(xml).filter((node) => !(nameOf(node) === TEXT && String(node[TEXT]).trim() === ''));
  if (roots.length !== 1 || nameOf(roots[0]) !== 'xml') throw badXml('the document root must be a single <xml> element');
  const content = toXmlNode(roots[0].xml as OrderedNode[]);
  if (typeof content !== 'string') return content;
  if (content.trim() !== '') throw badXml('<xml> holds text instead of elements');
  return Object.create(null) as XmlRecord;
}

/** The value of `tag` if it occurs once and holds only text; otherwise undefined. */
export function xmlText(record: XmlRecord, tag: string): string | undefined {
  const value = record[tag];
  return typeof value === 'string' ? value : undefined;
}

/** Reads an incoming push envelope (spec §3.4). Encrypt is required and must occur exactly once. */
export function parseEnvelope(xml: string, limits: XmlLimits = {}): Envelope {
  const record = parseFlatXml(xml, limits);
  const encrypt = record.Encrypt;
  if (encrypt === undefined || encrypt === '') {
    throw new MessageCryptoError('MISSING_FIELD', 'the envelope has no Encrypt');
  }
  if (typeof encrypt !== 'string') throw badXml('Encrypt must be a single text element');
  const envelope: Envelope = { encrypt };
  const appId = xmlText(record, 'AppId');
  const toUserName = xmlText(record, 'ToUserName');
  if (appId !== undefined) envelope.appId = appId;
  if (toUserName !== undefined) envelope.toUserName = toUserName;
  return envelope;
}
