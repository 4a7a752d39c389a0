// How the page's controls reach the server: act() sends one frame, or says why it could not.
import { frameProblem, limit } from "./limits.js";
import { t } from "./strings.js";
import { showError } from "./status.js";

let sendFrame = () => "offline";

export function bindSender(send) {
  sendFrame = send;
}

// Send frame; true when it went out (or waits only for the frame window).
export function act(frame) {
  const problem = frameProblem(frame);
  if (problem) {
    showError(problem);
    return false;
  }
  const result = sendFrame(frame);
  if (result === "offline") showError(t("offline"));
  else if (result === "too_large") showError(frameProblem(frame));
  return result === "sent" || result === "held";
}

const pageToken = Math.random().toString(36).slice(2, 10);
let counter = 0;

// A client_id unique to this page load, within the server's max_client_id_chars: when it
// must be cut, the time goes first and the page's token and counter stay.
export function newClientId() {
  counter += 1;
  const id = `${Date.now().toString(36)}-${pageToken}-${counter.toString(36)}`;
  const max = limit("max_client_id_chars");
  return max === null ? id : id.slice(-max);
}
