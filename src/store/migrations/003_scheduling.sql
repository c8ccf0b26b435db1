-- Scheduling proposals between parties (issue 3): one party proposes that the other control a substance;
-- the other accepts with an effective date or declines with a reason. Both nodes keep their own row under
-- the same id: 'outgoing' on the proposer's node, 'incoming' on the recipient's.
CREATE TABLE substance_proposals (
  id uuid PRIMARY KEY,
  direction text NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
  proposer text NOT NULL,
  recipient text NOT NULL,
  substance jsonb NOT NULL,
  proposed_schedule text NOT NULL,
  rationale text NOT NULL,
  answer_by date NOT NULL,
  status text NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined')),
  effective_date date,
  decline_reason text,
  proposed_by text NOT NULL,
  answered_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  answered_at timestamptz
);
CREATE INDEX substance_proposals_status ON substance_proposals (status, answer_by);
