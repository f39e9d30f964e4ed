// The dashboard page (T5): sign in by pasting an API key (kept in this tab's
// sessionStorage only), then every panel asks the API with it. Sign out forgets it.
import { createApiClient, type ApiClient } from './api-client.ts';
import { searchAudit } from './audit-panel.ts';
import { loadDisputes } from './disputes-panel.ts';
import { byId, replaceContent, showMessage } from './dom.ts';
import { loadPatterns } from './patterns-panel.ts';
import { loadSummary } from './summary-panel.ts';

const keyStorageName = 'contra.apiKey';

async function refresh(api: ApiClient): Promise<void> {
  const again = (): Promise<void> => refresh(api);
  await Promise.all([loadSummary(api, again), loadPatterns(api), loadDisputes(api)]);
  document.body.dataset['loaded'] = String(Number(document.body.dataset['loaded'] ?? '0') + 1);
}

function showSignedIn(signedIn: boolean): void {
  byId('sign-in', HTMLElement).hidden = signedIn;
  byId('dashboard', HTMLElement).hidden = !signedIn;
  byId('session', HTMLElement).hidden = !signedIn;
}

async function start(apiKey: string): Promise<void> {
  const api = createApiClient(apiKey);
  // The key is checked with a read every role may make before the panels load.
  const probe = await api.get('/api/v1/transactions/reversals', { limit: '1' });
  if (!probe.ok && probe.status === 401) {
    sessionStorage.removeItem(keyStorageName);
    showSignedIn(false);
    showMessage('sign-in-error', probe.message);
    return;
  }
  sessionStorage.setItem(keyStorageName, apiKey);
  showMessage('sign-in-error', '');
  showSignedIn(true);
  byId('refresh', HTMLButtonElement).onclick = () => void refresh(api);
  byId('audit-form', HTMLFormElement).onsubmit = (event) => {
    event.preventDefault();
    void searchAudit(api);
  };
  await refresh(api);
}

function signOut(): void {
  sessionStorage.removeItem(keyStorageName);
  for (const id of ['reversals-table', 'patterns-chart', 'disputes-table', 'audit-results']) replaceContent(id);
  for (const id of ['reversals-message', 'patterns-message', 'disputes-message', 'audit-message', 'summary-message']) showMessage(id, '');
  showSignedIn(false);
  byId('api-key', HTMLInputElement).focus();
}

function main(): void {
  const form = byId('sign-in-form', HTMLFormElement);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId('api-key', HTMLInputElement);
    const apiKey = input.value.trim();
    input.value = '';
    if (apiKey !== '') void start(apiKey);
  });
  byId('sign-out', HTMLButtonElement).addEventListener('click', signOut);
  const remembered = sessionStorage.getItem(keyStorageName);
  if (remembered !== null) void start(remembered);
}

main();
