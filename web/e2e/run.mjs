// End to end in headless Chromium against the real system (embedded mode): sign up, enable
// notifications, create an alert with the schedule builder, fire it through the scheduler
// trigger, see the local push receiver decrypt it and the history say delivered; then a push
// delivered to the service worker over the DevTools protocol becomes a notification.
// Writes screenshots of the main screens to docs/screenshots/. Usage: node e2e/run.mjs
// (expects web/dist to be built; builds the Rust binary itself unless ALERT_SYSTEM_BIN names one).

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startPushReceiver } from "./push-receiver.mjs";
import { REPO_ROOT, buildSystem, startSystem } from "./system.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const SCREENSHOTS = join(REPO_ROOT, "docs/screenshots");
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const TIMEOUT_MS = 15_000;

let passed = 0;
let failed = 0;
async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(error?.stack ?? error).split("\n").join("\n     ")}`);
    throw error;
  }
}

/** Replaces the browser's push subscription with one for the local receiver (the real
 * `pushManager.subscribe` needs Google's push service, which this machine cannot reach). */
function fakePushManager(subscription) {
  const KEY = "e2e-push-subscribed";
  const decode = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/") + "==".slice(0, (4 - (text.length % 4)) % 4)), (c) => c.charCodeAt(0)).buffer;
  const make = (options) => ({
    endpoint: subscription.endpoint,
    expirationTime: null,
    options,
    getKey: (name) => decode(subscription.keys[name]),
    toJSON: () => ({ endpoint: subscription.endpoint, expirationTime: null, keys: subscription.keys }),
    unsubscribe: async () => { localStorage.removeItem(KEY); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    localStorage.setItem("e2e-application-server-key", btoa(String.fromCharCode(...key)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
    localStorage.setItem(KEY, "1");
    return make(options);
  };
  PushManager.prototype.getSubscription = async function () {
    return localStorage.getItem(KEY) ? make({ userVisibleOnly: true }) : null;
  };
}

async function shoot(page, name) {
  for (const [size, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size}.png`), fullPage: size === "phone" });
  }
  await page.setViewportSize(DESKTOP);
}

async function main() {
  const started = Date.now();
  // ALERT_SYSTEM_BIN: a binary built already (skips cargo).
  let binary = process.env.ALERT_SYSTEM_BIN;
  if (!binary) {
    console.log("building alert-system (cargo build -p alert-system)");
    binary = buildSystem();
  }
  const receiver = await startPushReceiver();
  const system = await startSystem(binary, { pushAllowedOrigins: receiver.origin });
  console.log(`system at ${system.url}, push receiver at ${receiver.origin}`);
  const profile = mkdtempSync(join(tmpdir(), "alert-e2e-chromium-"));
  mkdirSync(SCREENSHOTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: DESKTOP,
    locale: "en-US",
    timezoneId: "Asia/Seoul",
    serviceWorkers: "allow",
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  const browserErrors = [];
  try {
    await context.grantPermissions(["notifications"], { origin: system.url });
    await context.addInitScript(fakePushManager, receiver.subscription);
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (error) => browserErrors.push(String(error)));
    page.on("console", (message) => {
      if (message.type() === "error" && !/status of 4\d\d/.test(message.text())) browserErrors.push(message.text());
    });
    const email = `e2e-${Date.now()}@example.com`;
    const password = "correct horse battery staple";
    let alertId;
    let scheduledTime;

    await step("the app is served with caching headers and a content security policy", async () => {
      const index = await fetch(`${system.url}/`);
      assert.equal(index.headers.get("cache-control"), "no-cache");
      assert.match(index.headers.get("content-security-policy") ?? "", /script-src 'self'/);
      const html = await index.text();
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      assert.ok(script, "index.html loads a hashed script");
      const asset = await fetch(`${system.url}${script}`);
      assert.equal(asset.headers.get("cache-control"), "public, max-age=31536000, immutable");
      for (const path of ["/sw.js", "/manifest.webmanifest"]) {
        assert.equal((await fetch(`${system.url}${path}`)).headers.get("cache-control"), "no-cache", path);
      }
    });

    await step("sign-up shows the server's error next to the field it names", async () => {
      await page.goto(system.url);
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      await shoot(page, "sign-in");
      await page.getByRole("button", { name: "New here? Create an account" }).click();
      await page.getByLabel("Email").fill("not-an-email");
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Create account" }).click();
      const error = page.locator("#email-error");
      await error.waitFor();
      assert.equal(await page.getByLabel("Email").getAttribute("aria-invalid"), "true");
      assert.match(await page.getByLabel("Email").getAttribute("aria-describedby"), /email-error/);
    });

    await step("sign up and land on the alerts page", async () => {
      await page.getByLabel("Email").fill(email);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByRole("heading", { name: "Alerts" }).waitFor();
      await page.getByText("No alerts yet").waitFor();
      assert.equal(await page.evaluate(() => JSON.stringify(localStorage).includes("ey")), false, "no token in localStorage");
    });

    await step("enable notifications subscribes with the server's VAPID key", async () => {
      await page.getByRole("button", { name: "Enable notifications" }).click();
      await page.getByText("Notifications are on for this device.").waitFor();
      const vapid = await (await fetch(`${system.url}/push/vapid-public-key`)).json();
      assert.equal(await page.evaluate(() => localStorage.getItem("e2e-application-server-key")), vapid.publicKey);
      const registered = await page.evaluate(async () => Boolean(await navigator.serviceWorker.getRegistration("/")));
      assert.ok(registered, "the service worker is registered");
    });

    await step("the schedule builder previews runs and shows schedule errors next to the field", async () => {
      await page.getByRole("link", { name: "New alert" }).click();
      await page.getByRole("heading", { name: "New alert" }).waitFor();
      await page.getByLabel("Name").fill("Umbrella");
      await page.getByLabel("Notification title").fill("Take an umbrella");
      await page.getByLabel("Notification text").fill("Rain after 3 pm in Seoul");
      await page.getByLabel("Time", { exact: true }).fill("07:30");
      await page.getByRole("checkbox", { name: "Saturday" }).check();
      assert.equal(await page.getByLabel("Time zone").inputValue(), "Asia/Seoul", "defaults to the browser's zone");
      // The preview follows the builder after a short pause: wait for the one for 07:30, Mon–Sat.
      await page.waitForFunction(() => {
        const runs = [...document.querySelectorAll(".next-runs-list time")].map((time) => time.textContent);
        return runs.length === 5 && runs.every((run) => run.endsWith("07:30"));
      });
      const runs = await page.locator(".next-runs-list time").allTextContents();
      assert.equal(runs.length, 5);
      for (const run of runs) assert.match(run, /^(Mon|Tue|Wed|Thu|Fri|Sat) \d{4}-\d\d-\d\d 07:30$/, run);
      await shoot(page, "alert-editor");
      await page.getByLabel("Use a cron expression").check();
      assert.equal(await page.getByRole("textbox", { name: "Cron expression" }).inputValue(), "30 7 * * 1-6");
      await page.getByRole("textbox", { name: "Cron expression" }).fill("* * * * *");
      await page.locator("#alert-cron-error").waitFor();
      await page.getByRole("textbox", { name: "Cron expression" }).fill("30 7 * * 1-6");
      await page.locator("#alert-cron-error").waitFor({ state: "detached" });
    });

    await step("create the alert and see it listed with its next run", async () => {
      await page.getByRole("button", { name: "Create alert" }).click();
      await page.getByRole("heading", { name: "Alerts" }).waitFor();
      const item = page.locator(".alert-item", { hasText: "Umbrella" });
      await item.locator(".next-run time").waitFor();
      alertId = await item.getAttribute("data-alert-id");
      scheduledTime = await item.locator(".next-run time").getAttribute("datetime");
      assert.ok(alertId && scheduledTime);
      assert.match(await item.locator(".alert-schedule").textContent(), /Mon–Sat at 07:30/);
    });

    await step("fire it: the push receiver decrypts the notification", async () => {
      const nextPush = receiver.nextMessage();
      const response = await fetch(`${system.url}/scheduler/trigger`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-scheduler-secret": system.schedulerSecret },
        body: JSON.stringify({ alertId, scheduledTime }),
      });
      assert.ok(response.ok, `trigger answered ${response.status}: ${await response.text()}`);
      const message = await nextPush;
      assert.equal(message.json.title, "Take an umbrella");
      assert.equal(message.json.body, "Rain after 3 pm in Seoul");
      assert.equal(message.json.tag, alertId);
    });

    await step("the history shows it delivered", async () => {
      await page.locator(".alert-item", { hasText: "Umbrella" }).getByRole("link", { name: "History" }).click();
      await page.getByRole("heading", { name: /Delivery history/ }).waitFor();
      await page.locator('.history [data-status="delivered"]').waitFor();
      await shoot(page, "history");
      await page.getByRole("link", { name: /Back to alerts/ }).click();
      await page.locator('.alert-item [data-status="delivered"]').waitFor();
      await shoot(page, "alerts");
    });

    await step("the session survives a reload, with the refresh token out of script's reach", async () => {
      await page.reload();
      await page.getByRole("heading", { name: "Alerts" }).waitFor();
      assert.equal(await page.evaluate(() => document.cookie), "", "the refresh cookie is httpOnly");
      const cookies = await context.cookies(system.url + "/alert.v1.AuthService/Refresh");
      const refresh = cookies.find((cookie) => cookie.name === "alert_refresh_token");
      assert.ok(refresh, "the gateway set the refresh cookie");
      assert.deepEqual([refresh.httpOnly, refresh.secure, refresh.sameSite], [true, true, "Strict"]);
    });

    await step("a push delivered to the service worker becomes a notification", async () => {
      const cdp = await context.newCDPSession(page);
      const registrationId = new Promise((resolve) =>
        cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
          const ours = registrations.find((r) => r.scopeURL === `${system.url}/` && !r.isDeleted);
          if (ours) resolve(ours.registrationId);
        }),
      );
      await cdp.send("ServiceWorker.enable");
      const shown = page.evaluate(() => new Promise((resolve) =>
        navigator.serviceWorker.addEventListener("message", (event) => {
          if (event.data?.type === "notification-shown") resolve(event.data);
        })));
      await cdp.send("ServiceWorker.deliverPushMessage", {
        origin: system.url,
        registrationId: await registrationId,
        data: JSON.stringify({ title: "Fine dust: bad", body: "PM2.5 is 80 at Jongno", url: "/#/", tag: "alert-cdp", alertId: "alert-cdp" }),
      });
      const message = await shown;
      assert.deepEqual([message.title, message.body, message.tag], ["Fine dust: bad", "PM2.5 is 80 at Jongno", "alert-cdp"]);
      const notifications = await page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications({ tag: "alert-cdp" })).map((n) => ({ title: n.title, body: n.body })));
      assert.deepEqual(notifications, [{ title: "Fine dust: bad", body: "PM2.5 is 80 at Jongno" }]);
    });

    await step("Korean is one switch away", async () => {
      await page.getByLabel("Language").selectOption("ko");
      await page.getByRole("heading", { name: "알림 목록" }).waitFor();
      await shoot(page, "alerts-ko");
      await page.getByLabel("언어").selectOption("en");
      await page.getByRole("heading", { name: "Alerts" }).waitFor();
    });

    await step("sign out ends the session, also after a reload", async () => {
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      await page.reload();
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
    });

    await step("the browser logged no errors", async () => {
      assert.deepEqual(browserErrors, []);
    });
  } finally {
    await context.close().catch(() => {});
    await system.stop();
    await receiver.close();
    rmSync(profile, { recursive: true, force: true });
    console.log(`e2e: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

main().catch(() => {
  process.exitCode = 1;
});
