import { useEffect, useMemo, useState } from "preact/hooks";
import { onSessionChange, refreshSession, signOut } from "./api";
import { AlertEditor } from "./components/AlertEditor";
import { AlertList } from "./components/AlertList";
import { History } from "./components/History";
import { Notifications } from "./components/Notifications";
import { Settings } from "./components/Settings";
import { SignIn } from "./components/SignIn";
import type { User } from "./gen/alert/v1/auth_pb";
import { I18n, initialLang, saveLang, translator, type Lang } from "./i18n";
import { useRoute, type Route } from "./router";

type SessionState = { status: "loading" } | { status: "signedOut" } | { status: "signedIn"; user: User };

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [session, setSession] = useState<SessionState>({ status: "loading" });
  const route = useRoute();
  const i18n = useMemo(() => ({ lang, t: translator(lang) }), [lang]);
  const { t } = i18n;

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t("appName");
  }, [lang]);

  useEffect(() => {
    const stop = onSessionChange((user) => setSession(user ? { status: "signedIn", user } : { status: "signedOut" }));
    // A reload keeps the session: the refresh cookie buys a new access token.
    refreshSession().catch(() => setSession({ status: "signedOut" }));
    return stop;
  }, []);

  // Move focus to the new page's heading, so screen readers announce where the user is.
  useEffect(() => {
    const timer = setTimeout(() => document.querySelector<HTMLElement>("main h1")?.focus(), 0);
    return () => clearTimeout(timer);
  }, [route, session.status]);

  const chooseLang = (next: Lang) => {
    saveLang(next);
    setLang(next);
  };

  return (
    <I18n.Provider value={i18n}>
      <a class="skip-link" href="#main">{t("skipToContent")}</a>
      <header class="top-bar">
        <a class="brand" href="#/">
          <img src="/icons/icon.svg" alt="" width={28} height={28} />
          <span>{t("appName")}</span>
        </a>
        <div class="top-actions">
          <label class="lang">
            <span class="visually-hidden">{t("language")}</span>
            <select value={lang} onChange={(e) => chooseLang(e.currentTarget.value as Lang)}>
              <option value="ko" lang="ko">한국어</option>
              <option value="en" lang="en">English</option>
            </select>
          </label>
          {session.status === "signedIn" && (
            <>
              <span class="who" title={t("signedInAs", { email: session.user.email })}>{session.user.email}</span>
              <button type="button" class="secondary" onClick={() => void signOut()}>{t("signOut")}</button>
            </>
          )}
        </div>
      </header>
      <main id="main">
        {session.status === "loading" && <p class="card" aria-busy="true">{t("loading")}</p>}
        {session.status === "signedOut" && <SignIn />}
        {session.status === "signedIn" && <Page route={route} user={session.user} />}
      </main>
    </I18n.Provider>
  );
}

function Page(props: { route: Route; user: User }) {
  const { route } = props;
  switch (route.page) {
    case "list":
      return (
        <>
          <Notifications />
          <AlertList />
          <Settings user={props.user} />
        </>
      );
    case "new":
      return <AlertEditor />;
    case "edit":
      return <AlertEditor key={route.id} id={route.id} />;
    case "history":
      return <History key={route.id} id={route.id} />;
  }
}
