"""Service rows: type, component, delivery mechanism, provider and cost."""

from __future__ import annotations

import random

from asc_warehouse.sample_data.codes import BLANK, Choice
from asc_warehouse.sample_data.model import Service
from asc_warehouse.sample_data.profiles import Council
from asc_warehouse.sample_data.vocabulary import Vocabulary

# How a community package is paid for. "override" is a Direct payment component recorded with a
# commissioned delivery mechanism: ASCOF 3D counts it as a direct payment, so the data must hold it.
# The mix follows England's 2024-25 CLD figures (3D(1a) 82.4%, 3D(2a) 24.5%, reference §1.5),
# with 5% of packages lacking a delivery mechanism as happens in real submissions.
DIRECT_PAYMENT = "direct_payment"
MANAGED_BUDGET = "managed_budget"
COMMISSIONED = "commissioned"
OVERRIDE = "override"
UNRECORDED = "unrecorded"
PACKAGE_KINDS = Choice.of(
    {DIRECT_PAYMENT: 24, MANAGED_BUDGET: 58, COMMISSIONED: 12.5, OVERRIDE: 0.5, UNRECORDED: 5}
)

NAME_STEMS = (
    "Oak",
    "Beech",
    "Willow",
    "Cedar",
    "Meadow",
    "Orchard",
    "Harbour",
    "Downs",
    "Weald",
    "Priory",
    "Abbey",
    "Hawthorn",
    "Rosewood",
    "Kingsmead",
    "Riverside",
    "Elm",
    "Chestnut",
    "Holly",
)
CARE_HOME_SUFFIXES = ("House", "Lodge", "Court", "Manor", "Grange")


class ServiceFactory:
    """Builds services for one council, with a fixed pool of providers."""

    def __init__(self, rng: random.Random, vocab: Vocabulary, council: Council) -> None:
        self._rng = rng
        self._types = vocab.services
        self._components = vocab.components
        self._delivery = vocab.delivery
        self._frequency = vocab.frequencies
        towns = council.profile.towns
        ids = iter(rng.sample(range(10**8, 10**9), 200))

        def pool(count: int, name: str) -> list[tuple[str, str]]:
            return [
                (
                    name.format(
                        stem=rng.choice(NAME_STEMS),
                        town=rng.choice(towns),
                        suffix=rng.choice(CARE_HOME_SUFFIXES),
                    ),
                    f"1-{next(ids)}",
                )
                for _ in range(count)
            ]

        self._care_homes = pool(40, "{stem} {suffix}")
        self._nursing_homes = pool(25, "{stem} Nursing Home")
        self._home_care = pool(30, "{town} {stem} Home Care")
        self._day_centres = pool(10, "{town} Day Centre")
        self._supported_living = pool(15, "{stem} Supported Living")
        c = self._components
        self._commissioned_mix = Choice.of(
            {
                c.home_support: 65,
                c.day_support: 8,
                c.supported_living: 10,
                c.extra_care: 7,
                c.shared_lives: 2,
                c.meals: 3,
                c.other_long_term: 5,
            }
        )
        self._learning_disability_mix = Choice.of(
            {
                c.supported_living: 45,
                c.day_support: 20,
                c.home_support: 20,
                c.shared_lives: 10,
                c.other_long_term: 5,
            }
        )
        self._managed_budget_mix = Choice.of(
            {
                c.home_support: 70,
                c.day_support: 20,
                c.other_long_term: 10,
            }
        )

    def community(self, package: str, *, learning_disability: bool) -> Service:
        d = self._delivery
        if package == DIRECT_PAYMENT:
            return self._direct_payment(d.direct_payment)
        if package == OVERRIDE:
            return self._direct_payment(d.commissioned)
        if package == MANAGED_BUDGET:
            return self._community_component(
                self._managed_budget_mix.pick(self._rng), d.managed_budget
            )
        mix = self._learning_disability_mix if learning_disability else self._commissioned_mix
        if package == UNRECORDED:
            return self._community_component(mix.pick(self._rng), BLANK)
        return self._community_component(mix.pick(self._rng), d.commissioned)

    def community_extra(self, package: str) -> Service | None:
        """A second, concurrent service paid for the same way as the main package.

        None for direct payments: the payment already covers what the person arranges.
        """
        d = self._delivery
        mechanism = {MANAGED_BUDGET: d.managed_budget, COMMISSIONED: d.commissioned}.get(package)
        if package != UNRECORDED and mechanism is None:
            return None
        c = self._components
        component = self._rng.choice((c.day_support, c.day_support, c.meals, c.transport))
        return self._community_component(component, mechanism or BLANK)

    def equipment(self, service_type: str) -> Service:
        return Service(
            service_type,
            self._components.equipment,
            self._delivery.commissioned,
            unit_cost=self._cost(40, 650),
            cost_frequency=self._frequency.one_off,
        )

    def care_home(self, *, nursing: bool) -> Service:
        rng = self._rng
        mechanism = self._delivery.commissioned if rng.random() < 0.6 else BLANK
        if nursing:
            name, cqc_id = rng.choice(self._nursing_homes)
            return Service(
                self._types.nursing,
                self._components.long_term_nursing,
                mechanism,
                name,
                cqc_id,
                self._cost(950, 1500),
                self._frequency.weekly,
                "1.00",
            )
        name, cqc_id = rng.choice(self._care_homes)
        return Service(
            self._types.residential,
            self._components.long_term_residential,
            mechanism,
            name,
            cqc_id,
            self._cost(750, 1300),
            self._frequency.weekly,
            "1.00",
        )

    def prison(self) -> Service:
        return Service(
            self._types.prison,
            self._components.other_long_term,
            self._delivery.commissioned,
            unit_cost=self._cost(20, 30),
            cost_frequency=self._frequency.hourly,
            planned_units=self._units(2, 10),
        )

    def reablement(self) -> Service:
        return Service(
            self._types.st_max,
            self._components.reablement,
            self._delivery.commissioned,
            unit_cost=self._cost(27, 33),
            cost_frequency=self._frequency.hourly,
            planned_units=self._units(4, 14),
        )

    def short_term_bed(self) -> Service:
        rng = self._rng
        if rng.random() < 0.2:
            name, cqc_id = rng.choice(self._nursing_homes)
            component = self._components.short_term_nursing
        else:
            name, cqc_id = rng.choice(self._care_homes)
            component = self._components.short_term_residential
        return Service(
            self._types.other_short_term,
            component,
            self._delivery.commissioned,
            name,
            cqc_id,
            self._cost(850, 1300),
            self._frequency.weekly,
            "1.00",
        )

    def carer_support(self, *, involving_cared_for: bool) -> Service:
        rng, c, d, f = self._rng, self._components, self._delivery, self._frequency
        if involving_cared_for:
            if rng.random() < 0.6:
                name, cqc_id = rng.choice(self._care_homes)
                return Service(
                    self._types.carer_involving_cared_for,
                    c.carer_respite,
                    d.commissioned,
                    name,
                    cqc_id,
                    self._cost(700, 1100),
                    f.weekly,
                    "1.00",
                )
            name, cqc_id = rng.choice(self._home_care)
            return Service(
                self._types.carer_involving_cared_for,
                c.carer_sitting,
                d.commissioned,
                name,
                cqc_id,
                self._cost(20, 26),
                f.hourly,
                self._units(2, 8),
            )
        roll = rng.random()
        if roll < 0.6:
            return Service(
                self._types.carer_direct,
                c.direct_payment,
                d.direct_payment,
                unit_cost=self._cost(150, 600),
                cost_frequency=f.one_off,
            )
        if roll < 0.75:
            return Service(
                self._types.carer_direct,
                c.other_carer_support,
                d.managed_budget,
                unit_cost=self._cost(100, 400),
                cost_frequency=f.one_off,
            )
        if roll < 0.9:
            return Service(
                self._types.carer_direct,
                c.other_carer_support,
                d.commissioned,
                unit_cost=self._cost(100, 400),
                cost_frequency=f.one_off,
            )
        # Universal services are signposting-type support with no budget attached.
        return Service(self._types.carer_direct, c.carer_universal)

    def _direct_payment(self, mechanism: str) -> Service:
        return Service(
            self._types.community,
            self._components.direct_payment,
            mechanism,
            unit_cost=self._cost(150, 700),
            cost_frequency=self._frequency.weekly,
            planned_units="1.00",
        )

    def _community_component(self, component: str, mechanism: str) -> Service:
        rng, c, f = self._rng, self._components, self._frequency
        provider = ("", "")
        if component in (c.home_support, c.extra_care):
            provider = rng.choice(self._home_care)
            cost, frequency, units = self._cost(22, 28), f.hourly, self._units(3, 28)
        elif component == c.day_support:
            provider = rng.choice(self._day_centres)
            cost, frequency, units = self._cost(45, 80), f.per_session, self._units(1, 5)
        elif component == c.supported_living:
            provider = rng.choice(self._supported_living)
            cost, frequency, units = self._cost(800, 1900), f.weekly, "1.00"
        elif component == c.shared_lives:
            cost, frequency, units = self._cost(350, 560), f.weekly, "1.00"
        elif component in (c.meals, c.transport):
            cost, frequency, units = self._cost(5, 25), f.per_session, self._units(2, 14)
        else:
            cost, frequency, units = self._cost(80, 400), f.weekly, "1.00"
        return Service(
            self._types.community,
            component,
            mechanism,
            provider[0],
            provider[1],
            cost,
            frequency,
            units,
        )

    def _cost(self, low: float, high: float) -> str:
        return f"{self._rng.uniform(low, high):.2f}"

    def _units(self, low: int, high: int) -> str:
        # Planned hours come in half-hour steps on care plans.
        return f"{self._rng.randint(2 * low, 2 * high) / 2:.2f}"
