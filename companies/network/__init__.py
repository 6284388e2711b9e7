"""The user's network (SPEC §5): services (writes), selectors (reads), pages and API."""
