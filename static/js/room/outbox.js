// Chat messages not yet acknowledged, keyed by client_id: sent again after every reconnect
// (the server stores a client_id once), paced to the server's chat limit.
import { frameProblem, RateWindow } from "./limits.js";
import { newClientId } from "./actions.js";

// send(frame) and isReady() are the connection's; check(frame) says why a message may not
// go out (or null); onDropped(reason, frame) hears of a message dropped for that reason.
export function createOutbox({ send, isReady, check, onDropped }) {
  // In sending order. A frame gets its client_id when it first goes out, so the id is
  // made within the server's limit (known from the welcome), and keeps it for every resend.
  let entries = []; // { frame, sent }
  const chat = new RateWindow("chat_limit", "chat_window_seconds");
  let timer = null;

  function drop(entry, reason) {
    entries = entries.filter((other) => other !== entry);
    onDropped(reason, entry.frame);
  }

  function flush() {
    clearTimeout(timer);
    timer = null;
    for (const entry of [...entries]) {
      if (entry.sent) continue;
      if (!isReady()) return;
      const problem = check(entry.frame);
      if (problem) {
        drop(entry, problem);
        continue;
      }
      const wait = chat.delay();
      if (wait > 0) {
        timer = setTimeout(flush, wait);
        return;
      }
      entry.frame.client_id ??= newClientId();
      const result = send(entry.frame);
      if (result === "offline") return;
      if (result === "too_large") {
        drop(entry, frameProblem(entry.frame));
        continue;
      }
      entry.sent = true;
      chat.take();
    }
  }

  return {
    // Queue a message frame and send it as soon as it may go out.
    add(frame) {
      entries.push({ frame, sent: false });
      flush();
    },
    // The server answered it (ack, error, or the broadcast message): stop resending.
    // Returns the frame it settled, or null.
    settle(clientId) {
      const entry = clientId ? entries.find((other) => other.frame.client_id === clientId) : null;
      if (!entry) return null;
      entries = entries.filter((other) => other !== entry);
      return entry.frame;
    },
    // After a welcome: send again everything not acknowledged.
    resend() {
      for (const entry of entries) entry.sent = false;
      flush();
    },
    // How many messages wait for their turn (not yet sent on this connection).
    waiting: () => entries.filter((entry) => !entry.sent).length,
    chatDelay: () => chat.delay(),
  };
}
