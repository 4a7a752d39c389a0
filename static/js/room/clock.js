// The server's clock for countdowns: the welcome's server_time corrects the local clock.
let offset = 0; // server time minus local time, in ms

export function setServerTime(iso) {
  offset = Date.parse(iso) - Date.now();
}

export const serverNow = () => Date.now() + offset;

// Times in the page's language (its <html lang>), not the browser's.
const pageLanguage = () => document.documentElement.lang || undefined;

export const formatTime = (iso) =>
  new Date(iso).toLocaleTimeString(pageLanguage(), { hour: "2-digit", minute: "2-digit" });

// "m:ss" left until iso, or null once it has passed.
export function remaining(iso) {
  const ms = Date.parse(iso) - serverNow();
  if (ms <= 0) return null;
  const total = Math.ceil(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}
