from django.core.management.base import BaseCommand

from maillage.core.extensions import demo_loaders
from maillage.directory.demo import DEMO_PASSWORD, load_demo
from maillage.directory.models import Organisation, Place


class Command(BaseCommand):
    help = "Load (or refresh) the demo territory, Bordeaux Métropole, from the data/ folder."

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-users",
            action="store_true",
            help="Also create the demo accounts (never in production).",
        )

    def handle(self, *args, with_users, **options):
        territory = load_demo(with_users=with_users)
        for loader in demo_loaders():
            loader.load(territory, with_users=with_users)
            self.stdout.write(f"{loader.key}: demo loaded.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{territory.name}: {territory.areas.count()} communes, "
                f"{Organisation.objects.filter(territory=territory).count()} organisations, "
                f"{Place.objects.filter(territory=territory).count()} places."
            )
        )
        if with_users:
            self.stdout.write(
                f"Demo accounts (password {DEMO_PASSWORD}): coordination, "
                "structure, prescription, partenaire."
            )
