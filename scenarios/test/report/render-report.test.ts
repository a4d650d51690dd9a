import { describe, expect, it } from 'vitest';
import { defineScenario, type ScenarioResult } from '../../src/engine/scenario.ts';
import { renderReport } from '../../src/report/render-report.ts';
import { APP, bffSignIn } from './fixtures.ts';

/** A 1×1 transparent PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

const scenario = defineScenario({
  id: 'flow-example',
  title: 'An example flow',
  kind: 'flow',
  teaches: 'The browser carries redirects & one cookie; the BFF keeps <every> token.',
  prerequisites: ['alice uses a fresh browser.'],
  run: async () => undefined,
});

function result(): ScenarioResult {
  const events = bffSignIn();
  return {
    id: 'flow-example',
    title: 'An example flow',
    kind: 'flow',
    pass: false,
    weakened: [],
    mode: 'bff',
    durationMs: 1234,
    steps: [
      {
        number: 1,
        actor: 'Resource Owner',
        action: 'signs in',
        look: 'the token request on the back channel',
        notes: ['A note with <script>alert(1)</script> in it.'],
        exchanges: events.slice(0, 7),
        sees: { browser: 'a session cookie', bff: 'the tokens' },
        expectations: [{ name: 'the BFF gets tokens', expected: 200, actual: 200, pass: true }],
        screenshots: [{ caption: 'The login page', png: PNG }],
      },
      {
        number: 2,
        actor: 'Client: SPA',
        action: 'loads the notes',
        notes: [],
        exchanges: events.slice(7),
        expectations: [{ name: "the notes are alice's", expected: 'alice', actual: 'bob', pass: false }],
      },
    ],
    expectations: [
      { name: 'the BFF gets tokens', expected: 200, actual: 200, pass: true },
      { name: "the notes are alice's", expected: 'alice', actual: 'bob', pass: false },
    ],
  };
}

describe('renderReport', () => {
  const html = renderReport(scenario, result(), { appOrigin: APP, generatedAt: new Date('2026-01-01T12:00:00Z') });

  it('is one self-contained page: inline CSS and SVG, no script, nothing loaded from another host', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
    expect(html).toContain(`<img src="data:image/png;base64,${PNG}" alt="The login page"`);
  });

  it('tells the story: title, teaches, prerequisites, numbered steps with actor, action, look, who sees what', () => {
    expect(html).toContain('<h1>An example flow</h1>');
    expect(html).toContain('The browser carries redirects &amp; one cookie; the BFF keeps &lt;every&gt; token.');
    expect(html).toContain('<li>alice uses a fresh browser.</li>');
    expect(html).toContain('<span class="number">1</span> <span class="actor">Resource Owner</span> signs in');
    expect(html).toContain('<strong>Look at:</strong> the token request on the back channel');
    expect(html).toContain('<tr><th>BFF</th><td>the tokens</td></tr>');
    expect(html).toContain('FAIL · 1/2 expectations held · 1.2 s');
  });

  it('lists the exchanges with the back channel marked, and the decoded JWTs', () => {
    expect(html).toContain('<code>POST http://127.0.0.1:4000/token</code>');
    expect(html).toContain('<span class="tag">back channel</span>');
    expect(html).toContain('JWT in response body: id_token: {&quot;sub&quot;:&quot;alice&quot;,&quot;exp&quot;:1900000000}… signature verified');
    expect(html).toContain('expected &quot;alice&quot;, got &quot;bob&quot;');
  });

  it('escapes what the run recorded', () => {
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
