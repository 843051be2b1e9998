// Signs in with amazon-cognito-identity-js (USER_SRP_AUTH, and SOFTWARE_TOKEN_MFA when asked)
// and prints one JSON line: {"ok": true, "username": ...} or {"code": ..., "message": ...}.
// Usage: node sign_in.js <endpoint> <pool id> <client id> <username> <password> [<TOTP code>]
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = require('amazon-cognito-identity-js');

const [endpoint, poolId, clientId, username, password, totpCode] = process.argv.slice(2);
const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: endpoint + '/' });
const user = new CognitoUser({ Username: username, Pool: pool });
const report = (value) => { console.log(JSON.stringify(value)); };
const callbacks = {
  onSuccess: (session) => report({ ok: true, username: session.getAccessToken().payload.username }),
  onFailure: (err) => report({ code: err.code, message: err.message }),
  totpRequired: () => {
    if (!totpCode) { report({ code: 'totpRequired', message: 'no code given' }); return; }
    user.sendMFACode(totpCode, callbacks, 'SOFTWARE_TOKEN_MFA');
  },
};
user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), callbacks);
