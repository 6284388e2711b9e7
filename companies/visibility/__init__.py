"""Visibility (SPEC §4): one module, two faces.

- `rules`: the pure-Python predicate (`can_find`, `can_invite_in_app`, `can_invite_by_email`,
  each with `explain_*` giving the deciding rule), reading the source of truth.
- `search`: the same rules as one SQL statement for the directory search, reading the
  indexable copies kept on the user row by `inputs`.
"""
