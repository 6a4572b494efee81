// A real OpenID provider (the certified `oidc-provider` package) for the SSO tests.
//
//   node oidc-provider.mjs CONFIG.json
//
// CONFIG: {"port": 0-65535, "client": {"client_id", "client_secret", "redirect_uris"},
//          "accounts": {"<login>": {claims...}}, "userinfo_only": false}. Prints "listening <issuer>" when ready.
// Its own login form (devInteractions) signs in whichever account login is typed.
//
// Test-only: POST /__test/next-token {"mode": ...} changes the ID token of the next token
// response, so that the app's real verification can be shown to refuse it:
//   wrong_audience, expired, wrong_nonce: re-signed with the provider's own key;
//   bad_signature: signed with a key that is not in the JWKS (same key id).
import { readFileSync } from 'node:fs';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const KID = 'test-signing-key';

async function signingKey() {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid: KID, alg: 'RS256', use: 'sig' };
}

const realKey = await signingKey();
const rogueKey = await jose.importJWK(await signingKey(), 'RS256');

const provider = new Provider(issuer, {
  clients: [{
    ...config.client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [realKey] },
  cookies: { keys: ['test-only-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  // The scope's claims go in the ID token itself (as Keycloak, Okta and Google do), unless
  // CONFIG.userinfo_only: then only the userinfo endpoint tells them (OpenID Connect 5.4).
  conformIdTokenClaims: Boolean(config.userinfo_only),
  pkce: { required: () => true },  // a client that skips PKCE is refused
  async findAccount(_ctx, id) {
    const claims = config.accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});

let nextMode = null;

async function craft(idToken, mode) {
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  let key = await jose.importJWK(realKey, 'RS256');
  if (mode === 'wrong_audience') claims.aud = 'some-other-client';
  else if (mode === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  else if (mode === 'wrong_nonce') claims.nonce = 'not-the-nonce-that-was-sent';
  else if (mode === 'bad_signature') key = rogueKey;
  else throw new Error(`unknown mode ${mode}`);
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: KID }).sign(key);
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/next-token' && ctx.method === 'POST') {
    let raw = '';
    for await (const chunk of ctx.req) raw += chunk;
    nextMode = JSON.parse(raw).mode;
    ctx.body = { mode: nextMode };
    return;
  }
  await next();
  if (ctx.path === '/token' && nextMode && ctx.body && ctx.body.id_token) {
    const mode = nextMode;
    nextMode = null;  // one token only
    ctx.body = { ...ctx.body, id_token: await craft(ctx.body.id_token, mode) };
  }
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
