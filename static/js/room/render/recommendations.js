// The group's recommendations, each with its supporters and my support button.
import { $, el, rebuild } from "../dom.js";
import { t } from "../strings.js";
import { room } from "../state.js";
import { act } from "../actions.js";

function support(recommendation) {
  const wanted = !recommendation.supported;
  if (act({ type: "recommendation_support", recommendation_id: recommendation.id, support: wanted })) {
    recommendation.supported = wanted;
  }
}

function recommendationItem(recommendation) {
  return el("li", { "data-key": String(recommendation.id) },
    el("span", { data: recommendation.text }),
    el("span", { className: "hint", text: ` · ${t("supporters", { count: recommendation.supporters })} ` }),
    el("button", { type: "button", className: recommendation.supported ? "secondary" : "",
      "aria-pressed": recommendation.supported ? "true" : "false",
      text: recommendation.supported ? t("withdraw") : t("support"), on: { click: () => support(recommendation) } }));
}

export function renderRecommendations() {
  const list = $("recommendations");
  rebuild(list, () => {
    for (const recommendation of room.recommendations.values()) list.append(recommendationItem(recommendation));
  });
}
