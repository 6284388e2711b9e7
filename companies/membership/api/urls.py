"""The membership API's routes."""

from django.urls import path

from .company import (
    company_detail,
    company_file_sharing,
    member_file_sharing,
    member_list,
    member_role,
)
from .invitations import company_invitation_cancel, company_invitation_resend, invitation_list
from .joining import (
    company_create,
    join_link_list,
    join_link_regenerate,
    join_link_toggle,
    join_link_use,
    join_request_create,
    join_request_decide,
    join_request_list,
)
from .operator import operator_domains
from .partners import customer_list, partner_offer_create, partner_offer_decide

company = "companies/<slug:slug>/"


urlpatterns = [
    path("operator/companies/<slug:slug>/domains/", operator_domains, name="operator-domains"),
    path("companies/", company_create, name="company-create"),
    path("companies/join-requests/", join_request_create, name="join-request-create"),
    path("join-links/<str:token>/use/", join_link_use, name="join-link-use"),
    path("partner/customers/", customer_list, name="partner-customers"),
    path("partner/offers/", partner_offer_create, name="partner-offers"),
    # Company-scoped endpoints: every one is in the tenant-isolation matrix test.
    path(company, company_detail, name="company"),
    path(company + "file-sharing/", company_file_sharing, name="company-file-sharing"),
    path(company + "members/", member_list, name="company-members"),
    path(company + "members/<int:member_id>/roles/", member_role, name="company-member-roles"),
    path(
        company + "members/<int:member_id>/file-sharing/",
        member_file_sharing,
        name="company-member-file-sharing",
    ),
    path(company + "invitations/", invitation_list, name="company-invitations"),
    path(
        company + "invitations/<int:invitation_id>/resend/",
        company_invitation_resend,
        name="company-invitation-resend",
    ),
    path(
        company + "invitations/<int:invitation_id>/cancel/",
        company_invitation_cancel,
        name="company-invitation-cancel",
    ),
    path(company + "join-requests/", join_request_list, name="company-join-requests"),
    path(
        company + "join-requests/<int:request_id>/",
        join_request_decide,
        name="company-join-request-decide",
    ),
    path(company + "join-links/", join_link_list, name="company-join-links"),
    path(company + "join-links/<int:link_id>/", join_link_toggle, name="company-join-link"),
    path(
        company + "join-links/<int:link_id>/regenerate/",
        join_link_regenerate,
        name="company-join-link-regenerate",
    ),
    path(
        company + "partner-offers/<int:invitation_id>/",
        partner_offer_decide,
        name="company-partner-offer",
    ),
]
