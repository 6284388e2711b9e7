"""The membership API (/api/v1/companies/<slug>/…, /api/v1/partner/…): the same selectors,
policies and services as the pages, one module per flow; `urls` holds the routes."""
