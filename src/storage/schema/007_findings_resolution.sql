-- Why a finding stopped being open: NULL when the data shows it fixed (the
-- usual 'resolved'), 'rule_withdrawn' when its rule left the policy pack, so
-- nobody mistakes a withdrawn rule for a rectified problem. A finding that
-- opens again clears it.
ALTER TABLE findings ADD COLUMN resolution TEXT;
