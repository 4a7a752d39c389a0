// The room as this page knows it: who I am and the room's current state, from the welcome
// and the events after it. Chat messages are not kept here: the log on the page holds them.
export const room = {
  isConsole: false,
  me: { id: null, can_run: false, can_answer: false },
  phase: { phase: "" },
  timer: { ends_at: null, label: "" },
  queue: { hands: [], speaker: null, speaker_until: null },
  presence: new Map(),
  questions: new Map(),
  polls: new Map(),
  recommendations: new Map(),
  plenary: false,
  statements: emptyStatements(),
};

function emptyStatements() {
  return { enabled: false, accepted: new Map(), pending: new Map(), mine: new Map(), my_votes: new Map(),
    next: null, opinion_map: null };
}

const byId = (items) => new Map(items.map((item) => [item.id, item]));

export function applyWelcome(frame) {
  room.me = frame.you;
  room.phase = frame.phase;
  room.timer = frame.timer;
  room.queue = frame.queue;
  room.presence = byId(frame.presence);
  room.questions = byId(frame.questions);
  room.polls = byId(frame.polls);
  room.recommendations = byId(frame.recommendations);
  room.plenary = frame.room.kind === "plenary";
  const s = frame.statements || {};
  room.statements = {
    enabled: !!s.enabled,
    accepted: byId(s.accepted || []),
    pending: byId(s.pending || []),
    mine: byId(s.mine || []),
    my_votes: new Map(Object.entries(s.my_votes || {}).map(([id, value]) => [Number(id), value])),
    next: s.next || null,
    opinion_map: s.opinion_map || null,
  };
}

// Apply an event carrying a full state; return the part that changed (null: none).
export function applyEvent(event) {
  switch (event.type) {
    case "phase":
      room.phase = { phase: event.phase };
      return "phase";
    case "timer":
      room.timer = { ends_at: event.ends_at, label: event.label };
      return "timer";
    case "queue":
      room.queue = { hands: event.hands, speaker: event.speaker, speaker_until: event.speaker_until };
      return "queue";
    case "question": {
      const previous = room.questions.get(event.question.id);
      room.questions.set(event.question.id, { ...event.question, upvoted: previous ? previous.upvoted : false });
      return "questions";
    }
    case "poll": {
      const previous = room.polls.get(event.poll.id);
      room.polls.set(event.poll.id, { ...event.poll, my_vote: previous ? previous.my_vote : null });
      return "polls";
    }
    case "recommendation": {
      const previous = room.recommendations.get(event.recommendation.id);
      room.recommendations.set(event.recommendation.id,
        { ...event.recommendation, supported: previous ? previous.supported : false });
      return "recommendations";
    }
    case "statement": {
      const s = room.statements;
      s.accepted.set(event.statement.id, { votes: 0, ...s.accepted.get(event.statement.id), ...event.statement });
      s.pending.delete(event.statement.id);
      s.mine.delete(event.statement.id);
      // A newly accepted statement has no votes: the fewest, so it may be shown next.
      if (!s.next && !s.my_votes.has(event.statement.id)) s.next = event.statement;
      return "statements";
    }
    case "statements":
      room.statements.enabled = event.enabled;
      return "statements";
    default:
      return null;
  }
}

// A statement_review frame: a statement waiting, or just moderated (runners, its author).
export function applyStatementReview(frame) {
  const statement = frame.statement;
  const s = room.statements;
  if (statement.status === "pending" && room.me.can_run) s.pending.set(statement.id, statement);
  else s.pending.delete(statement.id);
  const mine = statement.author && statement.author.id === room.me.id;
  if (mine && statement.status !== "accepted") s.mine.set(statement.id, statement);
  else s.mine.delete(statement.id);
}

// The ack of a statement_vote: my vote, and the statement to show now.
export function applyStatementVote(frame) {
  room.statements.my_votes.set(frame.statement_id, frame.vote);
  room.statements.next = frame.next;
}

export function applyOpinionMap(frame) {
  room.statements.opinion_map = frame;
  for (const [id, [agree, disagree, pass]] of Object.entries(frame.tallies || {})) {
    const statement = room.statements.accepted.get(Number(id));
    if (statement) statement.votes = agree + disagree + pass;
  }
}

export function applyPresence(frame) {
  if (frame.present) room.presence.set(frame.user.id, frame.user);
  else room.presence.delete(frame.user.id);
}

// An ack of a poll_vote: remember the vote (results stay sealed); true when it changed a poll.
export function applyVote(frame) {
  const poll = room.polls.get(frame.poll_id);
  if (!poll) return false;
  poll.my_vote = frame.option;
  return true;
}
