"""Internal authentication and account security (SPEC §7.1–7.5, §7.7).

`services` writes, `selectors` reads, `policies` decides; views live in `views`.
"""
