-- 0001: enrolments, registration changes, confirmation records, eligibility, nonces.
-- Times are INTEGER microseconds since the Unix epoch (UTC); civil dates are
-- TEXT 'YYYY-MM-DD' ('' for none); booleans are INTEGER 0/1.

CREATE TABLE enrolments (
	id                    INTEGER PRIMARY KEY,
	cert_kind             TEXT    NOT NULL CHECK (cert_kind IN ('sign', 'auth')),
	issuer                TEXT    NOT NULL,
	serial                TEXT    NOT NULL,
	name                  TEXT    NOT NULL,
	name_substitute       TEXT    NOT NULL,
	address               TEXT    NOT NULL,
	address_substitute    TEXT    NOT NULL,
	birth_date            TEXT    NOT NULL,
	birth_era             INTEGER NOT NULL CHECK (birth_era BETWEEN 0 AND 9),
	sex                   TEXT    NOT NULL,
	cert_der              BLOB    NOT NULL,
	enrolled_at           INTEGER NOT NULL,
	operator              TEXT    NOT NULL,
	revocation_status     TEXT    NOT NULL DEFAULT '',
	revocation_reason     TEXT    NOT NULL DEFAULT '',
	revocation_source     TEXT    NOT NULL DEFAULT '',
	revocation_checked_at INTEGER,
	replaced_by           INTEGER REFERENCES enrolments (id),
	UNIQUE (issuer, serial)
);

CREATE TABLE enrolment_replacements (
	old_id      INTEGER PRIMARY KEY REFERENCES enrolments (id),
	new_id      INTEGER NOT NULL UNIQUE REFERENCES enrolments (id),
	replaced_at INTEGER NOT NULL,
	operator    TEXT    NOT NULL
);

CREATE TABLE enrolment_changes (
	old_id    INTEGER NOT NULL REFERENCES enrolment_replacements (old_id),
	position  INTEGER NOT NULL,
	field     TEXT    NOT NULL,
	old_value TEXT    NOT NULL,
	new_value TEXT    NOT NULL,
	PRIMARY KEY (old_id, position)
);

-- record_head holds the last sequence number and record hash; updating it
-- serialises appends and keeps the sequence gap-free.
CREATE TABLE record_head (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	last_seq  INTEGER NOT NULL,
	last_hash BLOB
);
INSERT INTO record_head (id, last_seq, last_hash) VALUES (1, 0, NULL);

CREATE TABLE records (
	seq                INTEGER PRIMARY KEY,
	kind               TEXT    NOT NULL CHECK (kind IN ('identify', 'qualify', 'change')),
	at                 INTEGER NOT NULL,
	operator           TEXT    NOT NULL,
	signature_ok       INTEGER NOT NULL CHECK (signature_ok IN (0, 1)),
	chain_ok           INTEGER NOT NULL CHECK (chain_ok IN (0, 1)),
	chain_root         TEXT    NOT NULL,
	revocation_status  TEXT    NOT NULL,
	revocation_reason  TEXT    NOT NULL,
	revocation_source  TEXT    NOT NULL,
	cert_kind          TEXT    NOT NULL,
	issuer             TEXT    NOT NULL,
	serial             TEXT    NOT NULL,
	name               TEXT    NOT NULL,
	name_substitute    TEXT    NOT NULL,
	address            TEXT    NOT NULL,
	address_substitute TEXT    NOT NULL,
	birth_date         TEXT    NOT NULL,
	birth_era          INTEGER NOT NULL,
	sex                TEXT    NOT NULL,
	challenge_id       TEXT    NOT NULL,
	enrolment_id       INTEGER REFERENCES enrolments (id),
	details            TEXT    NOT NULL,
	prev_hash          BLOB,
	record_hash        BLOB,
	signature          BLOB,
	signer_cert        BLOB
);
CREATE INDEX records_cert ON records (issuer, serial);

CREATE TRIGGER records_no_update BEFORE UPDATE ON records
BEGIN
	SELECT RAISE(ABORT, 'records are append-only');
END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records
BEGIN
	SELECT RAISE(ABORT, 'records are append-only');
END;

CREATE TABLE eligibility_imports (
	id          INTEGER PRIMARY KEY,
	imported_at INTEGER NOT NULL,
	inserted    INTEGER NOT NULL DEFAULT 0,
	updated     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE eligibility (
	id               INTEGER PRIMARY KEY,
	issuer           TEXT    NOT NULL,
	serial           TEXT    NOT NULL,
	insurer_number   TEXT    NOT NULL,
	symbol           TEXT    NOT NULL,
	number           TEXT    NOT NULL,
	branch           TEXT    NOT NULL,
	name             TEXT    NOT NULL,
	name_kana        TEXT    NOT NULL,
	birth_date       TEXT    NOT NULL,
	sex              TEXT    NOT NULL,
	qualified_from   TEXT    NOT NULL,
	qualified_until  TEXT    NOT NULL,
	card_valid_until TEXT    NOT NULL,
	copay_percent    INTEGER NOT NULL CHECK (copay_percent IN (10, 20, 30)),
	registered       INTEGER NOT NULL CHECK (registered IN (0, 1)),
	import_id        INTEGER NOT NULL REFERENCES eligibility_imports (id),
	import_line      INTEGER NOT NULL,
	UNIQUE (issuer, serial, insurer_number, symbol, number, branch)
);

CREATE TABLE nonces (
	nonce       TEXT    PRIMARY KEY,
	expires_at  INTEGER NOT NULL,
	consumed_at INTEGER
);
CREATE INDEX nonces_expiry ON nonces (expires_at);
