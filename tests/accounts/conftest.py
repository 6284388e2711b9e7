from django.urls import reverse

from activity.models import ActivityRecord
from rainbow_portal.crypto import pseudonymize


def events_for(user, event: str):
    return ActivityRecord.objects.filter(event=event, target_ref=pseudonymize("user", user.pk))


def post_login(client, email, password, next_url=""):
    data = {"username": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)
