"""Files through the vault (issue 11): `python bench/files.py [--sizes 1,10,100] [--repeat 3]`.

Needs a running clamd (CLAMD_SOCKET, or scripts/clamd.sh starts one in a temp folder) and the
migrated database of DATABASE_URL. For each size (MB) it times, through the project's own
services, `file_store` (scan + encrypt + store) and `file_open` (verify + decrypt + stream),
and the floor measured in the same run on the same bytes: clamd INSTREAM alone plus AES-256-GCM
alone (sequential sum). Peak memory is measured in a separate pass with tracemalloc (Python
allocations), plus the process's RSS high-water mark. Removes what it made; prints one JSON
object as its last line.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainbow_portal.settings")

import django  # noqa: E402

django.setup()

from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from django.conf import settings  # noqa: E402

from companies.models import Company  # noqa: E402
from vault import envelope, selectors, services  # noqa: E402
from vault.scanner import scan_stream  # noqa: E402

MB = 1024 * 1024


def rss_hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def chunks(path: Path, size: int = envelope.SEGMENT_SIZE):
    with path.open("rb") as fh:
        while data := fh.read(size):
            yield data


def floor_scan(path: Path) -> float:
    started = time.perf_counter()
    scan_stream(chunks(path))
    return time.perf_counter() - started


def floor_aes(path: Path) -> float:
    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    started = time.perf_counter()
    for counter, data in enumerate(chunks(path)):
        aead.encrypt(counter.to_bytes(12, "big"), data, b"")
    return time.perf_counter() - started


def upload(company, path: Path, object_id: str):
    with path.open("rb") as fh:
        return services.file_store(company=company, object_id=object_id, upload=fh, actor=None)


def download(company, stored, object_id: str) -> int:
    total = 0
    for chunk in selectors.file_open(company=company, object_id=object_id, stored=stored):
        total += len(chunk)
    return total


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def peak(fn, *args) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,10,100", help="MB, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-files-", dir=settings.VAR_DIR))
    clamd_dir = None
    if not os.environ.get("CLAMD_SOCKET"):
        clamd_dir = work / "clamd"
        out = subprocess.run(
            [str(ROOT / "scripts" / "clamd.sh"), "start", str(clamd_dir)],
            check=True,
            capture_output=True,
            text=True,
        )
        settings.CLAMD_SOCKET = out.stdout.strip()
    settings.STORAGES = {
        **settings.STORAGES,
        "vault": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(work / "vault")},
        },
    }
    from django.core.files.storage import storages

    storages._storages.clear()
    storages._backends = None
    settings.VAULT_TEMP_DIR = work / "incoming"
    settings.UPLOAD_MAX_BYTES = max(settings.UPLOAD_MAX_BYTES, 100 * MB)

    company = Company.objects.create(name="Bench files", slug="bench-files", region="EMEA")
    results = []
    try:
        warm = work / "warm.bin"
        warm.write_bytes(os.urandom(MB))  # first connection, first scan: not part of a figure
        services.file_delete(stored=upload(company, warm, "warm"), actor=None)
        floor_scan(warm)
        for size_mb in [int(s) for s in args.sizes.split(",")]:
            path = work / f"data-{size_mb}.bin"
            with path.open("wb") as fh:
                for _ in range(size_mb):
                    fh.write(os.urandom(MB))
            up, down, scan, aes = [], [], [], []
            # A few-millisecond upload needs more than a handful of runs for a steady median
            # (the 1 MB figure moved by 0.3x between two runs of five); 15 cost 0.3 s.
            runs = args.repeat if size_mb >= 10 else max(args.repeat, 15)
            for i in range(runs):
                oid = f"{size_mb}-{i}"
                t, stored = timed(upload, company, path, oid)
                up.append(t)
                t, total = timed(download, company, stored, oid)
                assert total == size_mb * MB
                down.append(t)
                services.file_delete(stored=stored, actor=None)
                scan.append(floor_scan(path))
                aes.append(floor_aes(path))
            hwm_before = rss_hwm_kib()
            oid = f"{size_mb}-mem"
            up_peak = peak(upload, company, path, oid)
            stored = upload(company, path, oid)
            down_peak = peak(download, company, stored, oid)
            services.file_delete(stored=stored, actor=None)
            t_up, t_down = statistics.median(up), statistics.median(down)
            t_scan, t_aes = statistics.median(scan), statistics.median(aes)
            floor = t_scan + t_aes
            row = {
                "size_mb": size_mb,
                "upload_s": round(t_up, 3),
                "upload_mb_s": round(size_mb / t_up, 1),
                "download_s": round(t_down, 3),
                "download_mb_s": round(size_mb / t_down, 1),
                "floor_clamd_s": round(t_scan, 3),
                "floor_aes_s": round(t_aes, 3),
                "floor_s": round(floor, 3),
                "upload_vs_floor": round(t_up / floor, 2),
                "upload_peak_kib": up_peak // 1024,
                "download_peak_kib": down_peak // 1024,
                "rss_hwm_growth_kib": rss_hwm_kib() - hwm_before,
            }
            print(json.dumps(row), flush=True)
            results.append(row)
            path.unlink()
    finally:
        company.delete()
        if clamd_dir is not None:
            subprocess.run([str(ROOT / "scripts" / "clamd.sh"), "stop", str(clamd_dir)])
        shutil.rmtree(work, ignore_errors=True)
    first, last = results[0], results[-1]
    summary = {
        "load_average_1min": round(os.getloadavg()[0], 1),
        "cpus": os.cpu_count(),
        "results": results,
        "upload_vs_floor_max": max(r["upload_vs_floor"] for r in results),
        "upload_peak_ratio_last_vs_first": round(
            last["upload_peak_kib"] / max(first["upload_peak_kib"], 1), 2
        ),
        "download_peak_ratio_last_vs_first": round(
            last["download_peak_kib"] / max(first["download_peak_kib"], 1), 2
        ),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
