/**
 * The HTML of the login and consent pages. Deliberately plain (no scripts, no external assets):
 * a hospital deploys it behind its own portal styling, and tests read the forms as they are.
 */
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${esc(title)}</h1>
${body}
</main></body></html>`;
}

export interface LoginPage {
  action: string;
  clientName: string;
  /** A UZI card was presented on this TLS connection: offer it. */
  uziCard?: { name: string };
  devLogin: boolean;
  options: { label: string; href: string }[];
  /** E-mail and password, then a one-time code (server/auth/password); the link asks for a new password. */
  password?: { forgotHref: string };
  error?: string;
}

export function loginPage(p: LoginPage): string {
  const parts: string[] = [`<p>${esc(p.clientName)} asks you to log in to Zorgpoort.</p>`];
  if (p.error) parts.push(`<p role="alert" class="error">${esc(p.error)}</p>`);
  if (p.uziCard) {
    parts.push(
      `<form method="post" action="${esc(p.action)}/uzi"><button type="submit" name="uzi" value="1">Log in with UZI-pas (${esc(
        p.uziCard.name,
      )})</button></form>`,
    );
  }
  for (const o of p.options)
    parts.push(`<p><a class="login-option" href="${esc(o.href)}">${esc(o.label)}</a></p>`);
  if (p.password) {
    parts.push(
      `<form method="post" action="${esc(p.action)}/password" class="password-login">
<p><strong>E-mailadres en wachtwoord / E-mail address and password</strong></p>
<label>E-mailadres / E-mail <input type="email" name="email" autocomplete="username" required></label>
<label>Wachtwoord / Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Inloggen / Log in</button></form>
<p><a class="password-forgot" href="${esc(p.password.forgotHref)}">Wachtwoord vergeten? Vraag een nieuw wachtwoord aan / Forgot your password? Request a new one</a></p>`,
    );
  }
  if (p.devLogin) {
    parts.push(
      `<form method="post" action="${esc(p.action)}/dev-login" class="dev-login">
<p><strong>Development login</strong> (DEV_LOGIN=on; never in production)</p>
<label>Person reference <input name="person" placeholder="Practitioner/123" required></label>
<button type="submit">Log in</button></form>`,
    );
  }
  if (parts.length === 1 + (p.error ? 1 : 0)) {
    parts.push('<p>No login method is available on this connection. Present a UZI-pas over TLS.</p>');
  }
  return page('Log in', parts.join('\n'));
}

export interface ConsentPage {
  action: string;
  clientName: string;
  person: string;
  scopes: string[];
  /** Patients to choose from when the app asks for one (`launch/patient`) and the user is a caregiver. */
  patients?: { id: string; label: string }[];
  patient?: string;
  error?: string;
}

export function consentPage(p: ConsentPage): string {
  const scopes = p.scopes.map((s) => `<li><code>${esc(s)}</code></li>`).join('');
  const picker = p.patients
    ? `<fieldset><legend>Choose the patient</legend>
<select name="patient" required>${p.patients
        .map((x) => `<option value="${esc(x.id)}">${esc(x.label)} (Patient/${esc(x.id)})</option>`)
        .join('')}</select>
<label>or a patient id <input name="patient_id" placeholder="id"></label></fieldset>`
    : '';
  return page(
    'Allow access',
    `<p>Logged in as <code>${esc(p.person)}</code>.</p>
${p.error ? `<p role="alert" class="error">${esc(p.error)}</p>` : ''}
<p>${esc(p.clientName)} asks for:</p><ul>${scopes}</ul>
${p.patient ? `<p>Patient in context: <code>Patient/${esc(p.patient)}</code></p>` : ''}
<form method="post" action="${esc(p.action)}/confirm">${picker}
<button type="submit" name="decision" value="allow">Allow</button></form>
<form method="post" action="${esc(p.action)}/abort"><button type="submit">Deny</button></form>`,
  );
}

export function errorPage(message: string): string {
  return page('Login failed', `<p role="alert">${esc(message)}</p>`);
}
