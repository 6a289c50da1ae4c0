// End to end in headless Chromium against the real system (embedded mode): sign up, enable
// notifications, create an alert with the schedule builder, fire it through the scheduler
// trigger, see the local push receiver decrypt it and the history say delivered; create
// air-quality alerts (station by name and by location, reading preview, condition) against a
// local AirKorea stub, fire them, and see one push with the stub's numbers and one run skipped
// with its reason; a push delivered to the service worker over the DevTools protocol becomes a
// notification.
// Writes screenshots of the main screens to docs/screenshots/. Usage: node e2e/run.mjs
// (expects web/dist to be built; builds the Rust binary itself unless ALERT_SYSTEM_BIN names one).

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { latestDataTime, measurement, startAirKoreaStub } from "./airkorea-stub.mjs";
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
/** Near Jongno 3-ga: 1.2 km from the 종로구 station, 1.6 km from 중구. */
const USER_LOCATION = { latitude: 37.5714, longitude: 126.9917 };

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

/** AirKorea's `dataTime` as a clock reads it: midnight is "24:00" of the day before there. */
function koreanClock(dataTime) {
  if (!dataTime.endsWith("24:00")) return dataTime;
  const day = new Date(`${dataTime.slice(0, 10)}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return `${day.toISOString().slice(0, 10)} 00:00`;
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
  const airKorea = await startAirKoreaStub();
  const dataTime = latestDataTime();
  const measuredAt = koreanClock(dataTime);
  airKorea.setMeasurement("종로구", measurement("45", "2", "38", "3", dataTime));
  const system = await startSystem(binary, {
    pushAllowedOrigins: receiver.origin,
    env: { AIR_QUALITY_API_KEY: "e2e-service-key", AIR_QUALITY_BASE_URL: airKorea.baseUrl },
  });
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
    geolocation: USER_LOCATION,
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  const browserErrors = [];
  try {
    await context.grantPermissions(["notifications", "geolocation"], { origin: system.url });
    await context.addInitScript(fakePushManager, receiver.subscription);
    const page = context.pages()[0] ?? (await context.newPage());
    /** An alert of the list by its name (another alert's text may mention the same words). */
    const alertItem = (name) => page.locator(".alert-item").filter({ has: page.getByRole("heading", { name, exact: true }) });
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
      assert.equal(await page.getByLabel("Language of notifications").inputValue(), "en", "signed up in English");
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
      await page.getByRole("heading", { name: "History: Umbrella" }).waitFor();
      await page.locator('.history [data-status="delivered"]').waitFor();
      await page.locator('.runs tr[data-outcome="sent"]').waitFor();
      await shoot(page, "history");
      await page.getByRole("link", { name: /Back to alerts/ }).click();
      await page.locator('.alert-item [data-status="delivered"]').waitFor();
    });

    await step("an air-quality alert: the station by name and by location, its reading, a condition", async () => {
      await page.getByRole("link", { name: "New alert" }).click();
      await page.getByLabel("Name").fill("Fine dust");
      await page.getByLabel("Fine dust at a station (AirKorea)").check();
      await page.getByText("Placeholders: {station} {pm10} {pm25} {pm10_grade} {pm25_grade} {grade} {time}").waitFor();
      await page.getByLabel("Find a station").fill("종로");
      await page.locator(".station-choice", { hasText: "종로구" }).click();
      await page.locator(".chosen-station", { hasText: "종로구" }).waitFor();
      const pm10 = page.locator('.reading [data-pollutant="pm10"]');
      const pm25 = page.locator('.reading [data-pollutant="pm25"]');
      await pm10.locator(".value").waitFor();
      assert.equal((await pm10.textContent()).replace(/\s+/g, " "), "PM1045 µg/m³ Moderate");
      assert.equal((await pm25.textContent()).replace(/\s+/g, " "), "PM2.538 µg/m³ Bad");
      assert.match(await page.locator(".reading .measured-at").textContent(), new RegExp(`^measured \\w{3} ${measuredAt}$`));

      await page.getByRole("button", { name: "Use my location" }).click();
      const nearest = page.locator(".station-choice").first();
      await nearest.locator(".distance").waitFor();
      assert.equal(await nearest.locator(".station-name").textContent(), "종로구");
      assert.equal(await nearest.locator(".distance").textContent(), "1.2 km");
      assert.equal(await nearest.getAttribute("aria-pressed"), "true", "the chosen station is marked");

      await page.getByLabel("Only notify when the air is bad enough").check();
      await page.getByLabel("Measure", { exact: true }).selectOption({ label: "The worse of the two (by grade)" });
      assert.equal(await page.getByLabel("a value").isDisabled(), true, "the worse of the two has no value");
      await page.getByLabel("Measure", { exact: true }).selectOption({ label: "PM2.5" });
      await page.getByLabel("a value").check();
      await page.getByLabel("Value (µg/m³)").fill("0");
      await page.getByRole("button", { name: "Create alert" }).click();
      assert.equal(await page.locator("#condition-error").textContent(), "Enter a whole number from 1 to 1000.");
      await page.getByLabel("a grade").check();
      await page.locator("#condition-error").waitFor({ state: "detached" });
      assert.equal(await page.getByLabel("Grade", { exact: true }).inputValue(), "3", "bad (나쁨) by default");
      await page.locator("fieldset.content").evaluate((content) => content.scrollIntoView());
      await shoot(page, "alert-editor-air-quality");
      await page.getByRole("button", { name: "Create alert" }).click();
      await page.getByRole("heading", { name: "Alerts" }).waitFor();
      const item = alertItem("Fine dust");
      assert.equal(await item.locator(".alert-content").textContent(), "Fine dust at 종로구 · when PM2.5 is bad or worse");
    });

    await step("a second one, skipping unless PM10 is very bad, reads back in the editor", async () => {
      await page.getByRole("link", { name: "New alert" }).click();
      await page.getByLabel("Name").fill("Stay in");
      await page.getByLabel("Fine dust at a station (AirKorea)").check();
      await page.getByLabel("Find a station").fill("종로");
      await page.locator(".station-choice", { hasText: "종로구" }).click();
      await page.getByLabel("Only notify when the air is bad enough").check();
      await page.getByLabel("Measure", { exact: true }).selectOption({ label: "PM10" });
      await page.getByLabel("Grade", { exact: true }).selectOption({ label: "Very bad" });
      await page.getByLabel("Send nothing that time").check();
      await page.getByRole("button", { name: "Create alert" }).click();
      const item = alertItem("Stay in");
      assert.equal(await item.locator(".alert-content").textContent(), "Fine dust at 종로구 · when PM10 is very bad or worse");
      await item.getByRole("link", { name: "Edit" }).click();
      await page.getByRole("heading", { name: "Edit alert" }).waitFor();
      await page.locator(".chosen-station", { hasText: "종로구" }).waitFor();
      assert.equal(await page.getByLabel("Fine dust at a station (AirKorea)").isChecked(), true);
      assert.equal(await page.getByLabel("Measure", { exact: true }).inputValue(), "1", "PM10");
      assert.equal(await page.getByLabel("Grade", { exact: true }).inputValue(), "4", "very bad");
      assert.equal(await page.getByLabel("Send nothing that time").isChecked(), true);
      await page.getByRole("link", { name: "Cancel" }).click();
      await page.getByRole("heading", { name: "Alerts" }).waitFor();
    });

    await step("the language of notifications is an account setting", async () => {
      await page.getByLabel("Language of notifications").selectOption("ko");
      await page.locator(".settings .form-message", { hasText: "Saved." }).waitFor();
      await page.reload();
      await page.getByRole("heading", { name: "Alerts" }).waitFor();
      assert.equal(await page.getByLabel("Language of notifications").inputValue(), "ko", "kept by the server");
      assert.equal(await page.getByRole("heading", { name: "Alerts" }).count(), 1, "the app's own language stays English");
    });

    await step("fire both: one push in Korean with the stub's numbers, one run skipped with its reason", async () => {
      const nextRunOf = (name) => alertItem(name).locator(".next-run time").getAttribute("datetime");
      const ids = {};
      for (const name of ["Stay in", "Fine dust"]) {
        ids[name] = await alertItem(name).getAttribute("data-alert-id");
      }
      const pushesBefore = receiver.received.length;
      const nextPush = receiver.nextMessage();
      for (const name of ["Stay in", "Fine dust"]) {
        const response = await fetch(`${system.url}/scheduler/trigger`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-scheduler-secret": system.schedulerSecret },
          body: JSON.stringify({ alertId: ids[name], scheduledTime: await nextRunOf(name) }),
        });
        assert.ok(response.ok, `trigger answered ${response.status}: ${await response.text()}`);
      }
      const message = await nextPush;
      const time = measuredAt.slice(11);
      assert.equal(message.json.title, "종로구 미세먼지 나쁨");
      assert.equal(message.json.body, `미세먼지 45㎍/㎥ (보통), 초미세먼지 38㎍/㎥ (나쁨) · ${time} 기준`);
      assert.equal(message.json.tag, ids["Fine dust"]);

      await alertItem("Stay in").getByRole("link", { name: "History" }).click();
      await page.getByRole("heading", { name: "History: Stay in" }).waitFor();
      const skipped = page.locator('.runs tr[data-outcome="skipped"]');
      await skipped.waitFor();
      assert.equal(await skipped.locator(".reason").textContent(), "condition not met: PM10 is moderate (45 µg/m³), below very bad");
      await page.getByText("Nothing sent yet.").waitFor();
      await shoot(page, "history-skipped");
      assert.equal(receiver.received.length, pushesBefore + 1, "the skipped run sent nothing");
      await page.getByRole("link", { name: /Back to alerts/ }).click();
      await page.locator('.alert-item [data-status="delivered"]').first().waitFor();
      await shoot(page, "alerts");
    });

    await step("AirKorea's quota used up: the preview says so and the form keeps working", async () => {
      airKorea.setQuotaExceeded(true);
      await page.getByRole("link", { name: "New alert" }).click();
      await page.getByLabel("Fine dust at a station (AirKorea)").check();
      // The station list is cached for a day, so the search still answers.
      await page.getByLabel("Find a station").fill("강남");
      await page.locator(".station-choice", { hasText: "강남구" }).click();
      const problem = page.locator(".reading .form-message");
      await problem.waitFor();
      assert.match(await problem.textContent(), /quota is used up/);
      await page.getByLabel("Name").fill("Still usable");
      await page.getByRole("link", { name: "Cancel" }).click();
      await page.getByRole("heading", { name: "Alerts" }).waitFor();
      airKorea.setQuotaExceeded(false);
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
      await page.locator(".top-bar").getByLabel("Language").selectOption("ko");
      await page.getByRole("heading", { name: "알림 목록" }).waitFor();
      assert.equal(await alertItem("Fine dust").locator(".alert-content").textContent(),
        "종로구 미세먼지 · 초미세먼지가 나쁨 이상일 때");
      await shoot(page, "alerts-ko");
      await page.locator(".top-bar").getByLabel("언어").selectOption("en");
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
    await airKorea.close();
    rmSync(profile, { recursive: true, force: true });
    console.log(`e2e: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

main().catch(() => {
  process.exitCode = 1;
});
