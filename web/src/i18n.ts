// The app's words in English and Korean. The language follows the browser until the user picks
// one, which is remembered on this device.

import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Lang } from "./nextRuns";
import type { Weekday } from "./schedule";
import { isWeekdaysOnly, isWeekendOnly, formatTime, WEEKDAYS_MONDAY_FIRST } from "./schedule";

export type { Lang };

const en = {
  appName: "Alert System",
  language: "Language",
  signIn: "Sign in",
  signUp: "Create account",
  signOut: "Sign out",
  email: "Email",
  password: "Password",
  passwordHint: "At least 8 characters.",
  haveAccount: "Already have an account? Sign in",
  needAccount: "New here? Create an account",
  signedInAs: "Signed in as {email}",
  loading: "Loading…",
  saving: "Saving…",
  alerts: "Alerts",
  newAlert: "New alert",
  noAlerts: "No alerts yet. Create one to get a notification on a schedule.",
  nextRun: "Next",
  paused: "Paused",
  active: "On",
  lastDelivery: "Last delivery",
  never: "none yet",
  edit: "Edit",
  history: "History",
  pause: "Pause",
  resume: "Resume",
  delete: "Delete",
  confirmDelete: "Delete the alert “{name}”? This cannot be undone.",
  back: "Back to alerts",
  editAlert: "Edit alert",
  name: "Name",
  title: "Notification title",
  body: "Notification text",
  schedule: "Schedule",
  time: "Time",
  days: "Days",
  advanced: "Use a cron expression",
  cron: "Cron expression",
  cronHint: "Five fields: minute hour day-of-month month day-of-week, e.g. 0 8 * * 1-5.",
  timezone: "Time zone",
  nextRuns: "Next 5 times",
  noNextRuns: "Enter a valid schedule to see when it fires.",
  save: "Save",
  cancel: "Cancel",
  create: "Create alert",
  enabled: "Enabled",
  pickADay: "Pick at least one day.",
  deliveries: "Delivery history",
  noDeliveries: "Nothing sent yet.",
  refresh: "Refresh",
  when: "When",
  status: "Status",
  attempts: "Attempts",
  pushStatus: "Push service",
  error: "Error",
  "status.queued": "queued",
  "status.sending": "sending",
  "status.delivered": "delivered",
  "status.failed": "failed",
  "status.expired": "expired",
  "status.unknown": "unknown",
  notifications: "Notifications",
  notifyExplain:
    "Alerts arrive as notifications on this device, even when the app is closed. Your browser will ask for permission.",
  notifyOn: "Notifications are on for this device.",
  notifyOff: "Notifications are off for this device.",
  notifyBlocked:
    "Notifications are blocked. Allow them for this site in your browser settings, then reload.",
  notifyUnsupported: "This browser cannot receive push notifications.",
  notifyIos: "On iPhone and iPad, add this app to the Home Screen first (Share → Add to Home Screen), then open it from there.",
  enableNotifications: "Enable notifications",
  disableNotifications: "Turn off",
  sendTest: "Send a test notification",
  testSent: "Test notification sent to {count} device(s).",
  working: "Working…",
  genericError: "Something went wrong. Try again.",
  networkError: "Cannot reach the server. Check your connection.",
  sessionExpired: "Your session ended. Sign in again.",
  everyDay: "Every day",
  weekdays: "Weekdays",
  weekends: "Weekends",
  at: "at",
  skipToContent: "Skip to content",
};

type Messages = typeof en;
export type MessageKey = keyof Messages;

const ko: Messages = {
  appName: "알림 시스템",
  language: "언어",
  signIn: "로그인",
  signUp: "계정 만들기",
  signOut: "로그아웃",
  email: "이메일",
  password: "비밀번호",
  passwordHint: "8자 이상.",
  haveAccount: "이미 계정이 있나요? 로그인",
  needAccount: "처음이신가요? 계정 만들기",
  signedInAs: "{email}(으)로 로그인됨",
  loading: "불러오는 중…",
  saving: "저장 중…",
  alerts: "알림 목록",
  newAlert: "새 알림",
  noAlerts: "아직 알림이 없습니다. 알림을 만들면 정해진 시간에 받을 수 있습니다.",
  nextRun: "다음",
  paused: "일시 중지됨",
  active: "켜짐",
  lastDelivery: "최근 발송",
  never: "아직 없음",
  edit: "수정",
  history: "기록",
  pause: "일시 중지",
  resume: "다시 시작",
  delete: "삭제",
  confirmDelete: "“{name}” 알림을 삭제할까요? 되돌릴 수 없습니다.",
  back: "알림 목록으로",
  editAlert: "알림 수정",
  name: "이름",
  title: "알림 제목",
  body: "알림 내용",
  schedule: "일정",
  time: "시각",
  days: "요일",
  advanced: "cron 표현식 사용",
  cron: "cron 표현식",
  cronHint: "다섯 칸: 분 시 일 월 요일, 예: 0 8 * * 1-5.",
  timezone: "시간대",
  nextRuns: "다음 5번",
  noNextRuns: "올바른 일정을 입력하면 언제 울릴지 보여 줍니다.",
  save: "저장",
  cancel: "취소",
  create: "알림 만들기",
  enabled: "사용",
  pickADay: "요일을 하나 이상 고르세요.",
  deliveries: "발송 기록",
  noDeliveries: "아직 보낸 알림이 없습니다.",
  refresh: "새로 고침",
  when: "시각",
  status: "상태",
  attempts: "시도",
  pushStatus: "푸시 서비스",
  error: "오류",
  "status.queued": "대기 중",
  "status.sending": "보내는 중",
  "status.delivered": "전달됨",
  "status.failed": "실패",
  "status.expired": "만료됨",
  "status.unknown": "알 수 없음",
  notifications: "알림 받기",
  notifyExplain:
    "앱을 닫아 두어도 이 기기로 알림이 옵니다. 브라우저가 알림 권한을 물어봅니다.",
  notifyOn: "이 기기에서 알림을 받고 있습니다.",
  notifyOff: "이 기기에서 알림이 꺼져 있습니다.",
  notifyBlocked: "알림이 차단되어 있습니다. 브라우저 설정에서 이 사이트의 알림을 허용한 뒤 새로 고침하세요.",
  notifyUnsupported: "이 브라우저는 푸시 알림을 받을 수 없습니다.",
  notifyIos: "iPhone과 iPad에서는 먼저 이 앱을 홈 화면에 추가한 뒤(공유 → 홈 화면에 추가) 거기서 여세요.",
  enableNotifications: "알림 켜기",
  disableNotifications: "끄기",
  sendTest: "테스트 알림 보내기",
  testSent: "기기 {count}대에 테스트 알림을 보냈습니다.",
  working: "처리 중…",
  genericError: "문제가 생겼습니다. 다시 시도하세요.",
  networkError: "서버에 연결할 수 없습니다. 네트워크를 확인하세요.",
  sessionExpired: "세션이 끝났습니다. 다시 로그인하세요.",
  everyDay: "매일",
  weekdays: "평일",
  weekends: "주말",
  at: "",
  skipToContent: "본문으로 건너뛰기",
};

export const MESSAGES: Record<Lang, Messages> = { en, ko };

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  return (key, values) => {
    let text = MESSAGES[lang][key] ?? en[key];
    for (const [name, value] of Object.entries(values ?? {})) {
      text = text.replace(`{${name}}`, String(value));
    }
    return text;
  };
}

const STORAGE_KEY = "alert-system.lang";

/** The saved choice, else the first Korean or English entry of the browser's languages. */
export function initialLang(): Lang {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (saved === "en" || saved === "ko") return saved;
  for (const tag of globalThis.navigator?.languages ?? []) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "ko" || base === "en") return base;
  }
  return "en";
}

export function saveLang(lang: Lang): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, lang);
}

/** Short weekday names, Sunday first (index = cron day number). */
export function weekdayNames(lang: Lang, width: "short" | "long" = "short"): string[] {
  // 2024-01-07 was a Sunday.
  return Array.from({ length: 7 }, (_, day) =>
    new Intl.DateTimeFormat(lang, { weekday: width, timeZone: "UTC" }).format(
      new Date(Date.UTC(2024, 0, 7 + day)),
    ),
  );
}

/** The chosen days in runs of neighbours, Monday first: Mon, Tue, Wed, Sat → [[Mon, Tue, Wed], [Sat]]. */
function dayRuns(weekdays: readonly Weekday[]): Weekday[][] {
  const runs: Weekday[][] = [];
  let previousIndex = -2;
  WEEKDAYS_MONDAY_FIRST.forEach((day, index) => {
    if (!weekdays.includes(day)) return;
    if (index === previousIndex + 1) runs[runs.length - 1].push(day);
    else runs.push([day]);
    previousIndex = index;
  });
  return runs;
}

/** `Weekdays at 08:00`, `Mon, Wed at 07:30`, `매일 08:00`. */
export function describeSchedule(
  schedule: { hour: number; minute: number; weekdays: Weekday[] },
  lang: Lang,
): string {
  const t = translator(lang);
  const names = weekdayNames(lang);
  let days: string;
  if (schedule.weekdays.length === 7) days = t("everyDay");
  else if (isWeekdaysOnly(schedule.weekdays)) days = t("weekdays");
  else if (isWeekendOnly(schedule.weekdays)) days = t("weekends");
  else days = dayRuns(schedule.weekdays).map((run) => run.length >= 3
      ? `${names[run[0]]}–${names[run[run.length - 1]]}`
      : run.map((d) => names[d]).join(", ")).join(", ");
  const at = t("at");
  return [days, at, formatTime(schedule.hour, schedule.minute)].filter(Boolean).join(" ");
}

export const I18n = createContext<{ lang: Lang; t: Translate }>({ lang: "en", t: translator("en") });

export function useI18n() {
  return useContext(I18n);
}
