-- Countersign node schema, version 1. Never edit a released migration: add a new file.

CREATE TABLE node_identity (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  party_code text NOT NULL,
  name_en text NOT NULL,
  name_zh text NOT NULL,
  name_es text NOT NULL,
  seeded_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  public_jwk jsonb NOT NULL,
  private_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);

CREATE TABLE users (
  id uuid PRIMARY KEY,
  username text NOT NULL UNIQUE,
  display_name text NOT NULL,
  password_hash text NOT NULL,
  roles text[] NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  target_type text NOT NULL,
  target_id text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);

CREATE TABLE peers (
  party_code text PRIMARY KEY,
  name_en text NOT NULL,
  name_zh text NOT NULL,
  name_es text NOT NULL,
  url text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE peer_keys (
  party_code text NOT NULL REFERENCES peers(party_code),
  kid text NOT NULL,
  public_jwk jsonb NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz,
  PRIMARY KEY (party_code, kid)
);

-- One row per peer: both directions of the channel with that party.
CREATE TABLE channels (
  peer text PRIMARY KEY REFERENCES peers(party_code),
  last_out_seq bigint NOT NULL DEFAULT 0,
  last_in_seq bigint NOT NULL DEFAULT 0,
  suspended_by_us boolean NOT NULL DEFAULT false,
  suspended_by_peer boolean NOT NULL DEFAULT false,
  suspended_at timestamptz,
  suspend_reason text,
  -- The suspension notice's own sequence number: it and everything before it still go out.
  suspend_seq bigint,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  peer text NOT NULL REFERENCES peers(party_code),
  seq bigint NOT NULL,
  envelope_id uuid NOT NULL UNIQUE,
  type text NOT NULL,
  -- What the message is about (a package id), so delivery can update it without re-reading the JWS.
  ref text,
  jws text NOT NULL,
  content_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'rejected')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  delivered_at timestamptz,
  receipt_jws text,
  UNIQUE (peer, seq)
);
CREATE INDEX outbox_pending ON outbox (peer, seq) WHERE status = 'pending';

CREATE TABLE inbox (
  sender text NOT NULL REFERENCES peers(party_code),
  seq bigint NOT NULL,
  envelope_id uuid NOT NULL UNIQUE,
  type text NOT NULL,
  jws text NOT NULL,
  content_hash text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL CHECK (status IN ('accepted', 'rejected')),
  reason text,
  receipt_jws text NOT NULL,
  PRIMARY KEY (sender, seq)
);

CREATE TABLE packages (
  id uuid PRIMARY KEY,
  direction text NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
  origin_party text NOT NULL,
  counterparty text NOT NULL,
  kind text NOT NULL,
  title text NOT NULL,
  status text NOT NULL,
  content jsonb NOT NULL,
  tlp text NOT NULL,
  releasable_to text[] NOT NULL,
  source_grade text NOT NULL,
  info_grade text NOT NULL,
  due_date date,
  in_reply_to uuid,
  internal_notes text,
  content_hash text,
  created_by uuid REFERENCES users(id),
  approved_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  approved_at timestamptz,
  sent_at timestamptz,
  delivered_at timestamptz,
  acknowledged_at timestamptz,
  answered_at timestamptz,
  closed_at timestamptz,
  retracted_at timestamptz,
  retraction_reason text
);
CREATE INDEX packages_direction_status ON packages (direction, status, created_at DESC);
CREATE INDEX packages_in_reply_to ON packages (in_reply_to);
