// Verifies a user's ID token and access token with aws-jwt-verify's CognitoJwtVerifier, the way a
// Node.js API checks Cognito tokens, and prints one JSON line with the group claims of the verified
// payloads: {"id": {...}, "access": {...}}, or {"error": ..., "message": ...} when either is refused.
// Usage: node verify_jwt.js <JWKS URL> <pool id> <client id> <ID token> <access token>
//
// CognitoJwtVerifier accepts only the issuer https://cognito-idp.<region>.amazonaws.com/<pool id>
// and would download the JWKS from there, so this script fetches the JWKS from the URL it is given
// and hands it over with cacheJwks() (the package README's "Loading the JWKS from file"). It then
// uses verifySync, which never downloads: a token signed with a key not in that JWKS is refused.
const { CognitoJwtVerifier } = require('aws-jwt-verify');

const [jwksUrl, userPoolId, clientId, idToken, accessToken] = process.argv.slice(2);
const report = (value) => { console.log(JSON.stringify(value)); };
// Absent claims stay absent in the output (JSON.stringify drops undefined).
const groupClaims = (payload) => ({
  token_use: payload.token_use,
  'cognito:groups': payload['cognito:groups'],
  'cognito:roles': payload['cognito:roles'],
  'cognito:preferred_role': payload['cognito:preferred_role'],
});

async function main() {
  const response = await fetch(jwksUrl);
  if (response.status !== 200) {
    throw new Error(`GET ${jwksUrl} answered ${response.status}`);
  }
  const jwks = await response.json();
  const idVerifier = CognitoJwtVerifier.create({ userPoolId, tokenUse: 'id', clientId });
  const accessVerifier = CognitoJwtVerifier.create({ userPoolId, tokenUse: 'access', clientId });
  idVerifier.cacheJwks(jwks);
  accessVerifier.cacheJwks(jwks);
  const id = idVerifier.verifySync(idToken);
  const access = accessVerifier.verifySync(accessToken);
  report({ id: groupClaims(id), access: groupClaims(access) });
}

main().catch((err) => report({ error: (err.constructor && err.constructor.name) || err.name, message: err.message }));
