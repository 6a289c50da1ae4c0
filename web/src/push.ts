// This browser's push subscription: permission, the service worker, the subscription sent to
// the server (and re-sent when the browser replaces it), and turning it off.

import { push } from "./api";

export type PushState = "unsupported" | "ios-needs-install" | "blocked" | "off" | "on";

const SERVICE_WORKER_URL = "/sw.js";

function supported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

/** iOS offers Web Push only to apps added to the Home Screen. */
function isIosBrowserTab(): boolean {
  const ios = /iPad|iPhone|iPod/.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  const standalone = window.matchMedia?.("(display-mode: standalone)").matches ||
    (navigator as Navigator & { standalone?: boolean }).standalone === true;
  return ios && !standalone;
}

export async function registration(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register(SERVICE_WORKER_URL, { scope: "/" });
  return navigator.serviceWorker.ready;
}

export async function currentState(): Promise<PushState> {
  if (!supported()) return isIosBrowserTab() ? "ios-needs-install" : "unsupported";
  if (Notification.permission === "denied") return "blocked";
  if (Notification.permission !== "granted") return "off";
  const subscription = await (await registration()).pushManager.getSubscription();
  return subscription ? "on" : "off";
}

/** `applicationServerKey` from the base64url public key the server hands out. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Sends `subscription` to the server (idempotent on its endpoint). */
export async function sendSubscription(subscription: PushSubscription): Promise<void> {
  const json = subscription.toJSON();
  await push.subscribe({
    endpoint: subscription.endpoint,
    p256dh: json.keys?.p256dh ?? "",
    auth: json.keys?.auth ?? "",
  });
}

export async function enable(): Promise<PushState> {
  if (!supported()) return isIosBrowserTab() ? "ios-needs-install" : "unsupported";
  const permission = await Notification.requestPermission();
  if (permission === "denied") return "blocked";
  if (permission !== "granted") return "off";
  const worker = await registration();
  let subscription = await worker.pushManager.getSubscription();
  if (!subscription) {
    const { publicKey } = await push.getVapidPublicKey({});
    subscription = await worker.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(publicKey),
    });
  }
  await sendSubscription(subscription);
  return "on";
}

export async function disable(): Promise<PushState> {
  const subscription = await (await registration()).pushManager.getSubscription();
  if (subscription) {
    await push.unsubscribe({ endpoint: subscription.endpoint });
    await subscription.unsubscribe();
  }
  return "off";
}

/**
 * Keeps the server's copy current: on sign-in, and whenever the service worker says the browser
 * replaced the subscription (`pushsubscriptionchange`; the worker has no access token to do it).
 */
export async function syncSubscription(): Promise<void> {
  if (!supported() || Notification.permission !== "granted") return;
  const subscription = await (await registration()).pushManager.getSubscription();
  if (subscription) await sendSubscription(subscription);
}

export function listenForSubscriptionChanges(): () => void {
  if (!supported()) return () => {};
  const onMessage = (event: MessageEvent) => {
    if (event.data?.type === "subscription-changed") void syncSubscription().catch(() => {});
  };
  navigator.serviceWorker.addEventListener("message", onMessage);
  return () => navigator.serviceWorker.removeEventListener("message", onMessage);
}
