"""A small load generator run as its own process by test_postgres_restart.py:
`python loadgen.py URL TOKEN SECONDS CONNECTIONS OUT` — GETs URL with the token from
CONNECTIONS threads for SECONDS, one JSON line per answer in OUT (when, status, the error
code of the body, Retry-After), status 0 when no HTTP answer came at all."""

import http.client
import json
import sys
import threading
import time
import urllib.error
import urllib.request


def main(url, token, seconds, connections, out):
    stop_at = time.time() + float(seconds)
    lines, lock = [], threading.Lock()

    def worker():
        while time.time() < stop_at:
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status, headers, body = response.status, response.headers, response.read()
            except urllib.error.HTTPError as exc:
                status, headers, body = exc.code, exc.headers, exc.read()
            except (OSError, http.client.HTTPException) as exc:
                status, headers, body = 0, {}, str(exc).encode()
            try:
                code = json.loads(body).get("error", {}).get("code", "")
            except ValueError:
                code = "not-json"
            entry = {
                "t": time.time(),
                "status": status,
                "code": code,
                "retry_after": headers.get("Retry-After"),
                "traceback": b"Traceback" in body,
            }
            with lock:
                lines.append(entry)

    threads = [threading.Thread(target=worker) for _ in range(int(connections))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open(out, "w") as fh:
        fh.writelines(json.dumps(line) + "\n" for line in lines)


if __name__ == "__main__":
    main(*sys.argv[1:])
