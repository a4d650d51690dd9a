/** The report's whole stylesheet, inlined in its `<style>`: readable printed, on a laptop and on a projector. */
export const REPORT_STYLES = `
:root { --ink: #111827; --muted: #4b5563; --line: #cdd3dc; --accent: #0b57a4; --back: #6b2fa3; --safe: #0a6b32; --danger: #b3001b; }
* { box-sizing: border-box; }
body { margin: 0; font: 17px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif; color: var(--ink); background: #eef1f5; }
header { background: #0f2a47; color: #fff; padding: 1.25rem 2rem; }
header h1 { margin: 0.2rem 0 0.5rem; font-size: 1.7rem; }
.kicker { margin: 0; color: #dbe4ef; }
.kicker code { color: #fff; }
.verdict { display: inline-block; margin: 0 0 0.75rem; padding: 0.2rem 0.8rem; border-radius: 6px; font-weight: 700; }
.verdict.pass { background: #e3f4e9; color: var(--safe); }
.verdict.fail { background: #fde8eb; color: var(--danger); }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; margin: 0; }
.meta dt { color: #dbe4ef; }
.meta dd { margin: 0; }
.weak { color: #ffb4c0; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem 2rem 2rem; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 1rem 1.5rem; margin: 1rem 0; }
h2 { font-size: 1.3rem; margin: 0.5rem 0; }
code { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 0.85em; overflow-wrap: anywhere; }
.legend, .muted { color: var(--muted); }
.legend .back { color: var(--back); }
.diagram { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
.diagram svg { display: block; }
.step { border-top: 3px solid var(--line); padding: 0.75rem 0 0.5rem; }
.step h3 { font-size: 1.15rem; margin: 0.25rem 0; }
.step .number { display: inline-block; min-width: 2rem; padding: 0 0.4rem; border-radius: 6px; background: #0f2a47; color: #fff; text-align: center; }
.step .actor { font-weight: 700; color: var(--accent); }
.look { background: #fff8e1; border-left: 5px solid #d99a00; padding: 0.3rem 0.75rem; }
figure { margin: 0.75rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { color: var(--muted); font-size: 0.9rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.5rem; border-top: 1px solid #e5e8ee; }
caption { text-align: left; font-weight: 700; padding: 0.3rem 0; }
.exchanges td.n { color: var(--muted); width: 2.5rem; }
.exchanges td.status { font-weight: 700; white-space: nowrap; }
.exchanges tr.back td:first-child { border-left: 4px dashed var(--back); }
.tag { font-size: 0.75rem; font-weight: 700; color: #fff; background: var(--back); border-radius: 3px; padding: 0 0.3rem; }
.details { margin: 0.2rem 0 0; padding-left: 1.1rem; font-size: 0.9rem; }
.sees th { width: 12rem; }
.checks { list-style: none; padding: 0; }
.checks li, .expectations tr { padding: 0.1rem 0; }
.mark { font-weight: 700; }
.pass .mark { color: var(--safe); }
.fail .mark, .fail { color: var(--danger); }
.notes li { color: var(--muted); }
.error { border-left: 6px solid var(--danger); background: #fde8eb; padding: 0.5rem 0.75rem; }
.exchanges tr.decisive td { background: #fff3bf; }
.exchanges tr:target td { outline: 3px solid #d99a00; }
.decisive-key { background: #ffe58a; padding: 0 0.3rem; }
.proof { font-size: 0.85rem; white-space: nowrap; }
.to-diagram { font-size: 0.75rem; }
details.sign-in summary { cursor: pointer; color: var(--muted); }
footer { max-width: 1200px; margin: 0 auto 2rem; padding: 0 2rem; color: var(--muted); font-size: 0.9rem; }
@media print { body { background: #fff; } section { border: 0; } .diagram { overflow: visible; } }
`;
