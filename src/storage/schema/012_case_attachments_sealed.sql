-- Case attachments sealed at rest like the complainant's identity
-- (docs/security.md, "Identity sealed at rest"): a photo or PDF may show a
-- face, and a file named after a phone number names its sender. sealed_meta
-- is secretbox-sealed JSON {"name": original file name, "sha256": of the
-- plain bytes}; when it is set, `bytes` holds the sealed bytes (nonce ‖
-- ciphertext) and `filename` and `sha256` are ''. Rows written before this
-- migration keep sealed_meta NULL until `edugov serve` seals them on start
-- (cases::CaseEngine::SealClearAttachments), and read as before until then.
ALTER TABLE case_attachments ADD COLUMN sealed_meta {{BLOB}};
