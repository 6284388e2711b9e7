import time

from django.core.management.base import BaseCommand

from activity.queue_services import activity_drain, activity_queue_length


class Command(BaseCommand):
    help = "Move queued request records into the activity log (what the beat job does)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep draining until stopped.")
        parser.add_argument("--every", type=float, default=1.0, help="Seconds between drains.")

    def handle(self, *args, loop, every, **options):
        total = activity_drain()
        while loop:
            time.sleep(every)
            total += activity_drain()
        self.stdout.write(f'{{"inserted": {total}, "queued": {activity_queue_length()}}}')
