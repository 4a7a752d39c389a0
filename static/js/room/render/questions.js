// Questions to the experts (plenary only): open ones by votes, answered ones apart.
import { $, dataSpan, el, rebuild } from "../dom.js";
import { nameOf, t } from "../strings.js";
import { room } from "../state.js";
import { act } from "../actions.js";
import { textProblem } from "../limits.js";
import { showError } from "../status.js";

function answer(question) {
  const text = (window.prompt(t("answer_prompt"), "") || "").trim();
  if (!text) return;
  const problem = textProblem(text);
  if (problem) showError(problem);
  else act({ type: "question_answer", question_id: question.id, text });
}

function upvote(question) {
  if (!act({ type: "question_upvote", question_id: question.id })) return;
  question.upvoted = true;
  renderQuestions();
}

function questionItem(question) {
  const item = el("li", { "data-question-id": String(question.id), "data-key": String(question.id) },
    el("span", { className: "question-text", data: question.text }),
    el("span", { className: "hint" }, " — ", dataSpan(nameOf(question.author)), ` · ${question.votes} ${t("votes")}`));
  if (question.status === "answered") {
    item.append(el("div", { className: "question-answer" },
      el("span", {}, `${t("answered_by")} `, dataSpan(nameOf(question.answered_by)), ": "),
      el("span", { data: question.answer })));
    return item;
  }
  if (question.status === "picked") item.prepend(el("span", { className: "badge", text: t("picked") }), " ");
  item.append(el("button", { type: "button", text: question.upvoted ? t("upvoted") : t("upvote"),
    disabled: !!question.upvoted, "aria-pressed": question.upvoted ? "true" : "false",
    on: { click: () => upvote(question) } }));
  if (room.me.can_run && question.status === "open") {
    item.append(el("button", { type: "button", className: "secondary", text: t("pick"),
      on: { click: () => act({ type: "question_pick", question_id: question.id }) } }));
  }
  if (room.me.can_answer) {
    item.append(el("button", { type: "button", className: "secondary", text: t("answer"),
      on: { click: () => answer(question) } }));
  }
  return item;
}

export function renderQuestions() {
  const open = $("questions");
  if (!open) return;
  const answered = $("answered");
  const questions = [...room.questions.values()].sort((a, b) => b.votes - a.votes || a.id - b.id);
  rebuild(open, () => {
    for (const question of questions) if (question.status !== "answered") open.append(questionItem(question));
  });
  rebuild(answered, () => {
    for (const question of questions) if (question.status === "answered") answered.append(questionItem(question));
  });
}
