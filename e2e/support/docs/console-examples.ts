/**
 * The `curl -i` examples of a ```console block, as the README writes them:
 *
 *     $ curl -i -H 'X-CSRF: 1' http://localhost:5173/api/notes
 *     HTTP/1.1 401 Unauthorized
 *     …
 *     {"error":"not_authenticated","message":"You are not signed in."}
 */
export interface ConsoleExample {
  readonly command: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number;
  readonly statusText: string;
  /** The body as printed, when the example shows one. */
  readonly body: string | undefined;
}

export function readCurlExamples(lines: readonly string[]): ConsoleExample[] {
  const examples: ConsoleExample[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const command = lines[index]!;
    if (!command.startsWith('$ ')) continue;
    const words = [...command.slice(2).matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]!);
    if (words[0] !== 'curl' || words[1] !== '-i') throw new Error(`only "curl -i" examples can be checked: ${command}`);
    const headers: Record<string, string> = {};
    let url = '';
    for (let word = 2; word < words.length; word += 1) {
      if (words[word] === '-H') {
        word += 1;
        const [name = '', ...value] = words[word]!.split(':');
        headers[name.trim()] = value.join(':').trim();
      } else if (words[word]!.startsWith('http')) url = words[word]!;
      else throw new Error(`an option the check does not know: ${words[word]} in ${command}`);
    }
    const statusLine = /^HTTP\/1\.1 (\d{3}) (.+)$/.exec(lines[index + 1] ?? '');
    if (!statusLine) throw new Error(`no status line after ${command}`);
    const next = lines.findIndex((line, at) => at > index && line.startsWith('$ '));
    const rest = lines.slice(index + 2, next < 0 ? undefined : next);
    const body =
      rest
        .map((line) => line.trim())
        .filter((line) => line !== '' && line !== '…')
        .join('\n') || undefined;
    examples.push({ command, url, headers, status: Number(statusLine[1]), statusText: statusLine[2]!, body });
  }
  return examples;
}
