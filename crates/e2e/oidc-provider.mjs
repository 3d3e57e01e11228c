// A real OpenID Connect provider for the browser suite (npm package oidc-provider, with its
// development login and consent pages). Test accounts only; never for production.
//
//   OIDC_PORT=18300 SAMSKAB_REDIRECT=http://127.0.0.1:18080/log-ind/oidc/tilbage node oidc-provider.mjs
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT || 18300);
const redirect = process.env.SAMSKAB_REDIRECT;
if (!redirect) {
  console.error('SAMSKAB_REDIRECT is required');
  process.exit(2);
}

// Accounts the test logs in as: the login name is the account id.
const accounts = {
  'hr-anna': { name: 'Anna Hr-Testesen', email: 'anna.hr@samby.dk', preferred_username: 'anna.hr', roles: ['administrator'] },
  'bo-medarbejder': { name: 'Bo Testesen', email: 'bo@samby.dk', preferred_username: 'bo', roles: [] },
  // Claims that once gave administrator: a string of words, and a group path ending in it.
  'mallory-words': { name: 'Mallory Ord', preferred_username: 'mallory.ord', roles: 'leder ikke administrator' },
  'mallory-path': { name: 'Mallory Sti', preferred_username: 'mallory.sti', roles: ['/skoler/holmbjerg/administrator'] },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'samskab',
    client_secret: 'samskab-test-secret',
    redirect_uris: [redirect],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email'],
    profile: ['name', 'preferred_username'],
    roles: ['roles'],
  },
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, ...(accounts[id] || { name: id }) }),
  }),
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['samskab-e2e-only'] },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider on http://127.0.0.1:${port}`));
