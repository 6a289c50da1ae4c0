// The gateway's public services over gRPC-web, with the session's access token attached.
// The access token lives only in this module's memory; the refresh token is an httpOnly cookie
// the gateway sets on Login/Refresh and reads on Refresh/Logout, so a reload (or an expired
// access token) costs one Refresh call and script can never read the refresh token.

import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { AirQualityService } from "./gen/alert/v1/air_quality_pb";
import { AlertService } from "./gen/alert/v1/alerts_pb";
import { AuthService, type Language, type Session, type User } from "./gen/alert/v1/auth_pb";
import { PushService } from "./gen/alert/v1/push_pb";

let accessToken: string | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<User | null> | null = null;
const sessionListeners = new Set<(user: User | null) => void>();

/** The AuthService calls that work without a session (they start one). */
const SESSIONLESS_AUTH_METHODS = new Set(["Register", "Login", "Refresh"]);

/** Adds `Authorization: Bearer …`; renews the session once when the token has expired. */
const withAccessToken: Interceptor = (next) => async (request) => {
  if (request.service.typeName === AuthService.typeName && SESSIONLESS_AUTH_METHODS.has(request.method.name)) {
    return next(request);
  }
  if (accessToken) request.header.set("authorization", `Bearer ${accessToken}`);
  try {
    return await next(request);
  } catch (error) {
    const connectError = ConnectError.from(error);
    if (connectError.code !== Code.Unauthenticated || !accessToken) throw error;
    const user = await refreshSession();
    if (!user) throw error;
    request.header.set("authorization", `Bearer ${accessToken}`);
    return next(request);
  }
};

const transport = createGrpcWebTransport({
  baseUrl: globalThis.location?.origin ?? "http://127.0.0.1:8080",
  interceptors: [withAccessToken],
  // Sends and stores the refresh cookie; it never leaves our origin.
  fetch: (input, init) => globalThis.fetch(input, { ...init, credentials: "same-origin" }),
});

export const auth = createClient(AuthService, transport);
export const alerts = createClient(AlertService, transport);
export const push = createClient(PushService, transport);
export const airQuality = createClient(AirQualityService, transport);

export function onSessionChange(listener: (user: User | null) => void): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

function adopt(session: Session | undefined): User | null {
  clearTimeout(refreshTimer);
  if (!session?.accessToken || !session.user) {
    accessToken = null;
    sessionListeners.forEach((listener) => listener(null));
    return null;
  }
  accessToken = session.accessToken;
  // Renew a minute before the token expires, so a call rarely meets an expired one.
  const renewInMs = Math.max(10, Number(session.expiresIn) - 60) * 1000;
  refreshTimer = setTimeout(() => void refreshSession(), renewInMs);
  const user = session.user;
  sessionListeners.forEach((listener) => listener(user));
  return user;
}

export async function signIn(email: string, password: string): Promise<User | null> {
  const response = await auth.login({ email, password });
  return adopt(response.session);
}

/** A new account whose notifications speak `language`, the language the user signed up in. */
export async function signUp(email: string, password: string, language: Language): Promise<User | null> {
  await auth.register({ email, password });
  const user = await signIn(email, password);
  if (!user || user.language === language) return user;
  try {
    return await saveLanguage(language);
  } catch {
    // The account exists and works; the settings card shows the language it kept.
    return user;
  }
}

/** Sets the language the server writes this user's notifications in. */
export async function saveLanguage(language: Language): Promise<User | null> {
  const { user } = await auth.updateSettings({ language });
  if (user) sessionListeners.forEach((listener) => listener(user));
  return user ?? null;
}

/**
 * A new access token from the refresh cookie, or null when there is no session. Tabs take turns
 * (Web Locks): the gateway rotates the refresh token, and a token spent twice ends the session.
 */
export function refreshSession(): Promise<User | null> {
  refreshing ??= withRefreshLock(async () => {
    try {
      const response = await auth.refresh({});
      return adopt(response.session);
    } catch (error) {
      const code = ConnectError.from(error).code;
      if (code === Code.Unavailable || code === Code.DeadlineExceeded) throw error;
      return adopt(undefined);
    }
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return work();
  return locks.request("alert-system-refresh", work) as Promise<T>;
}

export async function signOut(): Promise<void> {
  try {
    await auth.logout({});
  } finally {
    adopt(undefined);
  }
}
