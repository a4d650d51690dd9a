import { css } from 'lit';

/**
 * What every panel of the app shares: readable on a projector (the page sets an 18px base font),
 * high contrast, no web fonts (the lab runs offline).
 */
export const sharedStyles = css`
  :host {
    display: block;
    color: var(--ink);
  }

  h2 {
    margin: 0 0 0.5rem;
    font-size: 1.35rem;
    line-height: 1.25;
  }

  p {
    margin: 0.5rem 0;
  }

  .card {
    background: var(--card);
    border: 1px solid var(--line);
    border-radius: 10px;
    padding: 1.25rem 1.5rem;
  }

  .lead {
    color: var(--muted);
  }

  button {
    font: inherit;
    font-weight: 600;
    cursor: pointer;
    border-radius: 8px;
    padding: 0.55rem 1.2rem;
    border: 2px solid var(--accent);
    background: var(--accent);
    color: #fff;
  }

  button:hover {
    background: var(--accent-dark);
    border-color: var(--accent-dark);
  }

  button.secondary {
    background: transparent;
    color: var(--accent);
  }

  button.secondary:hover {
    background: var(--accent-soft);
  }

  button:disabled {
    cursor: progress;
    opacity: 0.6;
  }

  button:focus-visible,
  textarea:focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }

  .error {
    border-left: 6px solid var(--danger);
    background: var(--danger-soft);
    color: var(--danger-ink);
    padding: 0.75rem 1rem;
    border-radius: 6px;
    margin: 0.75rem 0;
  }

  code,
  .mono {
    font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace;
    font-size: 0.9em;
  }
`;
