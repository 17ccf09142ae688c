/**
 * A database ledger's name: `postgres://user[:password]@host[:port]/database[?schema=s]#ledger`
 * (or `postgresql://`). The fragment names the ledger inside the database (default `default`), so
 * many days and campaigns share one database; `?schema=` names the PostgreSQL schema daycap keeps
 * its tables in (default `daycap`). The password comes from the URL, PGPASSWORD or ~/.pgpass (the
 * driver reads both) and is never shown: every message names the ledger masked
 * (`postgres://daycap:***@db.lan/posting#spring`). docs/postgres.md#the-url.
 */
import { DaycapError } from '../../errors.js';

export const DEFAULT_SCHEMA = 'daycap';
export const DEFAULT_LEDGER_NAME = 'default';
const MASK = '***';

const SCHEME = /^(postgres(?:ql)?):\/\//i;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export interface PgLocation {
  /** What the driver connects with: the URL without the fragment and without `schema`, password included. */
  connectionString: string;
  /** The ledger inside the database (the fragment, decoded). */
  ledger: string;
  /** The PostgreSQL schema of daycap's tables. */
  schema: string;
  /** The URL as messages show it: the password masked. */
  display: string;
}

export function isPgUrl(text: string): boolean {
  return SCHEME.test(text.trim());
}

/** Passwords hidden from the names passed around (see hidePassword), by the URL's authority without it. */
const hidden = new Map<string, string>();

interface Parts {
  scheme: string;
  user: string;
  password: string | undefined;
  hosts: string;
  rest: string;
  fragment: string | undefined;
}

function split(text: string): Parts {
  const trimmed = text.trim();
  const scheme = SCHEME.exec(trimmed)![1]!;
  const afterScheme = trimmed.slice(scheme.length + 3);
  const hashAt = afterScheme.indexOf('#');
  const body = hashAt === -1 ? afterScheme : afterScheme.slice(0, hashAt);
  const fragment = hashAt === -1 ? undefined : afterScheme.slice(hashAt + 1);
  const authorityEnd = body.search(/[/?]/);
  const authority = authorityEnd === -1 ? body : body.slice(0, authorityEnd);
  const rest = authorityEnd === -1 ? '' : body.slice(authorityEnd);
  // The last '@' ends the user part: a password may hold an unencoded '@'.
  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? '' : authority.slice(0, at);
  const hosts = at === -1 ? authority : authority.slice(at + 1);
  const colon = userinfo.indexOf(':');
  return {
    scheme,
    user: colon === -1 ? userinfo : userinfo.slice(0, colon),
    password: colon === -1 ? undefined : userinfo.slice(colon + 1),
    hosts,
    rest,
    fragment,
  };
}

function authorityKey(parts: Parts): string {
  return `${parts.scheme.toLowerCase()}://${parts.user}@${parts.hosts}`;
}

function join(parts: Parts, password: string | undefined, rest: string, fragment: string | undefined): string {
  const userinfo = parts.user === '' && password === undefined ? '' : `${parts.user}${password === undefined ? '' : `:${password}`}@`;
  return `${parts.scheme}://${userinfo}${parts.hosts}${rest}${fragment === undefined ? '' : `#${fragment}`}`;
}

/** The query string without `schema`, a `password` parameter masked or kept. */
function query(rest: string, options: { dropSchema: boolean; maskPassword: boolean }): { rest: string; schema: string | undefined } {
  const q = rest.indexOf('?');
  if (q === -1) return { rest, schema: undefined };
  const params = rest.slice(q + 1).split('&').filter((p) => p !== '');
  let schema: string | undefined;
  const kept: string[] = [];
  for (const param of params) {
    const eq = param.indexOf('=');
    const key = decodeURIComponent(eq === -1 ? param : param.slice(0, eq));
    const value = eq === -1 ? '' : param.slice(eq + 1);
    if (key === 'schema') {
      schema = decodeURIComponent(value);
      if (options.dropSchema) continue;
    }
    kept.push(key === 'password' && options.maskPassword ? `password=${MASK}` : param);
  }
  return { rest: rest.slice(0, q) + (kept.length > 0 ? `?${kept.join('&')}` : ''), schema };
}

/** The URL with its password (in the user part or a `password` parameter) replaced by `***`. */
export function maskUrl(text: string): string {
  if (!isPgUrl(text)) return text;
  const parts = split(text);
  const password = parts.password === undefined ? undefined : MASK;
  return join(parts, password, query(parts.rest, { dropSchema: false, maskPassword: true }).rest, parts.fragment);
}

/**
 * The URL masked, its password kept in this process only, so the name can be printed, logged and
 * passed around; `parsePgUrl` of the masked name connects with the real password. Anything other
 * than a postgres URL is returned as it is.
 */
export function hidePassword(text: string): string {
  if (!isPgUrl(text)) return text;
  const parts = split(text);
  if (parts.password !== undefined && parts.password !== MASK) hidden.set(authorityKey(parts), parts.password);
  return maskUrl(text);
}

export function parsePgUrl(text: string): PgLocation {
  if (!isPgUrl(text)) throw new DaycapError('BAD_LEDGER_URL', `${text} is not a postgres:// URL`);
  const parts = split(text);
  const password = parts.password === MASK ? (hidden.get(authorityKey(parts)) ?? MASK) : parts.password;
  const { rest, schema } = query(parts.rest, { dropSchema: true, maskPassword: false });
  const chosen = schema ?? DEFAULT_SCHEMA;
  const display = maskUrl(text);
  if (!IDENTIFIER.test(chosen)) {
    throw new DaycapError('BAD_LEDGER_URL', `the schema ${JSON.stringify(chosen)} in ${display} is not a plain name`, {
      hint: 'Name the schema with letters, digits and underscores (at most 63, not starting with a digit), e.g. ?schema=daycap.',
    });
  }
  let ledger: string;
  try {
    ledger = parts.fragment === undefined || parts.fragment === '' ? DEFAULT_LEDGER_NAME : decodeURIComponent(parts.fragment);
  } catch {
    throw new DaycapError('BAD_LEDGER_URL', `the ledger name after # in ${display} is not valid percent-encoding`);
  }
  if (ledger.includes('\u0000')) throw new DaycapError('BAD_LEDGER_URL', `the ledger name in ${display} holds a NUL character`);
  return { connectionString: join(parts, password, rest, undefined), ledger, schema: chosen, display };
}
