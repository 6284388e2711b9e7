"""Activity events of the core app (the email service), collected by activity/events.py."""

EVENTS = {
    "email.queued": "An email was queued for sending.",
    "email.sent": "An email was handed to the SMTP server.",
    "email.failed": "An email could not be sent after all retries.",
}
