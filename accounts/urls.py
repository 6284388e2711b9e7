from django.urls import path

from . import views
from .network import views as network_views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # The user's network (issue 4)
    path("network/", network_views.network, name="network"),
    path("network/invite/<int:pk>/", network_views.invite, name="network-invite"),
    path("network/invite-email/", network_views.invite_email, name="network-invite-email"),
    path(
        "network/invitations/<int:pk>/<str:action>/",
        network_views.invitation_action,
        name="network-invitation",
    ),
    path(
        "network/contacts/<int:pk>/remove/",
        network_views.contact_remove,
        name="network-contact-remove",
    ),
    path(
        "network/contacts/<int:pk>/favorite/",
        network_views.contact_favorite,
        name="network-contact-favorite",
    ),
    path("network/presence/", network_views.presence, name="network-presence"),
]
