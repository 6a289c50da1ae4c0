// The app's words in English and Korean. The language follows the browser until the user picks
// one, which is remembered on this device.

import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { Language } from "./gen/alert/v1/auth_pb";
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
  content: "What it says",
  contentPlain: "My own text",
  contentAirQuality: "Fine dust at a station (AirKorea)",
  stationSearch: "Find a station",
  stationSearchHint: "Part of a station's name or address, e.g. 종로 or 강남.",
  useMyLocation: "Use my location",
  locating: "Finding your location…",
  locationDenied: "Your location is not available: allow it for this site, or search by name.",
  locationUnsupported: "This browser cannot share its location: search by name.",
  searching: "Searching…",
  noStationsFound: "No station matches.",
  stationsFound: "Stations found",
  choose: "Choose",
  station: "Station",
  noStationYet: "No station chosen yet.",
  chooseAStation: "Choose a station from the search results.",
  latestReading: "Latest reading",
  measuredAt: "measured {time}",
  pm10: "PM10",
  pm25: "PM2.5",
  perCubicMetre: "µg/m³",
  unavailable: "unavailable",
  "grade.good": "Good",
  "grade.moderate": "Moderate",
  "grade.bad": "Bad",
  "grade.veryBad": "Very bad",
  conditionOn: "Only notify when the air is bad enough",
  measure: "Measure",
  "measureOption.pm10": "PM10",
  "measureOption.pm25": "PM2.5",
  "measureOption.worse": "The worse of the two (by grade)",
  threshold: "At or above",
  thresholdGrade: "a grade",
  thresholdValue: "a value",
  grade: "Grade",
  value: "Value (µg/m³)",
  pickAGrade: "Pick a grade.",
  worseComparesGrades: "The worse of the two compares grades: pick a grade, or PM10 or PM2.5 for a value.",
  thresholdValueRange: "Enter a whole number from 1 to 1000.",
  whenUnavailable: "When there is no reading",
  whenUnavailableSend: "Send anyway, with a “measurement unavailable” line",
  whenUnavailableSkip: "Send nothing that time",
  titleTemplate: "Title (optional)",
  bodyTemplate: "Text (optional)",
  templateHint: "Empty: the default message. Placeholders: {list}",
  "conditionMeasure.pm10": "PM10",
  "conditionMeasure.pm25": "PM2.5",
  "conditionMeasure.worse": "PM10 or PM2.5",
  conditionGrade: "when {measure} is {grade} or worse",
  conditionValue: "when {measure} is {value} µg/m³ or more",
  everyTime: "every time",
  airQualityAt: "Fine dust at {station}",
  historyOf: "History",
  runs: "Runs",
  noRuns: "Not run yet.",
  scheduledFor: "Scheduled for",
  outcome: "Outcome",
  reason: "Reason",
  deliveryCount: "Deliveries",
  "outcome.sent": "sent",
  "outcome.skipped": "skipped",
  "outcome.unknown": "unknown",
  settings: "Settings",
  notificationLanguage: "Language of notifications",
  notificationLanguageHint: "Air-quality messages and their grade words are written in this language.",
  saved: "Saved.",
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
  content: "알림 내용",
  contentPlain: "직접 쓴 문구",
  contentAirQuality: "측정소의 미세먼지 (에어코리아)",
  stationSearch: "측정소 찾기",
  stationSearchHint: "측정소 이름이나 주소의 일부. 예: 종로, 강남.",
  useMyLocation: "내 위치 사용",
  locating: "위치를 찾는 중…",
  locationDenied: "위치를 알 수 없습니다. 이 사이트에 위치 권한을 허용하거나 이름으로 찾으세요.",
  locationUnsupported: "이 브라우저는 위치를 알려 줄 수 없습니다. 이름으로 찾으세요.",
  searching: "찾는 중…",
  noStationsFound: "맞는 측정소가 없습니다.",
  stationsFound: "찾은 측정소",
  choose: "선택",
  station: "측정소",
  noStationYet: "아직 고른 측정소가 없습니다.",
  chooseAStation: "검색 결과에서 측정소를 고르세요.",
  latestReading: "최근 측정값",
  measuredAt: "{time} 측정",
  pm10: "미세먼지(PM10)",
  pm25: "초미세먼지(PM2.5)",
  perCubicMetre: "㎍/㎥",
  unavailable: "정보 없음",
  "grade.good": "좋음",
  "grade.moderate": "보통",
  "grade.bad": "나쁨",
  "grade.veryBad": "매우나쁨",
  conditionOn: "공기가 나쁠 때만 알림",
  measure: "기준",
  "measureOption.pm10": "미세먼지(PM10)",
  "measureOption.pm25": "초미세먼지(PM2.5)",
  "measureOption.worse": "둘 중 나쁜 쪽 (등급)",
  threshold: "이상일 때",
  thresholdGrade: "등급",
  thresholdValue: "농도",
  grade: "등급",
  value: "농도 (㎍/㎥)",
  pickAGrade: "등급을 고르세요.",
  worseComparesGrades: "둘 중 나쁜 쪽은 등급으로만 비교합니다. 등급을 고르거나, 농도를 쓰려면 미세먼지나 초미세먼지를 고르세요.",
  thresholdValueRange: "1에서 1000 사이의 정수를 입력하세요.",
  whenUnavailable: "측정값이 없을 때",
  whenUnavailableSend: "“측정값 없음” 문구와 함께 보내기",
  whenUnavailableSkip: "그때는 보내지 않기",
  titleTemplate: "제목 (선택)",
  bodyTemplate: "내용 (선택)",
  templateHint: "비워 두면 기본 문구를 씁니다. 넣을 수 있는 값: {list}",
  "conditionMeasure.pm10": "미세먼지가",
  "conditionMeasure.pm25": "초미세먼지가",
  "conditionMeasure.worse": "미세먼지나 초미세먼지가",
  conditionGrade: "{measure} {grade} 이상일 때",
  conditionValue: "{measure} {value}㎍/㎥ 이상일 때",
  everyTime: "항상",
  airQualityAt: "{station} 미세먼지",
  historyOf: "기록",
  runs: "실행",
  noRuns: "아직 실행되지 않았습니다.",
  scheduledFor: "예정 시각",
  outcome: "결과",
  reason: "이유",
  deliveryCount: "발송 수",
  "outcome.sent": "보냄",
  "outcome.skipped": "건너뜀",
  "outcome.unknown": "알 수 없음",
  settings: "설정",
  notificationLanguage: "알림 언어",
  notificationLanguageHint: "미세먼지 알림의 문구와 등급을 이 언어로 씁니다.",
  saved: "저장했습니다.",
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

/** The account's language setting for an app language. */
export function accountLanguage(lang: Lang): Language {
  return lang === "en" ? Language.EN : Language.KO;
}

/** The app language of an account's setting; Korean is the server's default. */
export function langOfAccount(language: Language): Lang {
  return language === Language.EN ? "en" : "ko";
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
