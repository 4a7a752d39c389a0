// Quick polls: a vote form while open and not voted, my vote once cast, results once closed.
import { $, dataSpan, el, rebuild } from "../dom.js";
import { t } from "../strings.js";
import { room } from "../state.js";
import { act, newClientId } from "../actions.js";
import { closePoll } from "../console.js";

const choices = new Map(); // poll id -> option checked but not yet voted, kept across re-renders

function results(poll) {
  const total = poll.results.reduce((a, b) => a + b, 0);
  const list = el("ul", { className: "plain-list", "aria-label": t("results") });
  poll.options.forEach((option, index) => {
    const count = poll.results[index];
    const share = total ? Math.round((100 * count) / total) : 0;
    list.append(el("li", {}, dataSpan(option), `: ${count} (${share}%)`));
  });
  return list;
}

function voteForm(poll) {
  const form = el("form", {});
  const fieldset = el("fieldset", {}, el("legend", { className: "visually-hidden", data: poll.question }));
  poll.options.forEach((option, index) => {
    const id = `poll-${poll.id}-${index}`;
    fieldset.append(el("div", {},
      el("input", { type: "radio", name: `poll-${poll.id}`, id, value: String(index), checked: choices.get(poll.id) === index,
        on: { change: () => choices.set(poll.id, index) } }),
      el("label", { htmlFor: id }, " ", dataSpan(option))));
  });
  form.append(fieldset, el("button", { type: "submit", text: t("vote") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = form.querySelector("input:checked");
    if (chosen) act({ type: "poll_vote", poll_id: poll.id, option: parseInt(chosen.value, 10), client_id: newClientId() });
  });
  return form;
}

function pollBlock(poll) {
  const block = el("div", { className: "poll", "data-key": String(poll.id) }, el("p", {}, el("strong", { data: poll.question })));
  if (poll.status === "closed" && poll.results) {
    block.append(results(poll));
  } else if (poll.my_vote !== null && poll.my_vote !== undefined) {
    choices.delete(poll.id);
    block.append(el("p", {}, `${t("you_voted")} `, dataSpan(poll.options[poll.my_vote])));
  } else {
    block.append(voteForm(poll));
  }
  if (poll.status === "open" && room.me.can_run && room.isConsole) {
    block.append(el("button", { type: "button", className: "secondary", text: t("close_poll"),
      on: { click: () => closePoll(poll.id) } }));
  }
  return block;
}

export function renderPolls() {
  const box = $("polls");
  rebuild(box, () => {
    for (const poll of room.polls.values()) box.append(pollBlock(poll));
  });
}
