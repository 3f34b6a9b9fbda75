import { escapeHtml, hidden, page } from './html';
import type { Grant, SandboxUser } from './state';

export interface ConsentView {
  appName: string;
  clientId: string;
  scopes: readonly string[];
  users: readonly SandboxUser[];
  selectedUserKey?: string;
  params: {
    response_type: string;
    client_id: string;
    redirect_uri: string;
    state?: string;
    code_challenge?: string;
    code_challenge_method?: string;
  };
}

export function consentPage(view: ConsentView): string {
  const p = view.params;
  const selected = view.selectedUserKey ?? view.users[0]?.key;
  const scopes = view.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('\n');
  const users = view.users
    .map((u) => {
      const checked = u.key === selected ? ' checked' : '';
      return `<label><input type="radio" name="user" value="${escapeHtml(u.key)}"${checked}> ${escapeHtml(
        u.profile.display_name,
      )} &lt;${escapeHtml(u.profile.email)}&gt;</label>`;
    })
    .join('\n');
  const body = `<h1>Zoom sandbox — authorize</h1>
<p><strong>${escapeHtml(view.appName)}</strong> (client <code>${escapeHtml(view.clientId)}</code>)
would like to access your Zoom account.</p>
<h2>Requested scopes</h2>
<ul>
${scopes}
</ul>
<form method="post" action="/oauth/authorize">
${hidden('response_type', p.response_type)}
${hidden('client_id', p.client_id)}
${hidden('redirect_uri', p.redirect_uri)}
${hidden('state', p.state)}
${hidden('code_challenge', p.code_challenge)}
${hidden('code_challenge_method', p.code_challenge_method)}
<fieldset>
<legend>Sign in as</legend>
${users}
</fieldset>
<p>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</p>
</form>
`;
  return page('Zoom sandbox — authorize', body);
}

export function errorPage(message: string, code?: number): string {
  const codeLine = code === undefined ? '' : `<p>Error code: ${escapeHtml(code)}</p>`;
  const body = `<h1>Zoom sandbox — error</h1>
<div class="error">
<p>${escapeHtml(message)}</p>
${codeLine}
</div>
`;
  return page('Zoom sandbox — error', body);
}

export interface HomeUserRow {
  user: SandboxUser;
  assistants: number;
  schedulers: number;
}

export interface HomeView {
  signedIn?: SandboxUser;
  users: readonly HomeUserRow[];
  grants: readonly Grant[];
  appName: string;
}

function grantRow(grant: Grant, appName: string): string {
  return `<tr>
<td>${escapeHtml(appName)}<br><code>${escapeHtml(grant.clientId)}</code></td>
<td>${grant.scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(' ')}</td>
<td>${escapeHtml(new Date(grant.createdAt).toISOString())}</td>
<td><form method="post" action="/apps/remove">
${hidden('client_id', grant.clientId)}
<button type="submit">Remove app</button>
</form></td>
</tr>`;
}

export function homePage(view: HomeView): string {
  const who = view.signedIn
    ? `<p>Signed in as <strong>${escapeHtml(view.signedIn.profile.display_name)}</strong>
&lt;${escapeHtml(view.signedIn.profile.email)}&gt;.</p>
<form method="post" action="/signout"><button type="submit">Sign out of sandbox</button></form>`
    : '<p>Not signed in. Signing in happens on the consent page of an app install.</p>';
  const apps = !view.signedIn
    ? ''
    : view.grants.length === 0
      ? '<h2>Installed apps</h2>\n<p>No apps installed.</p>'
      : `<h2>Installed apps</h2>
<table>
<tr><th>App</th><th>Scopes</th><th>Authorized</th><th></th></tr>
${view.grants.map((g) => grantRow(g, view.appName)).join('\n')}
</table>`;
  const users = view.users
    .map(
      ({ user: u, assistants, schedulers }) =>
        `<tr><td><code>${escapeHtml(u.key)}</code></td><td>${escapeHtml(
          u.profile.display_name,
        )}</td><td>${escapeHtml(u.profile.email)}</td><td><code>${escapeHtml(
          u.profile.id,
        )}</code></td><td>${escapeHtml(assistants)}</td><td>${escapeHtml(schedulers)}</td></tr>`,
    )
    .join('\n');
  const body = `<h1>Zoom sandbox</h1>
${who}
${apps}
<h2>Demo users</h2>
<table>
<tr><th>Key</th><th>Name</th><th>Email</th><th>User id</th><th>Assistants</th><th>Schedulers</th></tr>
${users}
</table>
`;
  return page('Zoom sandbox', body);
}
