import type { LabTopology } from '@lab/shared';
import type { HostileCase, Placeholder } from './hostile-case.ts';
import type { RawRequest, RepeatedText } from './raw-http.ts';

/** Shell variables standing for the live values a case carries (set them from a signed-in browser to replay). */
const VARIABLES: Readonly<Record<Placeholder, string>> = {
  session: 'LAB_SESSION_COOKIES',
  sessionId: 'LAB_SESSION_ID',
  sessionSig: 'LAB_SESSION_SIG',
  bearer: 'LAB_ACCESS_TOKEN',
  bearerBadSignature: 'LAB_ACCESS_TOKEN_BAD_SIG',
  bearerAlgNone: 'LAB_ACCESS_TOKEN_ALG_NONE',
  uid: 'LAB_INTERACTION_UID',
  interactionCookies: 'LAB_INTERACTION_COOKIES',
  asSession: 'LAB_AUTHSERVER_COOKIES',
  labKey: 'LAB_CONTROL_KEY',
};
const PLACEHOLDER = /\{\{(\w+)\}\}/g;
const PRINTABLE = /^[\x20-\x7e]*$/;

/**
 * One command that sends the case again to the test lab: `curl` when the request is something
 * curl can send as it is, else a `node -e` one-liner writing the exact bytes to a socket.
 * Live values appear as shell variables (`$LAB_SESSION_COOKIES`), never as themselves.
 */
export function reproduce(hostile: HostileCase, topology: LabTopology): string {
  const location = topology[hostile.target];
  if (hostile.signInReturnTo !== undefined) {
    return `sign in as bob from ${location.url}/bff/login?returnTo=${encodeURIComponent(hostile.signInReturnTo)} and look at the callback's Location`;
  }
  const { request } = hostile;
  const curl = asCurl(request, location.url);
  if (curl) return curl;
  return asNodeOneLiner(request, location.port, new URL(location.url).host);
}

function asCurl(request: RawRequest, origin: string): string | undefined {
  if (request.raw !== undefined || !/^[A-Z][A-Z-]*$/.test(request.method) || !PRINTABLE.test(request.target) || request.target.includes(' ')) return undefined;
  if (request.headers.some(([name, value]) => !PRINTABLE.test(name) || !PRINTABLE.test(value) || value.length > 300) || request.omitHost) return undefined;
  if (request.headers.some(([name]) => ['host', 'connection', 'content-length', 'transfer-encoding'].includes(name.toLowerCase()))) return undefined;
  const parts = ['curl -si --max-time 5', request.method === 'HEAD' ? '-I' : `-X ${request.method}`, `--request-target ${shellQuote(request.target)}`];
  for (const [name, value] of request.headers) parts.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  let feed = '';
  if (request.body !== undefined) {
    if (typeof request.body === 'string') {
      if (!PRINTABLE.test(request.body) || request.body.length > 300) return undefined;
      parts.push(`--data-binary ${shellQuote(request.body)}`);
    } else if (Buffer.isBuffer(request.body)) {
      return undefined;
    } else {
      feed = `node -e ${shellQuote(`process.stdout.write(${repeatedExpression(request.body)})`)} | `;
      parts.push('--data-binary @-');
    }
  }
  parts.push(origin);
  return `${feed}${parts.join(' ')}`;
}

function asNodeOneLiner(request: RawRequest, port: number, authority: string): string {
  const bytes = requestExpression(request, authority);
  const script = `const s=require("net").connect(${port},"127.0.0.1",()=>s.write(Buffer.from(${bytes},"latin1")));s.on("data",d=>process.stdout.write(d));s.on("close",()=>process.exit());setTimeout(()=>{console.log("\\n(no end after 5 s)");process.exit()},5000)`;
  return `node -e ${shellQuote(script)}`;
}

/** The request's bytes as a JS expression: string literals, `"x".repeat(n)` for long runs, `process.env.X` for live values. */
function requestExpression(request: RawRequest, authority: string): string {
  if (request.raw !== undefined) return textExpression(typeof request.raw === 'string' ? request.raw : request.raw.toString('latin1'));
  const names = new Set(request.headers.map(([name]) => name.toLowerCase()));
  const lines = [`${request.method} ${request.target} HTTP/1.1`];
  if (!request.omitHost && !names.has('host')) lines.push(`Host: ${authority}`);
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  if (!names.has('connection')) lines.push('Connection: close');
  const head = `${lines.join('\r\n')}\r\n`;
  if (request.body === undefined) return textExpression(`${head}\r\n`);
  const body =
    typeof request.body === 'string'
      ? textExpression(request.body)
      : Buffer.isBuffer(request.body)
        ? textExpression(request.body.toString('latin1'))
        : repeatedExpression(request.body);
  const length =
    typeof request.body === 'string' || Buffer.isBuffer(request.body)
      ? undefined
      : request.body.repeated.reduce((sum, [text, times]) => sum + text.length * times, 0);
  if (names.has('content-length') || names.has('transfer-encoding') || request.omitContentLength) return `${textExpression(`${head}\r\n`)}+${body}`;
  // Content-Length is computed where the body holds a live value (its length is not known here).
  return length === undefined
    ? `(b=>${textExpression(head)}+"Content-Length: "+Buffer.byteLength(b,"latin1")+"\\r\\n\\r\\n"+b)(${body})`
    : `${textExpression(`${head}Content-Length: ${length}\r\n\r\n`)}+${body}`;
}

function repeatedExpression(body: RepeatedText): string {
  return (
    body.repeated
      .filter(([, times]) => times > 0)
      .map(([text, times]) => (times === 1 ? literal(text) : `${literal(text)}.repeat(${times})`))
      .join('+') || '""'
  );
}

/** A string as literals and `.repeat` runs, with `{{placeholders}}` read from the environment. */
function textExpression(text: string): string {
  const pieces: string[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    pieces.push(...compressRuns(text.slice(last, match.index)));
    const variable = VARIABLES[match[1] as Placeholder];
    pieces.push(variable ? `process.env.${variable}` : literal(match[0]));
    last = match.index + match[0].length;
  }
  pieces.push(...compressRuns(text.slice(last)));
  return pieces.filter((piece) => piece !== '""').join('+') || '""';
}

function compressRuns(text: string): string[] {
  const pieces: string[] = [];
  let plain = '';
  for (let index = 0; index < text.length; ) {
    let end = index + 1;
    while (end < text.length && text[end] === text[index]) end += 1;
    if (end - index >= 32) {
      if (plain) pieces.push(literal(plain));
      plain = '';
      pieces.push(`${literal(text[index]!)}.repeat(${end - index})`);
    } else {
      plain += text.slice(index, end);
    }
    index = end;
  }
  if (plain) pieces.push(literal(plain));
  return pieces;
}

/** A double-quoted JS string with everything outside printable ASCII (and quotes) as `\xNN`. */
function literal(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code === 0x0d) out += '\\r';
    else if (code === 0x0a) out += '\\n';
    else if (code < 0x20 || code > 0x7e || char === '"' || char === '\\' || char === "'" || char === '$' || char === '`')
      out += code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/** Single-quoted for a POSIX shell; live values become `"$VARIABLE"` outside the quotes. */
function shellQuote(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    out += singleQuoted(text.slice(last, match.index));
    const variable = VARIABLES[match[1] as Placeholder];
    out += variable ? `"$${variable}"` : singleQuoted(match[0]);
    last = match.index + match[0].length;
  }
  out += singleQuoted(text.slice(last));
  return out || "''";
}

function singleQuoted(text: string): string {
  return text === '' ? '' : `'${text.replaceAll("'", "'\\''")}'`;
}
