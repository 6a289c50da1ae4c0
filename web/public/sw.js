// The service worker: shows each push as a notification (tag = the alert, so a repeat replaces
// the previous one), opens the app on click, and tells the open app when the browser replaced
// the push subscription (the app, which holds the access token, re-sends it to the server).
// Served at /sw.js with `Cache-Control: no-cache`, so a new version is picked up on the next load.

const ICON = "/icons/icon-192.png";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

/** The payload notifier-service sends: {title, body, url, tag, alertId, deliveryId}. */
function readPayload(event) {
  if (!event.data) return {};
  try {
    return event.data.json();
  } catch {
    return { body: event.data.text() };
  }
}

async function tellClients(message) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) client.postMessage(message);
}

self.addEventListener("push", (event) => {
  const payload = readPayload(event);
  const title = payload.title || "Alert System";
  const tag = payload.tag || payload.alertId || undefined;
  const options = {
    body: payload.body || "",
    icon: ICON,
    badge: ICON,
    tag,
    renotify: Boolean(tag),
    data: { url: payload.url || "/", alertId: payload.alertId, deliveryId: payload.deliveryId },
    actions: [{ action: "open", title: "Open" }],
  };
  event.waitUntil(
    self.registration
      .showNotification(title, options)
      .then(() => tellClients({ type: "notification-shown", title, body: options.body, tag })),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || "/", self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => client.url === target) || windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        if (open.url !== target && "navigate" in open) await open.navigate(target);
        return open.focus();
      }
      return self.clients.openWindow(target);
    })(),
  );
});

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(
    (async () => {
      const options = event.oldSubscription?.options;
      if (!event.newSubscription && options?.applicationServerKey) {
        await self.registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: options.applicationServerKey,
        });
      }
      await tellClients({ type: "subscription-changed" });
    })(),
  );
});
