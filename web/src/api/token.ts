// The session token: in memory, mirrored in sessionStorage so a reload keeps the user
// signed in within the tab (never localStorage: a token must not outlive the tab).
const KEY = 'lakecat.token';
let token: string | null = null;

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

export function getToken(): string | null {
  if (token === null) token = storage()?.getItem(KEY) ?? null;
  return token;
}

export function setToken(value: string | null): void {
  token = value;
  const s = storage();
  if (!s) return;
  if (value === null) s.removeItem(KEY);
  else s.setItem(KEY, value);
}
