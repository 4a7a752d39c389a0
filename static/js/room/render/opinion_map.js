// The live opinion map: participants as points, shaped and coloured by opinion group, in
// an SVG with a title and a description, and the same in tables (groups, their sizes and
// representative statements, the consensus statements). Updates are announced politely.
import { $, el, setText } from "../dom.js";
import { t } from "../strings.js";
import { room } from "../state.js";
import { formatTime } from "../clock.js";

const SVG = "http://www.w3.org/2000/svg";
// Colour-blind-safe colours (Okabe-Ito) and a distinct shape per group: never colour alone.
const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00"];
const SHAPES = ["circle", "square", "triangle", "diamond", "cross"];
const GREY = "#767676";
const SIZE = 300;

const letter = (id) => String.fromCharCode(65 + id);
export const groupName = (id) => t("map_group", { letter: letter(id) });

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

function mark(shape, x, y, r, colour) {
  switch (shape) {
    case "square":
      return svg("rect", { x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: colour });
    case "triangle":
      return svg("polygon", { points: `${x},${y - r * 1.2} ${x - r * 1.1},${y + r * 0.8} ${x + r * 1.1},${y + r * 0.8}`, fill: colour });
    case "diamond":
      return svg("polygon", { points: `${x},${y - r * 1.3} ${x + r * 1.3},${y} ${x},${y + r * 1.3} ${x - r * 1.3},${y}`, fill: colour });
    case "cross":
      return svg("path", { d: `M${x - r},${y - r}L${x + r},${y + r}M${x + r},${y - r}L${x - r},${y + r}`, stroke: colour, "stroke-width": 2.5 });
    default:
      return svg("circle", { cx: x, cy: y, r, fill: colour });
  }
}

function statementText(id) {
  const statement = room.statements.accepted.get(id);
  return statement ? statement.text : `#${id}`;
}

function drawMap(map) {
  const figure = $("opinion-map-figure");
  const points = map.points;
  const extent = Math.max(1e-9, ...points.flatMap(([x, y]) => [Math.abs(x), Math.abs(y)]));
  const scale = (SIZE / 2 - 12) / extent;
  const node = svg("svg", { viewBox: `0 0 ${SIZE} ${SIZE}`, role: "img", "aria-labelledby": "opinion-map-title opinion-map-desc",
    class: "opinion-map-svg", focusable: "false" });
  const title = svg("title", { id: "opinion-map-title" });
  title.textContent = t("map_title");
  const desc = svg("desc", { id: "opinion-map-desc" });
  desc.textContent = describe(map);
  node.append(title, desc);
  node.append(svg("line", { x1: 0, y1: SIZE / 2, x2: SIZE, y2: SIZE / 2, stroke: "#ccc" }),
    svg("line", { x1: SIZE / 2, y1: 0, x2: SIZE / 2, y2: SIZE, stroke: "#ccc" }));
  for (const [x, y, group] of points) {
    const known = group !== null && group !== undefined;
    node.append(mark(known ? SHAPES[group % SHAPES.length] : "circle", SIZE / 2 + x * scale, SIZE / 2 - y * scale,
      known ? 4.5 : 3, known ? COLOURS[group % COLOURS.length] : GREY));
  }
  figure.replaceChildren(node);
  const legend = $("opinion-map-legend");
  legend.replaceChildren(...map.groups.map((group) => {
    const key = svg("svg", { viewBox: "0 0 14 14", width: 14, height: 14, "aria-hidden": "true", focusable: "false" });
    key.append(mark(SHAPES[group.id % SHAPES.length], 7, 7, 4.5, COLOURS[group.id % COLOURS.length]));
    return el("li", {}, key, ` ${groupName(group.id)}: ${t("map_members", { count: group.size })}`);
  }));
}

function describe(map) {
  return t("map_desc", { participants: map.participants, groups: map.groups.length, votes: map.votes });
}

function share(figure) {
  const key = figure.repful_for === "disagree" ? "share_disagree" : "share_agree";
  return t(key, { percent: `${figure.percent}%` });
}

function groupsTable(map) {
  const body = el("tbody");
  for (const group of map.groups) {
    const list = el("ul", { className: "plain-list" });
    for (const figure of group.representative) {
      list.append(el("li", {}, el("span", { data: statementText(figure.statement) }),
        el("span", { className: "hint", text: ` (${share(figure)})` })));
    }
    body.append(el("tr", {}, el("th", { scope: "row" }, groupName(group.id),
      el("br"), el("span", { className: "hint", text: t("map_members", { count: group.size }) })),
    el("td", {}, list)));
  }
  return el("table", { className: "data-table opinion-groups" }, el("caption", { text: t("map_groups_caption") }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("map_group_col") }),
      el("th", { scope: "col", text: t("map_representative_col") }))),
    body);
}

function consensusTable(map) {
  const rows = [
    ...map.consensus.agree.map((figure) => ({ ...figure, repful_for: "agree" })),
    ...map.consensus.disagree.map((figure) => ({ ...figure, repful_for: "disagree" })),
  ];
  if (!rows.length) return el("p", { className: "hint", text: t("map_no_consensus") });
  const body = el("tbody");
  for (const figure of rows) {
    body.append(el("tr", {}, el("th", { scope: "row" }, el("span", { data: statementText(figure.statement) })),
      el("td", { text: share(figure) })));
  }
  return el("table", { className: "data-table" }, el("caption", { text: t("map_consensus_caption") }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("map_statement_col") }),
      el("th", { scope: "col", text: t("map_share_col") }))), body);
}

export function renderOpinionMap() {
  const section = $("opinion-map-section");
  if (!section) return;
  const map = room.statements.opinion_map;
  const shown = room.statements.enabled && (room.plenary || (room.me.can_run && room.isConsole));
  section.hidden = !shown;
  if (!shown) return;
  const tables = $("opinion-map-tables");
  if (!map) {
    $("opinion-map-figure").replaceChildren();
    $("opinion-map-legend").replaceChildren();
    tables.replaceChildren();
    setText($("opinion-map-status"), t("map_none"));
    return;
  }
  drawMap(map);
  tables.replaceChildren(groupsTable(map), consensusTable(map));
  setText($("opinion-map-status"), `${describe(map)} ${t("map_updated", { time: formatTime(map.computed_at) })}`);
}
