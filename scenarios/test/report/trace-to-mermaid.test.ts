import { describe, expect, it } from 'vitest';
import { traceToMermaid } from '../../src/report/trace-to-mermaid.ts';
import { APP, bffSignIn, exchange } from './fixtures.ts';

describe('traceToMermaid', () => {
  it('draws a sequenceDiagram: a participant per party, the back channel dashed, a note per user action', () => {
    expect(traceToMermaid(bffSignIn(), { appOrigin: APP })).toBe(
      [
        'sequenceDiagram',
        '    autonumber',
        '    actor UA as Resource Owner / User Agent',
        '    participant SPA as SPA (its code in the browser)',
        '    participant BFF as BFF',
        '    participant AS as Authorization Server',
        '    participant API as Resource API',
        '    Note over UA,API: 1. The app loads: who is signed in?',
        '    SPA->>BFF: GET /bff/user → 401',
        '    Note over UA,API: 2. Sign in: the BFF starts the login',
        '    UA->>BFF: GET /bff/login?… → 302',
        '    UA->>AS: GET /auth?… → 303',
        '    Note over UA,API: 3. The user sends the login form',
        '    UA->>AS: POST /interaction/{uid}/login → 303',
        '    Note over UA,API: 4. The user consents',
        '    UA->>AS: POST /interaction/{uid2}/confirm → 303',
        '    UA->>BFF: GET /bff/callback?… → 302',
        '    BFF-->>AS: POST /token → 200 (back channel)',
        '    Note over UA,API: 5. The app loads the notes',
        '    SPA->>BFF: GET /api/notes → 200',
        '    BFF-->>API: GET /notes → 200 (back channel)',
      ].join('\n'),
    );
  });

  it('keeps secrets out: no query, no body, no header value', () => {
    const diagram = traceToMermaid(bffSignIn(), { appOrigin: APP });
    expect(diagram).not.toMatch(/eyJ|c0de|st4te|Basic|Bearer/);
  });

  it('draws each call between two services once, and a call nobody answered', () => {
    const sent = exchange({ from: 'bff', to: 'resource-api', method: 'GET', url: 'http://127.0.0.1:4001/notes', direction: 'outbound', correlationId: 'x' });
    const served = { ...sent, id: 'served', direction: 'inbound' as const, service: 'resource-api' as const };
    const unanswered = exchange({
      from: 'bff',
      to: 'authserver',
      method: 'POST',
      url: 'http://127.0.0.1:4000/token',
      direction: 'outbound',
      status: undefined,
      error: 'ECONNREFUSED',
    });
    const lines = traceToMermaid([sent, served, unanswered])
      .split('\n')
      .filter((line) => line.includes('->>'));
    expect(lines).toEqual(['    BFF-->>API: GET /notes → 200 (back channel)', '    BFF-->>AS: POST /token → no answer (ECONNREFUSED) (back channel)']);
  });
});
