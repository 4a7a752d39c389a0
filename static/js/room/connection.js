// The room's websocket: reconnects with backoff, resumes from the last applied seq, pings,
// and paces frames to the server's frame limit (docs/websocket-protocol.md).
import { frameProblem, RateWindow } from "./limits.js";

// Close codes after which reconnecting cannot help, and the status shown for each.
const FINAL_CLOSE = {
  4401: "signed_out",
  4403: "refused",
  4404: "refused",
  4408: "removed",
  4429: "too_many_connections",
};
const PING_MS = 25000; // the protocol asks for a ping every 25 s to keep presence alive
const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 10000;

// onWelcome(frame, first), onEvent(event) for frames with a seq, onFrame(frame) for the
// rest, onStatus(key, up) for the connection line.
export function createConnection({ path, onWelcome, onEvent, onFrame, onStatus }) {
  let socket = null;
  let ready = false; // a welcome arrived on this socket: the server now reads our frames
  let lastSeq = null; // null until the first welcome: then the page starts from its snapshot
  let attempt = 0;
  let stopped = false;
  const frames = new RateWindow("frame_limit", "frame_window_seconds");
  let held = []; // encoded frames waiting for room in the frame window
  let flushTimer = null;

  function connect() {
    if (stopped) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const query = lastSeq === null ? "" : `?last_seq=${lastSeq}`;
    const ws = new WebSocket(`${scheme}://${location.host}${path}${query}`);
    socket = ws;
    ws.addEventListener("message", (event) => {
      if (socket !== ws) return;
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      receive(frame);
    });
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      socket = null;
      ready = false;
      held = [];
      clearTimeout(flushTimer);
      flushTimer = null;
      if (FINAL_CLOSE[event.code]) {
        stopped = true;
        onStatus(FINAL_CLOSE[event.code], false);
        return;
      }
      if (stopped) return;
      onStatus("reconnecting", false);
      const delay = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
      attempt += 1;
      setTimeout(connect, delay);
    });
  }

  function receive(frame) {
    if (frame.type === "welcome") {
      attempt = 0;
      ready = true;
      const first = lastSeq === null;
      if (first) lastSeq = frame.last_seq;
      onStatus("connected", true);
      onWelcome(frame, first);
      return;
    }
    if (typeof frame.seq === "number" && frame.type !== "ack") {
      if (lastSeq !== null && frame.seq <= lastSeq) return; // already applied
      lastSeq = frame.seq;
      onEvent(frame);
      return;
    }
    if (frame.type === "removed") {
      stopped = true;
      onStatus("removed", false);
    }
    onFrame(frame);
  }

  const isReady = () => ready && socket !== null && socket.readyState === WebSocket.OPEN;

  function transmit(text) {
    frames.take();
    socket.send(text);
  }

  function flush() {
    flushTimer = null;
    while (held.length && isReady()) {
      const wait = frames.delay();
      if (wait > 0) {
        flushTimer = setTimeout(flush, wait);
        return;
      }
      transmit(held.shift());
    }
  }

  // "sent"; "held" (it goes out as soon as the frame window has room); "offline" (not
  // sent: no welcome on an open socket); or "too_large" (not sent).
  function send(frame) {
    if (!isReady()) return "offline";
    if (frameProblem(frame)) return "too_large";
    const text = JSON.stringify(frame);
    if (held.length || frames.delay() > 0) {
      held.push(text);
      if (flushTimer === null) flushTimer = setTimeout(flush, frames.delay());
      return "held";
    }
    transmit(text);
    return "sent";
  }

  setInterval(() => {
    // A ping that finds the frame window full is skipped: the next one comes in 25 s.
    if (isReady() && !held.length && frames.delay() === 0) transmit(JSON.stringify({ type: "ping" }));
  }, PING_MS);

  // Read the room's state afresh: close, and reconnect at once with last_seq (the welcome
  // carries the state; the events since are replayed).
  function refresh() {
    if (socket) socket.close(1000);
  }

  return { connect, send, isReady, refresh };
}
