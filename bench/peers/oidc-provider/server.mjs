// oidc-provider configured like Gatehouse's client-credentials grant: one confidential client with
// a secret sent in the body (client_secret_post), RS256 JWT access tokens signed with an RSA-2048
// key, over HTTPS on one Node.js process (one core). Started by run.sh; see gatehouse-bench.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import https from 'node:https';
import Provider from 'oidc-provider';

const require = createRequire(import.meta.url);
const { version } = require('oidc-provider/package.json');
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const resource = 'https://graph.bench.example';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = privateKey.export({ format: 'jwk' });

const provider = new Provider('https://localhost', {
  clients: [{
    client_id: env('PEER_CLIENT_ID'),
    client_secret: env('PEER_CLIENT_SECRET'),
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_post',
    scope: 'api.read',
  }],
  jwks: { keys: [{ ...jwk, kid: 'bench', use: 'sig', alg: 'RS256' }] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api.read',
        audience: resource,
        accessTokenTTL: 3600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  scopes: ['api.read'],
});
provider.proxy = true;

const server = https.createServer({
  cert: readFileSync(env('PEER_CERT')),
  key: readFileSync(env('PEER_KEY')),
  keepAliveTimeout: 60_000,
}, provider.callback());
server.listen(0, '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`Peer: oidc-provider ${version}`);
  console.log(`Listening on: https://${address}:${port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
