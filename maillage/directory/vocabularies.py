"""The controlled vocabularies of the directory, defined once.

Keys are the identifiers of the French data standard for digital-mediation places ("Standard de
données des lieux de médiation numérique" v1.0.2, LaMednum/standard-mediation-num, and the
enumerations of @gouvfr-anct/lieux-de-mediation-numerique 2.3.0) where the standard has them;
`standard` is the standard's exact French wording, used for import and export; `label` is what
people read, translated. Categories of services are Maillage's own grouping ("from first steps to
digital creation"), documented in docs/directory.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    standard: str = ""
    category: str = ""
    icon: str = ""
    help: str = ""


def _choices(terms: tuple[Term, ...]) -> list[tuple[str, str]]:
    return [(t.key, t.label) for t in terms]


def _by_key(terms: tuple[Term, ...]) -> dict[str, Term]:
    return {t.key: t for t in terms}


SERVICE_CATEGORIES = (
    Term(
        "access",
        _("Getting equipped and connected"),
        icon="plug",
        help=_("A computer and internet access, or buying a device at a solidarity price."),
    ),
    Term(
        "first_steps",
        _("First steps and everyday use"),
        icon="hand",
        help=_("Learning to use a phone, a computer, e-mail and everyday tools safely."),
    ),
    Term(
        "procedures",
        _("Online procedures and work"),
        icon="file",
        help=_("Help with administrative procedures online, finding a job or training."),
    ),
    Term(
        "culture",
        _("Digital culture and creation"),
        icon="star",
        help=_("Understanding the digital world, family life with screens, creating."),
    ),
)

SERVICES = (
    Term(
        "AccesInternetEtMaterielInformatique",
        _("Internet access and computers"),
        "Accès internet et matériel informatique",
        "access",
    ),
    Term(
        "MaterielInformatiqueAPrixSolidaire",
        _("Buying a computer at a solidarity price"),
        "Acquisition de matériel informatique à prix solidaire",
        "access",
    ),
    Term(
        "MaitriseDesOutilsNumeriquesDuQuotidien",
        _("Using everyday digital tools"),
        "Maîtrise des outils numériques du quotidien",
        "first_steps",
    ),
    Term(
        "UtilisationSecuriseeDuNumerique",
        _("Using digital tools safely"),
        "Utilisation sécurisée du numérique",
        "first_steps",
    ),
    Term(
        "AideAuxDemarchesAdministratives",
        _("Help with online administrative procedures"),
        "Aide aux démarches administratives",
        "procedures",
    ),
    Term(
        "InsertionProfessionnelleViaLeNumerique",
        _("Finding work or training with digital tools"),
        "Insertion professionnelle via le numérique",
        "procedures",
    ),
    Term(
        "ParentaliteEtEducationAvecLeNumerique",
        _("Parenting and education with digital tools"),
        "Parentalité et éducation avec le numérique",
        "culture",
    ),
    Term(
        "ComprehensionDuMondeNumerique",
        _("Understanding the digital world"),
        "Compréhension du monde numérique",
        "culture",
    ),
    Term(
        "LoisirsEtCreationsNumeriques",
        _("Digital leisure and creation"),
        "Loisirs et créations numériques",
        "culture",
    ),
)

STARS = (
    Term(
        "1",
        _("1 star: first help"),
        help=_("The place can help with simple questions and show where to go next."),
    ),
    Term(
        "2",
        _("2 stars: regular support"),
        help=_("The place offers regular help by trained staff, alone or in a group."),
    ),
    Term(
        "3",
        _("3 stars: expert support"),
        help=_("The place has specialists and can handle difficult situations."),
    ),
)

SUPPORT_FORMATS = (
    Term("EnAutonomie", _("On your own, with equipment available"), "En autonomie"),
    Term("AccompagnementIndividuel", _("One-to-one help"), "Accompagnement individuel"),
    Term("DansUnAtelier", _("Group workshop"), "Dans un atelier collectif"),
    Term("ADistance", _("Remote help (phone or video)"), "À distance"),
)

DELIVERY_MODES = (
    Term("on_site", _("At the place")),
    Term("remote", _("Remotely")),
    Term("at_home", _("At the person's home")),
)

PUBLICS = (
    Term("Jeunes", _("Young people"), "Jeunes"),
    Term("Etudiants", _("Students"), "Étudiants"),
    Term("FamillesEnfants", _("Families and children"), "Familles et/ou enfants"),
    Term("Seniors", _("Older people"), "Seniors"),
    Term("Femmes", _("Women"), "Femmes"),
)

SPECIFIC_SUPPORT = (
    Term("Surdite", _("Deaf or hard of hearing people"), "Surdité"),
    Term("HandicapsMoteurs", _("People with reduced mobility"), "Handicaps moteurs"),
    Term("HandicapsMentaux", _("People with intellectual disabilities"), "Handicaps mentaux"),
    Term("Illettrisme", _("People who find reading and writing hard"), "Illettrisme"),
    Term("LanguesEtrangeresAnglais", _("Help in English"), "Langues étrangères (anglais)"),
    Term("LanguesEtrangeresAutre", _("Help in other languages"), "Langues étrangères (autres)"),
    Term("DeficienceVisuelle", _("Blind or partially sighted people"), "Déficience visuelle"),
)

FEES = (
    Term("Gratuit", _("Free"), "Gratuit"),
    Term("GratuitSousCondition", _("Free under conditions"), "Gratuit sous condition"),
    Term("Payant", _("Paid"), "Payant"),
)

ACCESS_MODES = (
    Term("SePresenter", _("Just come"), "Se présenter"),
    Term("Telephoner", _("Call first"), "Téléphoner"),
    Term("ContacterParMail", _("Write an e-mail"), "Contacter par mail"),
    Term("PrendreRdvEnLigne", _("Book online"), "Prendre un RDV en ligne"),
    Term(
        "PrescriptionParMail",
        _("Referral form sent by e-mail"),
        "Envoyer un mail avec une fiche de prescription",
    ),
    Term("PasDePublic", _("No public reception"), "Ce lieu n'accueille pas de public"),
)

PROGRAMMES = (
    Term("ConseillersNumeriques", _("Conseiller numérique"), "Conseillers numériques"),
    Term("FranceServices", _("France Services"), "France Services"),
    Term("AidantsConnect", _("Aidants Connect"), "Aidants Connect"),
    Term("PassNumerique", _("Pass numérique")),
    Term(
        "BibliothequesNumeriqueDeReference",
        _("Bibliothèque numérique de référence"),
        "Bibliothèques numérique de référence",
    ),
    Term("CertificationPIX", _("Pix certification"), "Certification PIX"),
    Term("EmmausConnect", _("Emmaüs Connect"), "Emmaüs Connect"),
    Term("GrandeEcoleDuNumerique", _("Grande école du numérique"), "Grande école du numérique"),
    Term("LaCroixRouge", _("French Red Cross"), "La Croix Rouge"),
    Term("PointNumeriqueCAF", _("CAF digital access point"), "Point d'accès numérique CAF"),
    Term("PromeneursDuNet", _("Promeneurs du net"), "Promeneurs du net"),
    Term(
        "RelaisNumeriqueEmmausConnect",
        _("Emmaüs Connect digital relay"),
        "Relais numérique (Emmaüs Connect)",
    ),
)

ORGANISATION_KINDS = (
    Term("commune", _("Commune")),
    Term("ccas", _("Social action centre (CCAS/CIAS)")),
    Term("association", _("Association")),
    Term("social_centre", _("Social centre")),
    Term("library", _("Library")),
    Term("france_services", _("France Services")),
    Term("public_digital_space", _("Public digital space")),
    Term("shelter", _("Shelter or housing support")),
    Term("public_body", _("Public body")),
    Term("public_operator", _("Public operator")),
    Term("company", _("Company")),
    Term("other", pgettext_lazy("organisation kind", "Other")),
)

LANGUAGES = (
    Term("fr", _("French")),
    Term("en", _("English")),
    Term("es", _("Spanish")),
    Term("pt", _("Portuguese")),
    Term("ar", _("Arabic")),
    Term("de", _("German")),
    Term("it", _("Italian")),
    Term("tr", _("Turkish")),
    Term("ru", _("Russian")),
    Term("uk", _("Ukrainian")),
    Term("ro", _("Romanian")),
    Term("zh", _("Chinese")),
    Term("fa", _("Persian")),
    Term("ps", _("Pashto")),
    Term("wo", _("Wolof")),
    Term("fsl", _("French Sign Language")),
)

SERVICE_BY_KEY = _by_key(SERVICES)
CATEGORY_BY_KEY = _by_key(SERVICE_CATEGORIES)
SERVICE_CHOICES = _choices(SERVICES)
CATEGORY_CHOICES = _choices(SERVICE_CATEGORIES)
SUPPORT_FORMAT_CHOICES = _choices(SUPPORT_FORMATS)
DELIVERY_MODE_CHOICES = _choices(DELIVERY_MODES)
PUBLIC_CHOICES = _choices(PUBLICS)
SPECIFIC_SUPPORT_CHOICES = _choices(SPECIFIC_SUPPORT)
FEE_CHOICES = _choices(FEES)
ACCESS_MODE_CHOICES = _choices(ACCESS_MODES)
PROGRAMME_CHOICES = _choices(PROGRAMMES)
ORGANISATION_KIND_CHOICES = _choices(ORGANISATION_KINDS)
LANGUAGE_CHOICES = _choices(LANGUAGES)


def services_in_category(category: str) -> list[str]:
    return [t.key for t in SERVICES if t.category == category]


def label(terms: tuple[Term, ...], key: str) -> str:
    """Translated label of `key`, or the key itself when it is not (or no longer) in use."""
    for term in terms:
        if term.key == key:
            return term.label
    return key
