-- 0002: remember which import created each eligibility row, so an import
-- can count inserted and updated rows after single-statement upserts.
ALTER TABLE eligibility ADD COLUMN created_import_id BIGINT NOT NULL DEFAULT 0;
UPDATE eligibility SET created_import_id = import_id;
CREATE INDEX eligibility_created_import ON eligibility (created_import_id);
