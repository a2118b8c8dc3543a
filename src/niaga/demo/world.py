"""The demo world: ministries, officers, partners, buyers abroad and exporter businesses.

Everything is drawn from one ``random.Random(seed)``, so the same seed and size give the same
world on every machine. Sizes run from ``small`` (seconds) to 100,000 businesses and beyond.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pycountry
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from niaga.accounts import services as accounts
from niaga.accounts.models import Membership, Organisation, User
from niaga.core import audit
from niaga.core.identifiers import (
    GSTIN_STATE_CODES,
    fake_gstin,
    fake_iec_from_pan,
    fake_nib,
    fake_npwp,
    fake_udyam,
)
from niaga.core.roles import OrganisationKind as Kind
from niaga.core.roles import Role
from niaga.core.sectors import Sector
from niaga.demo import names
from niaga.demo.insights import seed_history
from niaga.demo.orders import seed_orders
from niaga.demo.programmes import seed_programmes

SIZES = {"small": 200, "medium": 5_000, "large": 100_000}
BATCH = 2_000
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
DEMO_DOMAIN = "niaga.demo"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"


class WorldExists(Exception):
    pass


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: str
    organisation: str


INSTITUTIONS = [
    # (name, kind, country)
    ("Niaga Programme Office", Kind.OPERATOR, "ID"),
    ("Kementerian Perdagangan (Kemendag)", Kind.MINISTRY, "ID"),
    ("Kementerian Perindustrian (Kemenperin)", Kind.MINISTRY, "ID"),
    ("Kementerian Koperasi dan UKM", Kind.MINISTRY, "ID"),
    ("DPIIT — Startup India", Kind.MINISTRY, "IN"),
    ("Ministry of Micro, Small and Medium Enterprises", Kind.MINISTRY, "IN"),
    ("Directorate General of Foreign Trade", Kind.MINISTRY, "IN"),
    ("Jaringan Ekspor Nusantara", Kind.PARTNER, "ID"),
    ("ExportBridge Ventures", Kind.PARTNER, "IN"),
]

PEOPLE = [
    DemoPerson(ADMIN_EMAIL, "Ayu Pratiwi", Role.ADMIN, "Niaga Programme Office"),
    DemoPerson(
        f"officer.kemendag@{DEMO_DOMAIN}",
        "Budi Santoso",
        Role.PROGRAMME_OFFICER,
        "Kementerian Perdagangan (Kemendag)",
    ),
    DemoPerson(
        f"officer.msme@{DEMO_DOMAIN}",
        "Priya Raghavan",
        Role.PROGRAMME_OFFICER,
        "Ministry of Micro, Small and Medium Enterprises",
    ),
    DemoPerson(
        f"finance@{DEMO_DOMAIN}", "Dewi Lestari", Role.FINANCE_OFFICER, "Niaga Programme Office"
    ),
    DemoPerson(
        f"analyst@{DEMO_DOMAIN}", "Arjun Mehta", Role.POLICY_ANALYST, "Niaga Programme Office"
    ),
    DemoPerson(
        f"partner@{DEMO_DOMAIN}", "Rizky Hidayat", Role.PARTNER, "Jaringan Ekspor Nusantara"
    ),
]

BUYER_COUNTRIES = ["US", "DE", "AE", "JP", "SA", "AU", "NL", "GB", "SG", "ES", "KR", "FR", "NG"]


def is_seeded() -> bool:
    return User.objects.filter(email=ADMIN_EMAIL).exists()


def business_count(size: str | int) -> int:
    return SIZES[size] if isinstance(size, str) else int(size)


def seed(*, size: str | int = "small", seed: int = 2026, progress: bool = False) -> dict[str, int]:
    """Create the demo world; refuses if one is there already."""
    if is_seeded():
        raise WorldExists("The demo world is already seeded in this database.")
    rng = random.Random(seed)
    total = business_count(size)
    with _progress(progress, total) as advance, transaction.atomic():
        institutions = _institutions()
        buyers = _buyers(rng)
        advance(0, "businesses")
        exporters = 0
        for batch in _business_batches(rng, total):
            Organisation.objects.bulk_create(batch)
            exporters += len(batch)
            advance(len(batch), "businesses")
        demo_users = _people(rng, institutions, buyers)
        audit.record(
            actor=None,
            action="demo.seeded",
            target=institutions["Niaga Programme Office"],
            changes={"businesses": total, "seed": seed},
        )
    roster_rows = _rosters(seed=seed)
    applications = seed_programmes(rng=random.Random(seed), domain=DEMO_DOMAIN)
    orders = seed_orders(rng=random.Random(seed), domain=DEMO_DOMAIN)
    settled_history = seed_history(rng=random.Random(seed), domain=DEMO_DOMAIN)
    return {
        "institutions": len(institutions),
        "roster rows": roster_rows,
        "programme applications": applications,
        "orders": orders,
        "settled orders of the past year": settled_history,
        "buyer companies": len(buyers),
        "exporter businesses": exporters,
        "demo sign-ins": demo_users,
    }


ROSTER_ROWS = 150


def _rosters(*, seed: int) -> int:
    """Ministries' rosters with the duplicates real ones have, imported and linked as in life."""
    import io

    from niaga.registry import services as registry
    from niaga.registry.synthetic import generate_roster

    officer = User.objects.get(email=f"officer.kemendag@{DEMO_DOMAIN}")
    roster = generate_roster(ROSTER_ROWS, seed=seed).drop(columns=["true_entity"])
    for source_name, rows in roster.groupby("source", sort=True):
        source = registry.create_source(actor=officer, name=str(source_name))
        content = rows.to_csv(index=False).encode("utf-8")
        upload, _created = registry.receive_roster(
            actor=officer,
            source=source,
            fileobj=io.BytesIO(content),
            original_name=f"{source.name}.csv",
        )
        registry.import_upload(upload_id=upload.pk)
    registry.run_linkage(actor=None)
    return len(roster)


def sign_in_sheet(url: str) -> str:
    """What ``niaga demo`` prints: where to go and who to be."""
    rows = [(person.role, person.email) for person in PEOPLE] + [
        (Role.EXPORTER_OWNER, f"exporter.id@{DEMO_DOMAIN}"),
        (Role.EXPORTER_OWNER, f"exporter.in@{DEMO_DOMAIN}"),
        (Role.BUYER, f"buyer@{DEMO_DOMAIN}"),
    ]
    width = max(len(Role(role).label) for role, _ in rows)
    lines = [
        "",
        f"  Niaga is running at {url}",
        "",
        f"  Demo sign-ins (password for all: {settings.NIAGA_DEMO_PASSWORD})",
    ]
    lines += [f"    {Role(role).label:<{width}}  {email}" for role, email in rows]
    lines += ["", "  Press Ctrl+C to stop.", ""]
    return "\n".join(lines)


def _institutions() -> dict[str, Organisation]:
    created = Organisation.objects.bulk_create(
        Organisation(name=name, kind=kind, country=country, created_at=EPOCH)
        for name, kind, country in INSTITUTIONS
    )
    return {organisation.name: organisation for organisation in created}


def _buyers(rng: random.Random) -> list[Organisation]:
    return Organisation.objects.bulk_create(
        Organisation(
            name=names.buyer_company(country, index),
            kind=Kind.BUYER,
            country=country,
            created_at=EPOCH + timedelta(days=rng.randrange(365)),
        )
        for country in BUYER_COUNTRIES
        for index in range(2)
    )


def _business_batches(rng: random.Random, total: int):
    indonesia = _regions("ID", {"Province", "Capital district", "Special region"})
    india = _regions("IN", {"State", "Union territory"})
    sectors = [choice.value for choice in Sector]
    batch: list[Organisation] = []
    for number in range(total):
        country = "ID" if number % 2 == 0 else "IN"
        sector = rng.choice(sectors)
        created_at = EPOCH + timedelta(days=rng.randrange(600), seconds=rng.randrange(86_400))
        if country == "ID":
            region = rng.choice(indonesia)
            batch.append(
                Organisation(
                    name=names.indonesian_business(rng, sector),
                    kind=Kind.EXPORTER,
                    country="ID",
                    region=region,
                    sector=sector,
                    nib=fake_nib(rng),
                    npwp=fake_npwp(rng),
                    created_at=created_at,
                )
            )
        else:
            region = rng.choice(india)
            gstin = fake_gstin(rng, GSTIN_STATE_CODES.get(region))
            pan = gstin[2:12]
            batch.append(
                Organisation(
                    name=names.indian_business(rng, sector),
                    kind=Kind.EXPORTER,
                    country="IN",
                    region=region,
                    sector=sector,
                    gstin=gstin,
                    pan=pan,
                    iec=fake_iec_from_pan(pan),
                    udyam=fake_udyam(rng, region.split("-")[1]),
                    created_at=created_at,
                )
            )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _regions(country: str, types: set[str]) -> list[str]:
    return sorted(
        subdivision.code
        for subdivision in pycountry.subdivisions.get(country_code=country)
        if subdivision.type in types
    )


def _people(
    rng: random.Random, institutions: dict[str, Organisation], buyers: list[Organisation]
) -> int:
    # One hash for every demo person: hashing is deliberately slow, and the demo starts cold.
    password = make_password(settings.NIAGA_DEMO_PASSWORD)
    first_exporters = {
        country: Organisation.objects.filter(kind=Kind.EXPORTER, country=country)
        .order_by("id")
        .first()
        for country in ("ID", "IN")
    }
    everyone = [(person, institutions[person.organisation]) for person in PEOPLE] + [
        (
            DemoPerson(f"exporter.id@{DEMO_DOMAIN}", "Siti Rahmawati", Role.EXPORTER_OWNER, ""),
            first_exporters["ID"],
        ),
        (
            DemoPerson(f"exporter.in@{DEMO_DOMAIN}", "Rohan Iyer", Role.EXPORTER_OWNER, ""),
            first_exporters["IN"],
        ),
        (DemoPerson(f"buyer@{DEMO_DOMAIN}", "Lena Hoffmann", Role.BUYER, ""), buyers[2]),
    ]
    for person, organisation in everyone:
        if organisation is None:
            continue
        language = {"ID": "id", "IN": "en"}.get(organisation.country, "en")
        user = User(
            email=person.email,
            full_name=person.name,
            password=password,
            preferred_language=language if person.role != Role.BUYER else "en",
            is_superuser=person.role == Role.ADMIN,
            is_staff=person.role == Role.ADMIN,
        )
        user.save()
        Membership.objects.create(user=user, organisation=organisation, role=person.role)
        if person.role in {Role.PROGRAMME_OFFICER, Role.FINANCE_OFFICER, Role.POLICY_ANALYST}:
            accounts.grant_admin_access(user)
    return len(everyone)


class _progress:
    """A rich progress bar when asked for, a silent counter otherwise."""

    def __init__(self, enabled: bool, total: int):
        self.enabled, self.total = enabled, total
        self.bar = None

    def __enter__(self):
        if self.enabled:
            from rich.progress import Progress

            self.bar = Progress()
            self.bar.start()
            self.task = self.bar.add_task("Seeding the demo world", total=self.total)

        def advance(step: int, _what: str) -> None:
            if self.bar is not None:
                self.bar.advance(self.task, step)

        return advance

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
