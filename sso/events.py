EVENTS = {
    "sso.provider.created": "A company's identity provider (SAML or OIDC) was added.",
    "sso.provider.updated": "A company's identity provider settings changed (fields named).",
    "sso.provider.deleted": "A company's identity provider was removed.",
    "sso.provider.secret_set": "An OIDC client secret was set or replaced (never recorded).",
    "sso.metadata.refreshed": "An identity provider's metadata or discovery was fetched again.",
    "sso.metadata.failed": "Fetching an identity provider's metadata failed (reason named).",
    "sso.settings.updated": "A company's SSO settings (required, JIT, break-glass) changed.",
    "sso.signin.succeeded": "A user signed in through their company's identity provider.",
    "sso.signin.refused": "An SSO sign-in was refused (the precise reason is named).",
    "sso.user.provisioned": "An account was created from an SSO assertion (JIT).",
    "sso.test.finished": "An admin's connection test ran (outcome and reason named).",
}
