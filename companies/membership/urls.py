from django.urls import path

from . import views

company = "companies/<slug:slug>/"

urlpatterns = [
    path("companies/manage/", views.manage, name="manage"),
    path("companies/join/", views.join_start, name="join-start"),
    path("companies/join/<slug:slug>/request/", views.join_request_create, name="join-request"),
    path("join/<str:token>/", views.join, name="join"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("partner/", views.partner, name="partner"),
    path("partner/customers/new/", views.customer_create, name="customer-create"),
    path("partner/offers/", views.partner_offer_create, name="partner-offer-create"),
    # Company-scoped pages: every one is in the tenant-isolation matrix test.
    path(company, views.profile, name="profile"),
    path(company + "file-sharing/", views.company_file_sharing, name="file-sharing"),
    path(company + "members/", views.members, name="members"),
    path(company + "members/<int:member_id>/", views.member_detail, name="member"),
    path(company + "members/<int:member_id>/roles/", views.member_role, name="member-role"),
    path(
        company + "members/<int:member_id>/file-sharing/",
        views.member_file_sharing,
        name="member-file-sharing",
    ),
    path(company + "invitations/", views.invitations, name="invitations"),
    path(
        company + "invitations/<int:invitation_id>/resend/",
        views.company_invitation_resend,
        name="invitation-resend",
    ),
    path(
        company + "invitations/<int:invitation_id>/cancel/",
        views.company_invitation_cancel,
        name="invitation-cancel",
    ),
    path(company + "join-requests/", views.join_requests, name="join-requests"),
    path(
        company + "join-requests/<int:request_id>/",
        views.join_request_decide,
        name="join-request-decide",
    ),
    path(company + "join-links/", views.join_links, name="join-links"),
    path(company + "join-links/<int:link_id>/", views.join_link_toggle, name="join-link-toggle"),
    path(
        company + "join-links/<int:link_id>/regenerate/",
        views.join_link_regenerate,
        name="join-link-regenerate",
    ),
    path(
        company + "partner-offers/<int:invitation_id>/",
        views.partner_offer_decide,
        name="partner-offer-decide",
    ),
]
