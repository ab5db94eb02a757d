from django.contrib import admin

from maillage.territories.models import Area, Membership, Territory


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
