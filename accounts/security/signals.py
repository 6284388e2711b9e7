"""What account security announces to the layers above it (django-allauth's way).

`email_verified` is sent with `user=` inside the transaction that proved the address (a
confirmation link, or a reset code that also confirms it): companies claims a pending company
invitation for it (SPEC §2.5 step 3).
"""

from django.dispatch import Signal

email_verified = Signal()
