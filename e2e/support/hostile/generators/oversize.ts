import fc from 'fast-check';
import type { LabTopology } from '@lab/shared';
import type { HostileCase } from '../hostile-case.ts';
import type { RepeatedText } from '../raw-http.ts';
import { addToQuery, filled, headerOf, setHeader, toRawRequest } from '../request-parts.ts';
import { aim } from './common.ts';

const KB = 1024;
const MB = 1024 * KB;

/** Bodies just over the services' limits (16 KB for notes), well over, and a megabyte. */
const BODY_SIZES = [16 * KB + 1, 64 * KB, MB, MB];
const BODY_SHAPES = ['json note', 'json array', 'form', 'text'] as const;

/**
 * Too much of everything: bodies up to 1 MB (through the app's origin the answer must be the BFF's
 * 413, not a 502 because Vite's proxy hit EPIPE), single headers up to 64 KB and many headers
 * (Node answers 431 past 16 KB), big cookies, long URLs. Each is refused with a 4xx, in time.
 */
export function oversizeCases(topology: LabTopology): fc.Arbitrary<HostileCase> {
  const bodies = fc
    .record({
      aim: aim(topology, { targets: ['spa', 'spa', 'spa', 'bff', 'resource-api', 'authserver'] }),
      size: fc.constantFrom(...BODY_SIZES),
      shape: fc.constantFrom(...BODY_SHAPES),
    })
    .map(({ aim: { target, route, parts }, size, shape }) => {
      if (parts.method === 'GET') parts.method = route.path.startsWith('/api/') || route.path === '/notes' ? 'POST' : 'GET';
      const body = bodyOf(shape, size);
      setHeader(parts, 'Content-Type', body.type);
      return {
        category: 'oversize',
        target,
        label: `${shape} body of ${describeSize(size)}: ${parts.method} ${route.path}`,
        request: toRawRequest(parts, { body: body.text }),
      } satisfies HostileCase;
    });

  const headers = fc
    .record({
      aim: aim(topology),
      shape: fc.constantFrom('one big header', 'big cookie', 'many cookies', 'many headers', 'big X-CSRF', 'big bearer', 'long path', 'long query'),
      size: fc.constantFrom(8 * KB, 15 * KB, 17 * KB, 64 * KB),
      count: fc.constantFrom(100, 500, 3000),
    })
    .map(({ aim: { target, route, parts }, shape, size, count }) => {
      let label = `${shape} (${describeSize(size)})`;
      switch (shape) {
        case 'one big header':
          setHeader(parts, 'X-Big', filled('a', size));
          break;
        case 'big cookie':
          setHeader(parts, 'Cookie', [headerOf(parts, 'Cookie'), `big=${filled('b', size)}`].filter(Boolean).join('; '));
          break;
        case 'many cookies':
          setHeader(
            parts,
            'Cookie',
            [headerOf(parts, 'Cookie'), ...Array.from({ length: count }, (_, index) => `c${index}=v${index}`)].filter(Boolean).join('; '),
          );
          label = `${count} cookies`;
          break;
        case 'many headers':
          for (let index = 0; index < count; index += 1) parts.headers.push([`X-Many-${index}`, 'v']);
          label = `${count} headers`;
          break;
        case 'big X-CSRF':
          setHeader(parts, 'X-CSRF', filled('1, ', size));
          break;
        case 'big bearer':
          setHeader(parts, 'Authorization', `Bearer ${filled('e', size)}`);
          break;
        case 'long path':
          parts.path = `${parts.path}/${filled('p', size)}`;
          break;
        case 'long query':
          parts.query = addToQuery(parts.query, `x=${filled('q', size)}`);
          break;
      }
      return { category: 'oversize', target, label: `${label}: ${route.method} ${route.path}`, request: toRawRequest(parts) } satisfies HostileCase;
    });

  return fc.oneof({ weight: 1, arbitrary: bodies }, { weight: 1, arbitrary: headers });
}

function bodyOf(shape: (typeof BODY_SHAPES)[number], size: number): { type: string; text: RepeatedText } {
  switch (shape) {
    case 'json note':
      return {
        type: 'application/json',
        text: {
          repeated: [
            ['{"text":"', 1],
            ['a', size - 11],
            ['"}', 1],
          ],
        },
      };
    case 'json array':
      return {
        type: 'application/json',
        text: {
          repeated: [
            ['[', 1],
            ['1,', (size - 3) >> 1],
            ['1]', 1],
          ],
        },
      };
    case 'form':
      return {
        type: 'application/x-www-form-urlencoded',
        text: {
          repeated: [
            ['username=', 1],
            ['a', size - 9],
          ],
        },
      };
    case 'text':
      return { type: 'text/plain', text: { repeated: [['a', size]] } };
  }
}

function describeSize(size: number): string {
  return size >= MB ? `${size / MB} MB` : `${Math.round(size / KB)} KB${size % KB ? '+1' : ''}`;
}
