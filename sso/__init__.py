"""External authentication: per-company SAML v2 and OpenID Connect identity providers
(SPEC §7.6). The top of the authentication stack: it may import accounts and companies;
nothing below imports it (accounts asks it through the sign-in router it registers)."""
