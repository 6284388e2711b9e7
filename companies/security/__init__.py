"""A company's security settings pages (SPEC §7.1, §7.5, §7.7); the policy itself and its
writes are accounts.security's."""
