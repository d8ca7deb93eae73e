-- 0001: the platform's first schema (issue 8). Never edit a released migration:
-- add the next number instead. Applied in one transaction under an advisory
-- lock by platform/store/migrate.ts.
--
-- Conventions: ids are text checked by pattern; serials are ctiHex (lowercase
-- hex of the coupon's cti, 8..32 bytes); kids are 16 lowercase hex digits;
-- times are timestamptz. Whatever must hold across several service processes
-- is a constraint here, not a check in JavaScript.

-- The platform's identity: one row, made on the first start of a database.
CREATE TABLE platform (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  platform_id text NOT NULL CHECK (platform_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- SHA-256 of each admin token (one per data directory that served this database).
CREATE TABLE admin_tokens (
  token_sha256 bytea PRIMARY KEY CHECK (length(token_sha256) = 32),
  label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Platform signing keys. The newest key whose window holds now signs coupons;
-- every key whose window holds now signs trust bundles and responses.
-- private_pkcs8 is PEM: see docs/platform.md for what production does instead.
CREATE TABLE signing_keys (
  kid text PRIMARY KEY CHECK (kid ~ '^[0-9a-f]{16}$'),
  alg text NOT NULL CHECK (alg IN ('EdDSA', 'PS256')),
  public_spki bytea NOT NULL,
  private_pkcs8 text NOT NULL,
  not_before timestamptz NOT NULL,
  not_after timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (not_after IS NULL OR not_after > not_before)
);

-- Signed trust bundles: seq is the kiosk's rollback guard, so it only grows
-- (assigned under an advisory lock, see store/keys.ts).
CREATE TABLE trust_bundles (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  document bytea NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE merchants (
  merchant_id text PRIMARY KEY CHECK (merchant_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  claim_mode text NOT NULL DEFAULT 'offline'
    CHECK (claim_mode IN ('offline', 'online-preferred', 'online-required')),
  claim_timeout_ms integer NOT NULL DEFAULT 1500 CHECK (claim_timeout_ms BETWEEN 100 AND 60000),
  offline_max_count integer NOT NULL DEFAULT 200 CHECK (offline_max_count BETWEEN 0 AND 1000000),
  offline_max_age_s integer NOT NULL DEFAULT 86400 CHECK (offline_max_age_s BETWEEN 0 AND 31536000),
  offline_max_quantity integer NOT NULL DEFAULT 10 CHECK (offline_max_quantity BETWEEN 0 AND 10000),
  revocation_max_age_s integer NOT NULL DEFAULT 86400 CHECK (revocation_max_age_s BETWEEN 60 AND 31536000),
  reversal_window_s integer NOT NULL DEFAULT 600 CHECK (reversal_window_s BETWEEN 0 AND 86400),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Merchant key pairs, made by the platform. The newest unretired key is the
-- one new coupons are encrypted to; a retired key stays until the coupons
-- encrypted to it have expired.
CREATE TABLE merchant_keys (
  kid text PRIMARY KEY CHECK (kid ~ '^[0-9a-f]{16}$'),
  merchant_id text NOT NULL REFERENCES merchants,
  kind text NOT NULL CHECK (kind IN ('x25519', 'rsa')),
  public_spki bytea NOT NULL,
  private_pkcs8 text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);
CREATE INDEX merchant_keys_by_merchant ON merchant_keys (merchant_id, created_at);
-- two rotations racing: the second fails here instead of leaving two current keys
CREATE UNIQUE INDEX merchant_keys_one_current ON merchant_keys (merchant_id) WHERE retired_at IS NULL;

CREATE TABLE branches (
  merchant_id text NOT NULL REFERENCES merchants,
  branch_id text NOT NULL CHECK (branch_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, branch_id)
);

-- Terminals: id assigned by the platform; public keys only.
CREATE TABLE terminals (
  terminal_id text PRIMARY KEY CHECK (terminal_id ~ '^t-[0-9a-f]{16}$'),
  merchant_id text NOT NULL,
  branch_id text NOT NULL,
  sign_kid text NOT NULL CHECK (sign_kid ~ '^[0-9a-f]{16}$'),
  sign_public bytea NOT NULL CHECK (length(sign_public) = 32),
  wrap_kid text NOT NULL CHECK (wrap_kid ~ '^[0-9a-f]{16}$'),
  wrap_public bytea NOT NULL CHECK (length(wrap_public) = 32),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  software text NOT NULL DEFAULT '' CHECK (length(software) <= 100),
  enrolled_via text NOT NULL CHECK (enrolled_via IN ('token', 'bundle')),
  enabled boolean NOT NULL DEFAULT true,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (merchant_id, branch_id) REFERENCES branches,
  CONSTRAINT terminals_sign_kid_key UNIQUE (sign_kid),
  CHECK (enabled = (disabled_at IS NULL))
);

-- One-time enrollment tokens: only the SHA-256 is stored. Consumed by one
-- UPDATE … WHERE used_at IS NULL AND expires_at > now(); the terminal it
-- registered is set in the same transaction.
CREATE TABLE enrollment_tokens (
  token_sha256 bytea PRIMARY KEY CHECK (length(token_sha256) = 32),
  merchant_id text NOT NULL,
  branch_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  terminal_id text REFERENCES terminals,
  FOREIGN KEY (merchant_id, branch_id) REFERENCES branches,
  CHECK (expires_at > created_at)
);

-- Request nonces of terminal requests: a replay fails the primary key.
-- Rows past expires_at can no longer be replayed (the request's created time
-- is then out of the window) and are pruned.
CREATE TABLE request_nonces (
  terminal_id text NOT NULL REFERENCES terminals ON DELETE CASCADE,
  nonce text NOT NULL CHECK (length(nonce) BETWEEN 16 AND 128),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (terminal_id, nonce)
);
CREATE INDEX request_nonces_by_expiry ON request_nonces (expires_at);

-- Coupons issued through the service. merchant_kid and signer_kid name keys
-- without a foreign key: every insert would share-lock the same hot key row,
-- and on PostgreSQL concurrent share locks on one row become MultiXacts, a
-- measured bottleneck of concurrent issuing (docs/platform.md).
CREATE TABLE coupons (
  cti_hex text PRIMARY KEY CHECK (cti_hex ~ '^([0-9a-f]{2}){8,32}$'),
  merchant_id text NOT NULL REFERENCES merchants,
  product text NOT NULL,
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
  consumer text NOT NULL,
  title text,
  iat timestamptz NOT NULL,
  nbf timestamptz,
  exp timestamptz NOT NULL,
  merchant_kid text NOT NULL CHECK (merchant_kid ~ '^[0-9a-f]{16}$'),
  signer_kid text NOT NULL CHECK (signer_kid ~ '^[0-9a-f]{16}$'),
  issued_at timestamptz NOT NULL DEFAULT now(),
  CHECK (exp > iat)
);
CREATE INDEX coupons_by_merchant_key ON coupons (merchant_kid, exp);

-- Redemptions. The first live redemption of a coupon wins by the partial
-- unique index; a reversed one (reversed_at set) frees the coupon. The same
-- scan (terminal, coupon, scan time) is one row whether it came by claim,
-- upload or USB batch.
CREATE TABLE redemptions (
  redemption_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cti_hex text NOT NULL REFERENCES coupons,
  terminal_id text NOT NULL REFERENCES terminals,
  merchant_id text NOT NULL,
  branch_id text NOT NULL,
  scanned_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  offline boolean NOT NULL,
  source text NOT NULL CHECK (source IN ('claim', 'upload', 'batch')),
  reversed_at timestamptz,
  reversal_received_at timestamptz,
  CONSTRAINT redemptions_same_scan UNIQUE (terminal_id, cti_hex, scanned_at),
  CHECK ((reversed_at IS NULL) = (reversal_received_at IS NULL))
);
CREATE UNIQUE INDEX redemptions_first_wins ON redemptions (cti_hex) WHERE reversed_at IS NULL;
CREATE INDEX redemptions_by_received ON redemptions (received_at);

-- A redemption that lost to another terminal's (the same coupon redeemed
-- offline twice). Kept per losing scan, idempotently.
CREATE TABLE conflicts (
  conflict_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cti_hex text NOT NULL REFERENCES coupons,
  winner_redemption_id bigint NOT NULL REFERENCES redemptions,
  terminal_id text NOT NULL REFERENCES terminals,
  branch_id text NOT NULL,
  scanned_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  offline boolean NOT NULL,
  source text NOT NULL CHECK (source IN ('claim', 'upload', 'batch')),
  CONSTRAINT conflicts_same_scan UNIQUE (terminal_id, cti_hex, scanned_at)
);

-- Revocations, pulled by terminals with `seq` as the cursor. seq is assigned
-- as max+1 under an advisory lock, so it grows in commit order and a reader
-- at cursor N never misses a later-committed lower number.
CREATE TABLE revocations (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  cti_hex text NOT NULL REFERENCES coupons,
  merchant_id text NOT NULL,
  reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
  revoked_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT revocations_once UNIQUE (cti_hex)
);
CREATE INDEX revocations_by_merchant ON revocations (merchant_id, seq);

-- USB export batches per terminal: a chain by seq and the previous
-- manifest's hash (issue 10 fills it).
CREATE TABLE usb_batches (
  terminal_id text NOT NULL REFERENCES terminals,
  seq bigint NOT NULL CHECK (seq > 0),
  manifest_sha256 bytea NOT NULL CHECK (length(manifest_sha256) = 32),
  prev_manifest_sha256 bytea CHECK (prev_manifest_sha256 IS NULL OR length(prev_manifest_sha256) = 32),
  record_count integer NOT NULL CHECK (record_count >= 0),
  imported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (terminal_id, seq),
  CONSTRAINT usb_batches_manifest_once UNIQUE (manifest_sha256),
  CHECK ((seq = 1) = (prev_manifest_sha256 IS NULL))
);
