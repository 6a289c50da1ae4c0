// The Node side of bench/run.sh: web-push 3.6 encrypts and signs every message (aes128gcm,
// a VAPID JWT per message, as sendNotification does), 64 requests in flight over keep-alive
// HTTP/1.1 to the benchmark sink. sendNotification itself only speaks https, so the request
// web-push builds (generateRequestDetails) is posted with Node's http module instead.
// Settings: N, SINK_ORIGIN, SINK_LOG, LABEL. Prints one JSON line; latencies come from the sink's log.
'use strict';
const crypto = require('crypto');
const http = require('http');
const webpush = require('web-push');

const count = Number(process.env.N);
const origin = process.env.SINK_ORIGIN;
const label = process.env.LABEL || 'node-web-push';
const inFlight = 64;

const vapid = webpush.generateVAPIDKeys();
const options = {
  vapidDetails: { subject: 'mailto:alerts@example.com', publicKey: vapid.publicKey, privateKey: vapid.privateKey },
  TTL: 86400,
  urgency: 'normal',
  topic: 'benchAlertTopic',
  contentEncoding: 'aes128gcm',
};
const subscriptions = [];
for (let i = 0; i < count; i += 1) {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  subscriptions.push({
    endpoint: `${origin}/push/${label}-${i}`,
    keys: { p256dh: ecdh.getPublicKey('base64url'), auth: crypto.randomBytes(16).toString('base64url') },
  });
}
// The same 200-byte JSON shape the notifier sends.
const base = { title: 'Fine dust at your station', body: '', url: '/alerts', tag: 'bench-alert', alertId: 'bench-alert', deliveryId: crypto.randomUUID() };
base.body = 'x'.repeat(200 - JSON.stringify(base).length);
const payload = JSON.stringify(base);
if (Buffer.byteLength(payload) !== 200) throw new Error(`payload is ${Buffer.byteLength(payload)} bytes`);

const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });

function post(details) {
  return new Promise((resolve, reject) => {
    const url = new URL(details.endpoint);
    const request = http.request({
      method: details.method, hostname: url.hostname, port: url.port, path: url.pathname,
      headers: details.headers, agent,
    }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 201 ? resolve() : reject(new Error(`status ${response.statusCode}`))));
    });
    request.on('error', reject);
    request.end(details.body);
  });
}

async function main() {
  const requestTimes = [];
  let next = 0;
  const loadAverage = require('os').loadavg()[0];
  const cpuBefore = process.cpuUsage();
  const started = Date.now();
  async function sender() {
    while (next < count) {
      const subscription = subscriptions[next];
      next += 1;
      const begun = process.hrtime.bigint();
      await post(webpush.generateRequestDetails(subscription, payload, options));
      requestTimes.push(Number(process.hrtime.bigint() - begun) / 1e6);
    }
  }
  await Promise.all(Array.from({ length: inFlight }, sender));
  const cpu = process.cpuUsage(cpuBefore);
  requestTimes.sort((a, b) => a - b);
  // The sink logs a request when it finished answering: give it a moment.
  await new Promise((resolve) => { setTimeout(resolve, 200); });
  const latencies = require('fs').readFileSync(process.env.SINK_LOG, 'utf8').split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => Number(line.split(' ')[0]) * 1000 - started)
    .sort((a, b) => a - b);
  const seconds = latencies[latencies.length - 1] / 1000;
  const percentile = (sorted, p) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
  console.log(JSON.stringify({
    sender: label,
    pushes: latencies.length,
    seconds,
    pushes_per_second: latencies.length / seconds,
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    cpu_seconds_per_1000: ((cpu.user + cpu.system) / 1e6 / count) * 1000,
    peak_rss_mib: process.resourceUsage().maxRSS / 1024,
    request_p50_ms: percentile(requestTimes, 50),
    request_p99_ms: percentile(requestTimes, 99),
    load_average: loadAverage,
  }));
  agent.destroy();
}

main().catch((error) => { console.error(error); process.exit(1); });
