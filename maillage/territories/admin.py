from django.contrib import admin

from maillage.territories.models import Area, Invitation, Membership, Territory


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "country"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "territory", "population"]
    list_filter = ["territory"]
    search_fields = ["name", "code"]
    exclude = ["contour"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "territory", "role"]
    list_filter = ["territory", "role"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read only: invitations are made, sent and answered through the members' pages."""

    list_display = ["email", "territory", "role", "status", "created_at", "expires_at"]
    list_filter = ["territory", "status", "role"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
