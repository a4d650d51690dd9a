import { describe, expect, it } from 'vitest';
import { SafeHtml, html, rawHtml } from '../src/index.ts';

// Prerequisites: none. The template is a pure function; each case states the exact text a page
// would carry on the wire.
describe('html`…`', () => {
  it('escapes & < > " and \' in an interpolated value', () => {
    expect(html`<p title="${`a & b < c > d " e ' f`}">${'&<>"\''}</p>`.toString()).toBe(
      '<p title="a &amp; b &lt; c &gt; d &quot; e &#39; f">&amp;&lt;&gt;&quot;&#39;</p>',
    );
  });

  it('keeps a hostile value inert, in element content and in a quoted attribute', () => {
    const hostile = '"><script>alert(1)</script>';
    const page = html`<input value="${hostile}"><p>${hostile}</p>`.toString();
    expect(page).toBe('<input value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"><p>&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(page).not.toContain('<script>');
  });

  it('leaves its own text as written: only interpolated values are escaped', () => {
    expect(String(html`<a href="/x?a=1&b=2">it's</a>`)).toBe(`<a href="/x?a=1&b=2">it's</a>`);
  });

  it('inserts a nested template as it is, so templates compose', () => {
    const name = '<b>';
    const item = html`<li>${name}</li>`;
    expect(html`<ul>${item}</ul>`.toString()).toBe('<ul><li>&lt;b&gt;</li></ul>');
  });

  it('inserts each item of an array the same way, joined with nothing', () => {
    const items = ['a&b', html`<br>`, ['<i>', html`<hr>`], null];
    expect(html`<p>${items}</p>`.toString()).toBe('<p>a&amp;b<br>&lt;i&gt;<hr></p>');
    expect(html`<ul>${['x', 'y'].map((item) => html`<li>${item}</li>`)}</ul>`.toString()).toBe('<ul><li>x</li><li>y</li></ul>');
    expect(html`<p>${[]}</p>`.toString()).toBe('<p></p>');
  });

  it('writes nothing for undefined, null and false, so `cond && html`…`` reads as in JSX', () => {
    const error: string | undefined = undefined;
    expect(html`[${undefined}|${null}|${false}|${error && html`<p>${error}</p>`}]`.toString()).toBe('[|||]');
    expect(html`[${''}]`.toString()).toBe('[]');
  });

  it('writes numbers as their digits, zero included', () => {
    expect(html`<p>${0} ${7} ${-1.5}</p>`.toString()).toBe('<p>0 7 -1.5</p>');
  });

  it('returns SafeHtml, whose text String() and a template literal both give', () => {
    const page = html`<p>${'hi'}</p>`;
    expect(page).toBeInstanceOf(SafeHtml);
    expect(String(page)).toBe('<p>hi</p>');
    expect(`${page}`).toBe('<p>hi</p>');
  });
});

describe('rawHtml', () => {
  it('marks trusted constant text as HTML: inserted without escaping', () => {
    const style = rawHtml('<style>a > b { color: red }</style>');
    expect(style).toBeInstanceOf(SafeHtml);
    expect(html`<head>${style}</head>`.toString()).toBe('<head><style>a > b { color: red }</style></head>');
  });
});
