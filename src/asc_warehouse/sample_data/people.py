"""Synthetic people: identifiers, names, demographics and addresses."""

from __future__ import annotations

import random

from asc_warehouse.ingest.nhs_number import nhs_check_digit
from asc_warehouse.sample_data.model import Person
from asc_warehouse.sample_data.profiles import Council, NhsNumberRange
from asc_warehouse.sample_data.vocabulary import Vocabulary

# fmt: off
FEMALE_NAMES = (
    "Margaret", "Patricia", "Jean", "Joan", "Barbara", "Sheila", "Mary", "Dorothy", "Brenda",
    "Valerie", "Pauline", "Maureen", "Christine", "Susan", "Janet", "Linda", "Carol", "Sandra",
    "Elizabeth", "Ann", "Irene", "Doreen", "Kathleen", "Rita", "Betty", "Eileen", "Sarah",
    "Emma", "Claire", "Nicola", "Karen", "Julie", "Helen", "Rachel", "Lisa", "Michelle", "Amy",
    "Laura",
)
MALE_NAMES = (
    "John", "David", "Peter", "Michael", "Brian", "Robert", "Alan", "William", "Kenneth", "Roy",
    "Ronald", "Anthony", "Terence", "Derek", "Keith", "Raymond", "George", "Dennis", "Colin",
    "Trevor", "Graham", "Geoffrey", "Barry", "Richard", "Stephen", "Paul", "Mark", "Andrew",
    "Christopher", "Ian", "Gary", "Darren", "Daniel", "James", "Thomas", "Matthew", "Ryan",
    "Lee",
)
SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Jackson", "Clarke", "Patel", "Harris", "Lewis", "Martin", "Cooper", "King", "Baker",
    "Hill", "Turner", "Moore", "Ward", "Allen", "Young", "Edwards", "Mitchell", "Hughes",
    "Parker", "Bennett", "Carter", "Phillips", "Collins", "Bailey", "Kelly", "Marshall", "Cook",
    "Harrison", "Morgan", "Knight", "Russell", "Webb", "Murphy", "Cox", "Ellis", "Simpson",
    "Mason", "Barnes", "Holmes", "Fox", "Gibson", "Kent", "Fuller", "Hammond", "Pearce",
    "Sayer", "Elgar", "Finn", "Gilbert",
)
# fmt: on
PRACTICE_SUFFIXES = ("Medical Centre", "Surgery", "Health Centre", "Medical Practice")
# Letters used in the inward code's unit: the Royal Mail scheme leaves out C, I, K, M, O and V.
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
DAYS_PER_YEAR = 365.25


# Stop well before a range runs out: about one number in eleven has no valid check digit, and
# drawing an unused one slows down as the range fills.
NHS_RANGE_USABLE_SHARE = 0.5


class NhsNumberDraw:
    """Valid, unused NHS numbers from a council's range, drawn at random."""

    def __init__(self, rng: random.Random, numbers: NhsNumberRange, used: set[str]) -> None:
        self._rng = rng
        self._numbers = numbers
        self._used = used

    def draw(self) -> str:
        numbers = self._numbers
        if len(self._used) >= numbers.size * NHS_RANGE_USABLE_SHARE:
            raise ValueError(
                f"the synthetic NHS number range {numbers.start}-{numbers.start + numbers.size - 1}"
                f" is half used ({len(self._used)} numbers): use a smaller scale")
        while True:
            first_nine = f"{numbers.start + self._rng.randrange(numbers.size):09d}"
            check = nhs_check_digit(first_nine)
            number = f"{first_nine}{check}"
            if check is not None and number not in self._used:
                self._used.add(number)
                return number


class PeopleFactory:
    """Makes people for one council from one random stream."""

    def __init__(self, rng: random.Random, vocab: Vocabulary, council: Council) -> None:
        self._rng = rng
        self._people = vocab.people
        self._districts = council.profile.postcode_districts
        self._nhs_numbers = NhsNumberDraw(rng, council.nhs_numbers, set())
        towns = council.profile.towns
        # Shaped like a practice code of the council's area; not looked up, so a code may
        # coincide with a real practice.
        prefix = council.profile.practice_code_prefix
        codes = rng.sample(range(1, 1000), 2 * len(towns))
        self._practices = [
            (f"{towns[i // 2]} {rng.choice(PRACTICE_SUFFIXES)}", f"{prefix}{code:03d}")
            for i, code in enumerate(codes)
        ]

    def service_user(self, on_day: int, *, working_age: bool) -> Person:
        rng = self._rng
        age = (
            rng.triangular(18.05, 65.0, 50.0) if working_age else rng.triangular(65.0, 101.0, 85.0)
        )
        psr_mix = self._people.psr_working_age if working_age else self._people.psr_older
        psr = psr_mix.pick(rng)
        person = self._person(on_day, age, self._people.service_user, psr)
        mixes = self._people
        learning_disability = psr == mixes.learning_disability
        home = (
            mixes.accommodation_learning_disability
            if learning_disability
            else mixes.accommodation_home
        )
        person.accommodation = home.pick(rng)
        person.employment = (
            mixes.employment_working_age if working_age else mixes.employment_older
        ).pick(rng)
        person.has_unpaid_carer = mixes.has_carer.pick(rng)
        person.funding_status = mixes.funding_community.pick(rng)
        return person

    def unpaid_carer(self, on_day: int) -> Person:
        rng = self._rng
        age = rng.triangular(18.05, 92.0, 60.0)
        person = self._person(on_day, age, self._people.unpaid_carer, self._people.carer_psr)
        person.accommodation = self._people.accommodation_home.pick(rng)
        employment = (
            self._people.employment_working_age if age < 65 else self._people.employment_older
        )
        person.employment = employment.pick(rng)
        return person

    def _person(self, on_day: int, age: float, client_type: str, psr: str) -> Person:
        rng = self._rng
        gender = self._people.gender.pick(rng)
        if gender == self._people.female or (gender != self._people.male and rng.random() < 0.5):
            first_names = FEMALE_NAMES
        else:
            first_names = MALE_NAMES
        practice_name, practice_code = rng.choice(self._practices)
        return Person(
            la_id=0,
            nhs_number=self._nhs_numbers.draw(),
            first_name=rng.choice(first_names),
            last_name=rng.choice(SURNAMES),
            gender=gender,
            birth=on_day - int(age * DAYS_PER_YEAR),
            client_type=client_type,
            primary_support_reason=psr,
            postcode=self._postcode(),
            gp_practice_name=practice_name,
            gp_practice_code=practice_code,
            ethnicity=self._people.ethnicity.pick(rng),
        )

    def _postcode(self) -> str:
        rng = self._rng
        unit = rng.choice(UNIT_LETTERS) + rng.choice(UNIT_LETTERS)
        return f"{rng.choice(self._districts)} {rng.randint(1, 9)}{unit}"
