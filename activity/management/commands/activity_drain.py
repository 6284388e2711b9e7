import json
import signal
import time

from django.core.management.base import BaseCommand

from activity.queue_services import activity_drain_all, activity_pending


class Command(BaseCommand):
    help = (
        "Move spooled and queued request records into the activity log (what the beat job "
        "does; on every web node, the spool drainer's service runs it with --loop)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep draining until stopped.")
        parser.add_argument("--every", type=float, default=1.0, help="Seconds between drains.")

    def handle(self, *args, loop, every, **options):
        stopping = []
        if loop:  # SIGTERM (systemd stop): one last drain, then out. Killed: the next run's.
            signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
        total = activity_drain_all()
        while loop and not stopping:
            deadline = time.monotonic() + every
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.1, every))
            total += activity_drain_all()
        self.stdout.write(json.dumps({"inserted": total, **activity_pending()}))
