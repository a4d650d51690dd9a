import { LitElement, html, css, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { getAppClient } from './app-client.ts';
import { BffError, type NoteList } from './bff-client.ts';
import type { LabMode } from './lab-state.ts';
import { sharedStyles } from './shared-styles.ts';

/**
 * The signed-in user's notes, read and written through the BFF. The browser calls `/api/notes` on
 * its own origin with the session cookie; the BFF adds `Authorization: Bearer <access token>` and
 * forwards the call to the resource API. The list says whose notes came back (`owner`).
 * (In the anti-pattern mode the browser calls the resource API itself, with the token it keeps.)
 *
 * @fires session-ended - The BFF answered 401: there is no session any more (it expired, or the
 * user signed out in another tab). The app shows the signed-out view.
 */
@customElement('notes-panel')
export class NotesPanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .owner {
        font-weight: 700;
      }

      ul {
        list-style: none;
        padding: 0;
        margin: 0.75rem 0 1rem;
      }

      li {
        border: 1px solid var(--line);
        border-left: 5px solid var(--accent);
        border-radius: 6px;
        padding: 0.5rem 0.9rem;
        margin: 0 0 0.5rem;
      }

      .text {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }

      .meta {
        display: block;
        color: var(--muted);
        font-size: 0.8rem;
      }

      .empty {
        color: var(--muted);
        font-style: italic;
      }

      form {
        display: flex;
        gap: 0.75rem;
        align-items: flex-end;
      }

      label {
        flex: 1;
        display: flex;
        flex-direction: column;
        font-weight: 600;
      }

      textarea {
        font: inherit;
        font-weight: normal;
        color: var(--ink);
        margin-top: 0.3rem;
        padding: 0.45rem 0.6rem;
        border: 2px solid var(--line);
        border-radius: 8px;
        resize: vertical;
      }
    `,
  ];

  @state() private list?: NoteList;
  @state() private mode: LabMode = 'bff';
  @state() private error?: BffError;
  @state() private loading = false;
  @state() private saving = false;
  @state() private draft = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override render() {
    return html`
      <section class="card">
        <h2>Notes from the resource API</h2>
        <p class="lead">
          ${
            this.list
              ? html`Notes owned by <span class="owner" data-testid="notes-owner">${this.list.owner}</span>, the user in the access token
                ${this.mode === 'bff' ? 'the BFF sent' : 'this page sent from localStorage'}.`
              : this.mode === 'bff'
                ? 'Fetched through the BFF, which adds the access token.'
                : 'Fetched by this page straight from the API, with the access token it keeps in localStorage.'
          }
        </p>
        ${this.error ? html`<p class="error" role="alert" data-testid="error"><code>${this.error.code}</code>: ${this.error.message}</p>` : nothing}
        ${this.renderList()}
        <form @submit=${this.submit}>
          <label>
            New note
            <textarea
              data-testid="note-input"
              rows="2"
              .value=${this.draft}
              @input=${(event: Event) => (this.draft = (event.target as HTMLTextAreaElement).value)}
              @keydown=${this.submitOnCtrlEnter}
            ></textarea>
          </label>
          <button type="submit" data-testid="add-note-button" ?disabled=${this.saving || this.draft.trim() === ''}>Add note</button>
        </form>
      </section>
    `;
  }

  private renderList() {
    if (!this.list) return this.loading ? html`<p class="empty">Loading notes…</p>` : nothing;
    return html`
      <ul data-testid="notes-list" aria-busy=${this.loading ? 'true' : 'false'}>
        ${repeat(
          this.list.notes,
          (note) => note.id,
          (note) => html`<li data-testid="note" data-note-id=${note.id}>
            <span class="text">${note.text}</span>
            <span class="meta">${note.owner} · ${formatTime(note.createdAt)}</span>
          </li>`,
        )}
      </ul>
      ${this.list.notes.length === 0 ? html`<p class="empty">No notes yet.</p>` : nothing}
    `;
  }

  private async load(): Promise<void> {
    this.loading = true;
    try {
      const client = await getAppClient();
      this.mode = client.mode;
      this.list = await client.listNotes();
      this.error = undefined;
    } catch (error) {
      this.fail(error);
    } finally {
      this.loading = false;
    }
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const text = this.draft.trim();
    if (text === '' || this.saving) return;
    this.saving = true;
    try {
      await (await getAppClient()).addNote(text);
      this.draft = '';
      this.error = undefined;
      await this.load();
    } catch (error) {
      this.fail(error);
    } finally {
      this.saving = false;
    }
  }

  private submitOnCtrlEnter(event: KeyboardEvent): void {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      this.renderRoot.querySelector('form')?.requestSubmit();
    }
  }

  private fail(error: unknown): void {
    if (error instanceof BffError && error.status === 401) {
      this.dispatchEvent(new CustomEvent('session-ended', { bubbles: true, composed: true }));
      return;
    }
    this.error = error instanceof BffError ? error : new BffError(0, 'client_error', String(error));
  }
}

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

declare global {
  interface HTMLElementTagNameMap {
    'notes-panel': NotesPanel;
  }
  interface HTMLElementEventMap {
    'session-ended': CustomEvent<void>;
  }
}
