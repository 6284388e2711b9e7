"""An S3-compatible server on this machine, for the vault's S3 storage (docs/scaling.md).

Production keeps files on an object store outside the machine; the tests stand one up here:
moto's S3 server (its ThreadedMotoServer) on a free 127.0.0.1 port, in a process of its own
(session), spoken to over real HTTP by boto3 and django-storages, exactly as a deployment
speaks to its store. Nothing in boto is patched, and the server's memory is not the tests'
(the vault's memory use is measured in this process).

`s3_server` (session): the endpoint URL. `s3_vault`: a fresh bucket per test, the vault
storage pointed at it the way an operator configures it (VAULT_STORAGE_BACKEND's class,
VAULT_STORAGE_OPTIONS without credentials, the credentials in the environment), and a
plain boto3 client to look at the bucket from outside the portal.
"""

import select
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass

import boto3
import pytest
from botocore.config import Config

S3_BACKEND = "storages.backends.s3.S3Storage"
REGION = "eu-west-3"


# The child prints its port, then serves until its standard input closes.
SERVER = """
import sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
"""


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    log = (tmp_path_factory.mktemp("s3") / "moto.log").open("wb")
    child = subprocess.Popen(  # this interpreter, a fixed script
        [sys.executable, "-c", SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
    )
    try:
        ready, _, _ = select.select([child.stdout], [], [], 60)
        line = child.stdout.readline().strip() if ready else b""
        if not line.isdigit():
            pytest.fail(f"the S3 server did not start (log: {log.name})")
        yield f"http://127.0.0.1:{int(line)}"
    finally:
        child.stdin.close()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        log.close()


@dataclass
class S3Vault:
    endpoint: str
    bucket: str
    client: object  # a boto3 S3 client, outside the portal's storage

    def keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def get(self, key: str) -> dict:
        return self.client.get_object(Bucket=self.bucket, Key=key)

    def body(self, key: str) -> bytes:
        return self.get(key)["Body"].read()

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)


def s3_options(endpoint: str, bucket: str) -> dict:
    """VAULT_STORAGE_OPTIONS as docs/deploy.md shows them: no credentials in here."""
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": REGION,
        "addressing_style": "path",
    }


def unreachable_options(bucket: str) -> dict:
    """Options of a store that is down: nothing listens on the port, one attempt only."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = Config(
        s3={"addressing_style": "path"},
        retries={"max_attempts": 1, "mode": "standard"},
        connect_timeout=2,
        read_timeout=2,
    )
    return {**s3_options(f"http://127.0.0.1:{port}", bucket), "client_config": config}


@pytest.fixture
def s3_vault(settings, tmp_path, monkeypatch, s3_server):
    # Credentials the way production gives them: S3Storage reads them from the environment.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "portal-test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "portal-test-secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    bucket = f"vault-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=REGION,
        config=Config(s3={"addressing_style": "path"}),
    )
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {
        **settings.STORAGES,
        "vault": {"BACKEND": S3_BACKEND, "OPTIONS": s3_options(s3_server, bucket)},
    }
    settings.VAULT_STORAGE = "vault"
    settings.VAULT_TEMP_DIR = tmp_path / "vault-incoming"
    return S3Vault(endpoint=s3_server, bucket=bucket, client=client)
