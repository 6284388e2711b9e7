"""Run the test OpenID Provider: `python -m tests.sso.oidc_idp.serve PORT DBPATH CONFIG.json`.

CONFIG.json: {"clients": [{"client_id", "client_secret", "redirect_uri"}], "users": [{"username",
"email", "password", "first_name", "last_name"}]}. Prints "ready" once it serves.
"""

import json
import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main():
    port, db, config_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    with open(config_path) as handle:
        config = json.load(handle)
    os.environ["IDP_DB"] = db
    os.environ["IDP_ISSUER"] = f"http://127.0.0.1:{port}/o"
    os.environ["IDP_RSA_KEY"] = config["rsa_key"]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso.oidc_idp.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for spec in config["users"]:
        user = User.objects.create_user(
            spec["username"],
            email=spec["email"],
            password=spec["password"],
            first_name=spec.get("first_name", ""),
            last_name=spec.get("last_name", ""),
        )
        user.save()
    for spec in config["clients"]:
        Application.objects.create(
            name=spec["client_id"],
            client_id=spec["client_id"],
            client_secret=spec["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=spec["redirect_uri"],
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    server = make_server(
        "127.0.0.1", port, get_wsgi_application(), server_class=_Server, handler_class=_Quiet
    )
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
