from django.core.management.base import BaseCommand

from maillage.directory.models import Place
from maillage.directory.services import slots_refresh


class Command(BaseCommand):
    help = (
        "Rebuild the weekly opening index used by “open now” (run once a week, e.g. from "
        "cron, so that seasonal opening hours stay covered)."
    )

    def handle(self, *args, **options):
        places = Place.objects.select_related("territory").exclude(opening_hours="")
        count = slots_refresh(places=places.iterator(chunk_size=500))
        self.stdout.write(self.style.SUCCESS(f"{count} places re-indexed."))
