// Statements for the opinion map: one accepted statement at a time to vote on (agree,
// disagree, pass), a form to submit one, my statements under review, and for whoever runs
// the room the statements waiting for moderation and the switch of a group room.
import { $, el, rebuild, setText } from "../dom.js";
import { t } from "../strings.js";
import { room } from "../state.js";
import { act, newClientId } from "../actions.js";
import { chars, clip, limit } from "../limits.js";
import { refuse, accept } from "../status.js";

const VOTE_KEYS = { 1: "statement_agree", "-1": "statement_disagree", 0: "statement_pass" };

export function vote(statementId, value) {
  act({ type: "statement_vote", statement_id: statementId, vote: value, client_id: newClientId() });
}

function moderate(statement, decision) {
  let reason = "";
  if (decision === "reject") {
    const answer = window.prompt(t("reject_reason"), "");
    if (answer === null || !answer.trim()) return;
    reason = clip(answer.trim(), "max_reason_chars");
  }
  act({ type: "statement_moderate", statement_id: statement.id, decision, reason });
}

function renderCurrent() {
  const box = $("statement-current");
  const s = room.statements;
  rebuild(box, () => {
    const current = s.next;
    if (room.me.can_run) {
      // Whoever runs the room moderates; the panel votes.
      box.append(el("p", { className: "hint", text: t("statements_runner") }));
      return;
    }
    if (!current) {
      box.append(el("p", { className: "hint", text: s.accepted.size ? t("statements_done") : t("statements_none") }));
      return;
    }
    const mine = s.my_votes.get(current.id);
    const block = el("div", { className: "statement", "data-key": String(current.id) },
      el("p", { className: "statement-text" }, el("strong", { data: current.text })));
    const buttons = el("div", { className: "statement-votes", role: "group", "aria-label": t("statement_vote_label") });
    for (const value of [1, -1, 0]) {
      buttons.append(el("button", { type: "button", className: value === 0 ? "secondary" : "",
        "aria-pressed": mine === value ? "true" : "false", text: t(VOTE_KEYS[value]),
        on: { click: () => vote(current.id, value) } }));
    }
    block.append(buttons);
    box.append(block);
  });
  const total = s.accepted.size;
  const progress = room.me.can_run ? t("statements_count", { total }) : t("statements_progress", { done: s.my_votes.size, total });
  setText($("statement-progress"), total ? progress : "");
}

function renderMine() {
  const list = $("statement-mine");
  const box = $("statement-mine-box");
  if (box) box.hidden = room.statements.mine.size === 0;
  rebuild(list, () => {
    for (const statement of room.statements.mine.values()) {
      const status = statement.status === "rejected"
        ? t("statement_rejected", { reason: statement.rejection_reason }) : t("statement_pending");
      list.append(el("li", { "data-key": String(statement.id) }, el("span", { data: statement.text }),
        el("span", { className: "hint", text: ` · ${status}` })));
    }
  });
}

function renderPending() {
  const list = $("statement-pending");
  if (!list) return;
  rebuild(list, () => {
    for (const statement of room.statements.pending.values()) {
      // Each button is described by its statement, so "Reject" says which one.
      const textId = `pending-text-${statement.id}`;
      list.append(el("li", { "data-key": String(statement.id) }, el("span", { id: textId, data: statement.text }), " ",
        el("button", { type: "button", text: t("accept"), "aria-describedby": textId,
          on: { click: () => moderate(statement, "accept") } }), " ",
        el("button", { type: "button", className: "secondary", text: t("reject"), "aria-describedby": textId,
          on: { click: () => moderate(statement, "reject") } })));
    }
    if (!room.statements.pending.size) list.append(el("li", { className: "hint", text: t("statements_no_pending") }));
  });
  setText($("statement-pending-count"), String(room.statements.pending.size));
}

export function renderStatements() {
  const section = $("statements-section");
  if (!section) return;
  const on = room.statements.enabled;
  const body = $("statements-body");
  if (body) body.hidden = !on;
  section.hidden = !on && !(room.me.can_run && room.isConsole);
  const toggle = $("statements-toggle");
  if (toggle) {
    toggle.textContent = on ? t("statements_turn_off") : t("statements_turn_on");
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
  }
  if (!on) return;
  renderCurrent();
  renderMine();
  renderPending();
}

export function initStatements() {
  const form = $("statement-form");
  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = $("statement-input");
      const text = input.value.trim();
      if (!text) return;
      const max = limit("max_statement_chars");
      if (max !== null && chars(text) > max) return refuse(input, t("statement_too_long", { max, count: chars(text) }));
      accept(input);
      if (act({ type: "statement_submit", text, client_id: newClientId() })) input.value = "";
    });
  }
  const toggle = $("statements-toggle");
  if (toggle) toggle.addEventListener("click", () => act({ type: "statements_toggle", enabled: !room.statements.enabled }));
}
