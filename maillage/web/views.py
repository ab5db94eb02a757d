"""Pages that belong to no single domain app: the front door and the signed-in workspace."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from maillage.territories.models import Territory


def home(request):
    territories = list(Territory.objects.all())
    if len(territories) == 1:
        return redirect("directory:home", territory=territories[0].slug)
    default = next((t for t in territories if t.slug == settings.DEFAULT_TERRITORY), None)
    if default is not None and not request.GET.get("all"):
        return redirect("directory:home", territory=default.slug)
    return render(request, "web/territories.html", {"territories": territories})


@login_required
def workspace(request):
    memberships = request.user.memberships.select_related("territory").order_by("territory__name")
    if memberships.count() == 1:
        return redirect("directory:manage", territory=memberships.first().territory.slug)
    return render(request, "web/workspace.html", {"memberships": memberships})
