from django.contrib import admin, messages

from rainbow_portal.exceptions import ApplicationError

from .models import Invoice, Offer, Subscription, System
from .services import offer_update


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    """Offers are data a superadmin edits (SPEC §3.7); the three codes are fixed, so nothing
    is added or deleted here, and saving goes through the service (activity record)."""

    list_display = ["name", "code", "price_per_seat_month"]
    fields = ["code", "name", "price_per_seat_month", "description"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        try:
            offer_update(
                offer=obj,
                name=form.cleaned_data["name"],
                price=form.cleaned_data["price_per_seat_month"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Visible to operators for support; changed only through the portal's services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["company", "offer", "billing", "seats", "status", "start_date", "ended_on"]
    list_filter = ["offer", "billing", "status"]
    list_select_related = ["company", "offer"]
    search_fields = ["company__name"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "company", "period", "total", "issued_at"]
    list_select_related = ["company"]
    search_fields = ["number", "company__name"]


@admin.register(System)
class SystemAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "site"]
    list_select_related = ["site"]
