-- The verifiable record: a Merkle log of exchange events (RFC 9162 hashing), the node's signed
-- tree heads, the peer's countersignatures of them, and the peer's heads this node countersigned.

-- How many leaves the log has. Every append locks this one row, so leaf numbers are handed out
-- in commit order without gaps; a leaf row beyond `size` or missing below it is tampering.
CREATE TABLE ledger_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  size bigint NOT NULL DEFAULT 0
);
INSERT INTO ledger_state (singleton) VALUES (true);

CREATE TABLE ledger_leaves (
  idx bigint PRIMARY KEY CHECK (idx >= 0),
  at timestamptz NOT NULL,
  event_type text NOT NULL,
  -- The leaf's data exactly as hashed: RFC 8785 canonical JSON, kept as text so the bytes survive.
  event text NOT NULL,
  -- SHA-256(0x00 || event), hex.
  leaf_hash text NOT NULL
);

CREATE TABLE ledger_heads (
  tree_size bigint PRIMARY KEY CHECK (tree_size > 0),
  root_hash text NOT NULL,
  signed_at timestamptz NOT NULL,
  kid text NOT NULL,
  -- Compact JWS over the canonical head {v, log, treeSize, rootHash, timestamp}.
  jws text NOT NULL
);

-- The peer's signature over one of our heads: the same canonical payload, signed with its key.
CREATE TABLE ledger_countersignatures (
  tree_size bigint NOT NULL REFERENCES ledger_heads(tree_size),
  party text NOT NULL REFERENCES peers(party_code),
  kid text NOT NULL,
  jws text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tree_size, party)
);

-- The peer's heads, each as the peer signed it and as this node countersigned it.
CREATE TABLE ledger_peer_heads (
  party text NOT NULL REFERENCES peers(party_code),
  tree_size bigint NOT NULL CHECK (tree_size > 0),
  root_hash text NOT NULL,
  signed_at timestamptz NOT NULL,
  head_jws text NOT NULL,
  countersignature_jws text NOT NULL,
  -- The consistency proof the peer sent from an earlier head of its log, when it could: {fromSize, proof}.
  consistency jsonb,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (party, tree_size)
);
