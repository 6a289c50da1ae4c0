// A local stand-in for a browser's push service (RFC 8030): it accepts the notifier's POST, checks
// the VAPID JWT (RFC 8292: ES256 by the key in `k`, `aud` = our origin, `exp` at most 24 h away),
// and decrypts the aes128gcm body (RFC 8188 + RFC 8291) with the browser key pair made here.

import { createServer } from "node:http";
import {
  createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify,
} from "node:crypto";

const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const fromB64url = (text) => Buffer.from(text, "base64url");

/** Checks `Authorization: vapid t=<jwt>, k=<key>`; returns the JWT claims or throws. */
export function verifyVapid(authorization, audience, now = Date.now()) {
  const match = /^vapid\s+(.+)$/i.exec(authorization ?? "");
  if (!match) throw new Error(`not a vapid authorization: ${authorization}`);
  const params = Object.fromEntries(
    match[1].split(",").map((part) => {
      const index = part.indexOf("=");
      return [part.slice(0, index).trim(), part.slice(index + 1).trim()];
    }),
  );
  const [header, claims, signature] = (params.t ?? "").split(".");
  const key = fromB64url(params.k ?? "");
  if (!header || !claims || !signature || key.length !== 65 || key[0] !== 4) throw new Error("malformed vapid t or k");
  const publicKey = createPublicKey({
    key: { kty: "EC", crv: "P-256", x: b64url(key.subarray(1, 33)), y: b64url(key.subarray(33)) },
    format: "jwk",
  });
  const signed = Buffer.from(`${header}.${claims}`);
  // JWS ES256 signatures are r‖s (IEEE P1363), not DER.
  if (!verify("sha256", signed, { key: publicKey, dsaEncoding: "ieee-p1363" }, fromB64url(signature))) {
    throw new Error("vapid signature does not verify with k");
  }
  const { alg } = JSON.parse(fromB64url(header).toString());
  if (alg !== "ES256") throw new Error(`vapid alg ${alg}`);
  const body = JSON.parse(fromB64url(claims).toString());
  const nowSecs = Math.floor(now / 1000);
  if (body.aud !== audience) throw new Error(`vapid aud ${body.aud}, expected ${audience}`);
  if (!(body.exp > nowSecs && body.exp <= nowSecs + 24 * 3600)) throw new Error(`vapid exp ${body.exp} out of range`);
  if (!body.sub) throw new Error("vapid sub missing");
  return { ...body, key: params.k };
}

/** Decrypts one aes128gcm push message for the subscription's key pair and auth secret. */
export function decryptAes128gcm(body, browserEcdh, authSecret) {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const keyIdLength = body[20];
  const serverPublicKey = body.subarray(21, 21 + keyIdLength);
  const ciphertext = body.subarray(21 + keyIdLength);
  if (keyIdLength !== 65) throw new Error(`keyid of ${keyIdLength} bytes, expected a P-256 point`);
  if (ciphertext.length > recordSize) throw new Error("push messages are one record");
  const browserPublicKey = browserEcdh.getPublicKey();
  const sharedSecret = browserEcdh.computeSecret(serverPublicKey);
  // RFC 8291 §3.4: the input keying material mixes in the auth secret and both public keys.
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), browserPublicKey, serverPublicKey]);
  const ikm = Buffer.from(hkdfSync("sha256", sharedSecret, authSecret, keyInfo, 32));
  const contentKey = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const decipher = createDecipheriv("aes-128-gcm", contentKey, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record ends with a 0x02 delimiter, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("missing last-record delimiter");
  return padded.subarray(0, end).toString("utf8");
}

/** @param {import("node:http").Server} server */
function originOf(server) {
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  return `http://127.0.0.1:${address.port}`;
}

/**
 * Starts the receiver on 127.0.0.1 with a fresh browser key pair. `subscription` is what the
 * browser would hand the app; `nextMessage()` resolves with the next decrypted payload.
 */
export async function startPushReceiver() {
  const browserEcdh = createECDH("prime256v1");
  browserEcdh.generateKeys();
  const authSecret = randomBytes(16);
  const received = [];
  const waiters = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const origin = originOf(server);
      try {
        if (request.method !== "POST") throw new Error(`method ${request.method}`);
        if (request.headers["content-encoding"] !== "aes128gcm") throw new Error(`content-encoding ${request.headers["content-encoding"]}`);
        if (!request.headers.ttl) throw new Error("TTL header missing");
        const vapid = verifyVapid(request.headers.authorization, origin);
        const payload = decryptAes128gcm(Buffer.concat(chunks), browserEcdh, authSecret);
        const message = { path: request.url, headers: request.headers, vapid, payload, json: JSON.parse(payload) };
        received.push(message);
        waiters.splice(0).forEach((resolve) => resolve(message));
        response.writeHead(201, { location: `${request.url}/messages/${received.length}` }).end();
      } catch (error) {
        console.error(`push receiver refused a message: ${error.message}`);
        response.writeHead(400).end(String(error.message));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const origin = originOf(server);
  return {
    origin,
    received,
    subscription: {
      endpoint: `${origin}/push/${b64url(randomBytes(12))}`,
      keys: { p256dh: b64url(browserEcdh.getPublicKey()), auth: b64url(authSecret) },
    },
    nextMessage(timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no push within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((message) => { clearTimeout(timer); resolve(message); });
      });
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
