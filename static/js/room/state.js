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
};

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
    default:
      return null;
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
