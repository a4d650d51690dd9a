import { html, type SafeHtml } from '@lab/kit';

/**
 * The frame of every page of the authorization server. The banner says which party the learner
 * is talking to: the address bar changes from `localhost:5173` to `127.0.0.1:4000` here.
 * Inline styles only, no scripts, no external fonts (the lab runs offline).
 */
export function renderPage(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Authorization Server</title>
<style>
  body { font: 18px/1.5 system-ui, sans-serif; margin: 0; background: #f4f1ea; color: #1d1d1d; }
  .role { background: #7a3e00; color: #fff; padding: .6rem 1.2rem; font-weight: 600; }
  .role small { font-weight: 400; opacity: .9; display: block; }
  main { max-width: 34rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
  h1 { font-size: 1.5rem; margin-top: 0; }
  label { display: block; margin: .8rem 0 .2rem; font-weight: 600; }
  input { font: inherit; width: 100%; box-sizing: border-box; padding: .4rem .6rem; }
  button { font: inherit; padding: .5rem 1.2rem; margin: 1rem .5rem 0 0; cursor: pointer; border-radius: 4px; border: 1px solid #555; background: #fff; }
  button.primary { background: #7a3e00; border-color: #7a3e00; color: #fff; }
  .error { background: #fde2e1; border-left: 4px solid #b00020; padding: .5rem .8rem; }
  .hint { color: #555; font-size: .9rem; }
  code { background: #f0ece4; padding: 0 .25rem; border-radius: 3px; }
  ul.scopes li { margin: .3rem 0; }
</style>
</head>
<body>
<div class="role">You are at the Authorization Server
  <small>It authenticates the Resource Owner and issues tokens. The app never sees your password.</small></div>
<main>
${body}
</main>
</body>
</html>`;
}
