// The protocol's limits as the server sent them in its welcome ("limits"); none is written here.
import { $ } from "./dom.js";
import { t } from "./strings.js";

let limits = null;
const encoder = new TextEncoder();

export function setLimits(fromServer) {
  if (!fromServer || typeof fromServer !== "object") {
    console.warn("room: the welcome carries no limits; only the server checks them");
  }
  limits = Object.freeze({ ...(fromServer || {}) });
}

// The server's value for name, or null before the first welcome (then the server alone checks).
export function limit(name) {
  const value = limits ? limits[name] : undefined;
  return typeof value === "number" ? value : null;
}

export const utf8Bytes = (text) => encoder.encode(text).length;

// Length in characters (code points), as the server counts them.
export const chars = (text) => Array.from(text).length;

// text cut to the server's limit name, in characters, as the server would cut it.
export function clip(text, name) {
  const max = limit(name);
  return max === null ? text : Array.from(text).slice(0, max).join("");
}

// Why text cannot be sent (too many UTF-8 bytes for limit name), or null.
export function textProblem(text, name = "max_message_bytes") {
  const max = limit(name);
  const size = utf8Bytes(text);
  return max !== null && size > max ? t("too_long", { size, max }) : null;
}

// Why frame cannot be sent (over max_frame_bytes once encoded), or null. A frame whose
// client_id is chosen when it goes out is measured with the longest client_id allowed.
export function frameProblem(frame, { withClientId = false } = {}) {
  const max = limit("max_frame_bytes");
  if (max === null) return null;
  const measured = withClientId ? { ...frame, client_id: "x".repeat(limit("max_client_id_chars") ?? 0) } : frame;
  const size = utf8Bytes(JSON.stringify(measured));
  return size > max ? t("too_long", { size, max }) : null;
}

// Set an input's bound (maxLength, max) from a limit, when both exist.
export function bound(id, property, value) {
  const input = $(id);
  if (input && value !== null && Number.isFinite(value)) input[property] = value;
}

// A sliding window of at most the server's `countName` sends per `secondsName` seconds.
export class RateWindow {
  constructor(countName, secondsName) {
    this.countName = countName;
    this.secondsName = secondsName;
    this.times = [];
  }

  // Milliseconds until one more send fits (0: now).
  delay(now = Date.now()) {
    const count = limit(this.countName);
    const seconds = limit(this.secondsName);
    if (count === null || seconds === null) return 0;
    const span = seconds * 1000;
    while (this.times.length && this.times[0] <= now - span) this.times.shift();
    if (this.times.length < count) return 0;
    return this.times[this.times.length - count] + span - now;
  }

  take(now = Date.now()) {
    this.times.push(now);
  }
}
