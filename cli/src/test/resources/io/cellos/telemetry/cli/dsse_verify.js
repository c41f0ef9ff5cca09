// An independent check of a DSSE envelope with sigstore's own code (@sigstore/core): the
// pre-authentication encoding, the Ed25519 signature under a public key (SPKI DER, base64url), and
// the in-toto statement it carries. Prints the statement as JSON when the signature verifies.
// usage: node dsse_verify.js NODE_MODULES_DIR ENVELOPE_FILE PUBLIC_KEY_BASE64URL
const path = require('path');
const fs = require('fs');
const { crypto, dsse } = require(path.join(process.argv[2], '@sigstore', 'core'));
const envelope = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const key = crypto.createPublicKey(Buffer.from(process.argv[4], 'base64url'), 'spki');
const payload = Buffer.from(envelope.payload, 'base64');
const pae = dsse.preAuthEncoding(envelope.payloadType, payload);
const ok = envelope.signatures.some((s) => crypto.verify(pae, key, Buffer.from(s.sig, 'base64')));
if (!ok) {
  console.error('no signature verifies');
  process.exit(1);
}
console.log(payload.toString('utf8'));
