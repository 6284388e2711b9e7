"""Start and stop the test OpenID Provider in its own process (a real OP over HTTP)."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class RunningOP:
    url: str
    issuer: str
    discovery_url: str
    clients: list
    users: list


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_op(*, clients: list[dict], users: list[dict]):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.json"
        config.write_text(json.dumps({"clients": clients, "users": users, "rsa_key": key.decode()}))
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.pop("DATABASE_URL", None)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.sso.oidc_idp.serve",
                str(port),
                f"{tmp}/idp.sqlite3",
                str(config),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            line = process.stdout.readline()
            if line.strip() != "ready":
                raise RuntimeError(
                    "The test OpenID Provider did not start: " + process.stderr.read()
                )
            url = f"http://127.0.0.1:{port}"
            yield RunningOP(
                url=url,
                issuer=url + "/o",
                discovery_url=url + "/o/.well-known/openid-configuration",
                clients=clients,
                users=users,
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
